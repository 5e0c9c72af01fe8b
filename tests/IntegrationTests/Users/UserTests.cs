using System.Net;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Users;

[Collection(ApiCollection.Name)]
public sealed class UserTests(ApiFactory api)
{
    private const string Path = "/v1/users";

    [Fact]
    public async Task User_is_created_with_location_and_body()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new { Name = "Ann Smith", Email = "Ann@Example.com" });

        var user = await ApiAssert.CreatedAsync(response, Path);
        Assert.Equal("Ann Smith", user.GetProperty("name").GetString());
        Assert.Equal("Ann@Example.com", user.GetProperty("email").GetString());
        Assert.True(user.GetProperty("created_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Users_are_listed_with_total_limit_and_offset()
    {
        var organization = await api.CreateOrganizationAsync();
        var ann = await organization.Client.CreateAsync(Path, new { Name = "Ann", Email = "ann@example.com" });

        var list = await organization.Client.GetOkAsync(Path);

        Assert.Equal([ann.Id()], list.Ids());
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal(50, list.GetProperty("limit").GetInt32());
        Assert.Equal(0, list.GetProperty("offset").GetInt32());
        Assert.Equal("ann@example.com", list.GetProperty("data")[0].GetProperty("email").GetString());
    }

    [Fact]
    public async Task Users_are_paged_by_limit_and_offset_in_creation_order()
    {
        var organization = await api.CreateOrganizationAsync();
        var ids = new List<long>();
        foreach (var name in new[] { "ann", "bob", "cat", "dan" })
        {
            ids.Add((await organization.Client.CreateAsync(Path, new { Name = name, Email = $"{name}@example.com" })).Id());
        }

        var page = await organization.Client.GetOkAsync($"{Path}?limit=2&offset=1");

        Assert.Equal(ids[1..3], page.Ids());
        Assert.Equal(4, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("limit").GetInt32());
        Assert.Equal(1, page.GetProperty("offset").GetInt32());
        Assert.Empty((await organization.Client.GetOkAsync($"{Path}?offset=4")).Ids());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("offset=-1", "offset")]
    public async Task Paging_out_of_range_is_refused_naming_the_parameter(string queryString, string field)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync($"{Path}?{queryString}");

        await ApiAssert.ValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task Limit_of_500_is_allowed()
    {
        var organization = await api.CreateOrganizationAsync();

        var list = await organization.Client.GetOkAsync($"{Path}?limit=500");

        Assert.Equal(500, list.GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task User_email_is_unique_in_the_organization_in_any_case()
    {
        var organization = await api.CreateOrganizationAsync();
        await organization.Client.CreateAsync(Path, new { Name = "Ann", Email = "ann@example.com" });

        using var response = await organization.Client.PostJsonAsync(Path, new { Name = "Ann again", Email = "ANN@Example.COM" });

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("user.email_taken", problem.GetProperty("code").GetString());
        Assert.Equal(1, (await organization.Client.GetOkAsync(Path)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task User_with_bad_fields_is_refused_naming_each_field()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new { Name = "", Email = "invalid@something" });

        await ApiAssert.ValidationProblemAsync(response, "name", "email");
        Assert.Equal(0, (await organization.Client.GetOkAsync(Path)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task User_without_fields_is_refused_naming_each_field()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new { });

        await ApiAssert.ValidationProblemAsync(response, "name", "email");
    }

    [Fact]
    public async Task User_field_of_the_wrong_type_is_refused_naming_it()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, Path, """{ "name": "Ann", "email": ["ann@example.com"] }""");

        await ApiAssert.ValidationProblemAsync(response, "email");
    }
}
