using System.Net;
using System.Net.Http.Headers;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Authentication;

[Collection(ApiCollection.Name)]
public sealed class AuthenticationTests(ApiFactory api)
{
    /// <summary>Every set-up endpoint: method and path (ids need not exist; authentication comes first).</summary>
    public static TheoryData<string, string> SetUpEndpoints => new()
    {
        { "POST", "/v1/users" },
        { "GET", "/v1/users" },
        { "POST", "/v1/channels" },
        { "GET", "/v1/channels" },
        { "GET", "/v1/channels/1" },
        { "PATCH", "/v1/channels/1" },
        { "POST", "/v1/inboxes" },
        { "GET", "/v1/inboxes" },
        { "GET", "/v1/inboxes/1" },
        { "POST", "/v1/contacts" },
        { "GET", "/v1/contacts" },
        { "GET", "/v1/contacts/1" },
        { "POST", "/v1/contacts/1/opt_in" },
        { "POST", "/v1/contacts/1/opt_out" },
        { "GET", "/v1/api_keys" },
        { "POST", "/v1/api_keys" },
        { "DELETE", "/v1/api_keys/1" },
        { "PATCH", "/v1/users/1" },
        { "PATCH", "/v1/inboxes/1" },
        { "PATCH", "/v1/contacts/1" },
        { "DELETE", "/v1/contacts/1" },
        { "DELETE", "/v1/channels/1" },
    };

    [Theory]
    [MemberData(nameof(SetUpEndpoints))]
    public async Task Set_up_endpoint_without_a_key_is_unauthorized(string method, string path)
    {
        using var response = await Send(api.CreateAnonymousClient(), method, path);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, challenge => challenge.Scheme == "Bearer");
    }

    [Theory]
    [MemberData(nameof(SetUpEndpoints))]
    public async Task Set_up_endpoint_with_a_wrong_key_is_unauthorized(string method, string path)
    {
        using var response = await Send(api.CreateClient("mod_0000000000000000000000000000000000000000000000000000000000000000"), method, path);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(SetUpEndpoints))]
    public async Task Set_up_endpoint_with_a_wrong_x_api_key_is_unauthorized(string method, string path)
    {
        var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "wrong-key");

        using var response = await Send(client, method, path);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Empty_bearer_token_is_unauthorized()
    {
        var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer ");

        using var response = await client.GetAsync("/v1/users");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Other_authorization_schemes_are_unauthorized()
    {
        var organization = await api.CreateOrganizationAsync();
        var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", organization.ApiKey);

        using var response = await client.GetAsync("/v1/users");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Key_works_as_a_bearer_token()
    {
        var organization = await api.CreateOrganizationAsync();
        var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", organization.ApiKey);

        await client.GetOkAsync("/v1/channels");
    }

    [Fact]
    public async Task Key_works_in_the_x_api_key_header()
    {
        var organization = await api.CreateOrganizationAsync();
        var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", organization.ApiKey);

        var created = await client.CreateAsync("/v1/users", new { Name = "Ann", Email = "ann@example.com" });

        var users = await organization.Client.GetOkAsync("/v1/users");
        Assert.Equal([created.Id()], users.Ids());
    }

    [Fact]
    public async Task Liveness_needs_no_key()
    {
        using var response = await api.CreateAnonymousClient().GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_needs_no_key_and_reports_each_check()
    {
        using var response = await api.CreateAnonymousClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("healthy", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["database"] = "healthy", ["job_server"] = "healthy", ["smtp_default_relay"] = "healthy" }, checks);
    }

    [Fact]
    public async Task OpenApi_document_needs_no_key()
    {
        using var response = await api.CreateAnonymousClient().GetAsync("/openapi/v1.json");

        var document = await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
        Assert.True(document.GetProperty("paths").TryGetProperty("/v1/channels/{id}", out _));
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PATCH")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }
}
