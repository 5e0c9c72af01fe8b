using System.Net;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Organizations;

[Collection(ApiCollection.Name)]
public sealed class AdministrationTests(ApiFactory api)
{
    private const string Path = "/v1/admin/organizations";

    [Fact]
    public async Task Admin_creates_an_organization_and_gets_its_key_once()
    {
        var admin = api.CreateClient(ApiFactory.AdminKey);

        using var response = await admin.PostJsonAsync(Path, new { Name = "  Acme Corp  " });

        var body = await ApiAssert.CreatedAsync(response, Path);
        Assert.Equal("Acme Corp", body.GetProperty("name").GetString());
        var key = body.GetProperty("api_key").GetString();
        Assert.StartsWith("mod_", key, StringComparison.Ordinal);
        Assert.True(key!.Length >= 40, "An API key carries enough randomness to be unguessable.");
    }

    [Fact]
    public async Task Key_of_a_new_organization_authenticates_its_requests()
    {
        var organization = await api.CreateOrganizationAsync();

        var users = await organization.Client.GetOkAsync("/v1/users");

        Assert.Equal(0, users.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Every_organization_gets_a_different_key()
    {
        var first = await api.CreateOrganizationAsync();
        var second = await api.CreateOrganizationAsync();

        Assert.NotEqual(first.Id, second.Id);
        Assert.NotEqual(first.ApiKey, second.ApiKey);
    }

    [Fact]
    public async Task Creating_an_organization_without_a_key_is_unauthorized()
    {
        using var response = await api.CreateAnonymousClient().PostJsonAsync(Path, new { Name = "Acme" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Creating_an_organization_with_a_wrong_key_is_unauthorized()
    {
        using var response = await api.CreateClient("not-the-admin-key").PostJsonAsync(Path, new { Name = "Acme" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Creating_an_organization_with_an_organization_key_is_forbidden()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new { Name = "Acme" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Admin_key_is_not_an_organization_key()
    {
        using var response = await api.CreateClient(ApiFactory.AdminKey).GetAsync("/v1/users");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task Organization_without_a_name_is_refused_naming_name(string? name)
    {
        using var response = await api.CreateClient(ApiFactory.AdminKey).PostJsonAsync(Path, new { Name = name });

        await ApiAssert.ValidationProblemAsync(response, "name");
    }

    [Fact]
    public async Task Organization_name_that_is_too_long_is_refused_naming_name()
    {
        using var response = await api.CreateClient(ApiFactory.AdminKey).PostJsonAsync(Path, new { Name = new string('a', 201) });

        await ApiAssert.ValidationProblemAsync(response, "name");
    }

    [Fact]
    public async Task Organization_name_of_the_wrong_type_is_refused_naming_name()
    {
        using var response = await api.CreateClient(ApiFactory.AdminKey).SendRawJsonAsync(HttpMethod.Post, Path, """{ "name": 42 }""");

        await ApiAssert.ValidationProblemAsync(response, "name");
    }
}
