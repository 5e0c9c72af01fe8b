using System.Net;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Common;

[Collection(ApiCollection.Name)]
public sealed class ErrorResponseTests(ApiFactory api)
{
    [Fact]
    public async Task Unknown_route_with_a_valid_key_is_not_found_as_problem_details()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync("/v1/no-such-thing");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Id_that_is_not_a_number_is_not_found()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync("/v1/channels/abc");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Body_that_is_not_json_is_refused_with_problem_details()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, "/v1/users", "{ not json");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Problem_details_carry_a_trace_id()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync("/v1/channels/999999999");

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("trace_id").GetString()));
    }
}

/// <summary>
/// Every refusal is problem+json, whatever the client accepts: a browser (<c>text/html</c>), an XML
/// client, <c>text/plain</c> or no <c>Accept</c> at all. None of them may turn a 4xx into a 500.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ProblemForEveryClientTests(ApiFactory api)
{
    public static TheoryData<string> Accepts => ["text/html", "application/xml", "text/plain", "text/html,application/xhtml+xml,application/xml;q=0.9", ""];

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task No_key_is_401_problem_json(string accept)
    {
        using var response = await Send(api.CreateAnonymousClient(), HttpMethod.Get, "/v1/users", accept);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task Wrong_key_is_401_problem_json(string accept)
    {
        using var response = await Send(api.CreateClient("mod_not_a_key"), HttpMethod.Get, "/v1/channels", accept);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task Organization_key_on_administration_is_403_problem_json(string accept)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await Send(organization.Client, HttpMethod.Post, "/v1/admin/organizations", accept, """{ "name": "x" }""");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task Unknown_route_is_404_problem_json(string accept)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await Send(organization.Client, HttpMethod.Get, "/v1/no-such-thing", accept);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task Wrong_method_is_405_problem_json(string accept)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await Send(organization.Client, HttpMethod.Delete, "/v1/users", accept);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task Body_that_is_not_json_by_its_type_is_415_problem_json(string accept)
    {
        var organization = await api.CreateOrganizationAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/users")
        {
            Content = new StringContent("name=Ann", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        Accept(request, accept);

        using var response = await organization.Client.SendAsync(request);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("/hangfire", "text/html")]
    [InlineData("//hangfire", "text/html")]
    [InlineData("/hangfire", "")]
    [InlineData("//hangfire", "application/xml")]
    public async Task Dashboard_without_the_admin_key_is_401_problem_json_outside_development(string path, string accept)
    {
        using var response = await Send(api.CreateAnonymousClient(), HttpMethod.Get, path, accept);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string accept, string? json = null)
    {
        // Absolute, so that "//hangfire" stays a path and is not read as a host name.
        using var request = new HttpRequestMessage(method, new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + path));
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        Accept(request, accept);
        return await client.SendAsync(request);
    }

    private static void Accept(HttpRequestMessage request, string accept)
    {
        request.Headers.Accept.Clear();
        if (accept.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
    }
}
