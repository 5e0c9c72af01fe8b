using System.Net;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Common;

[Collection(ApiCollection.Name)]
public sealed class TextInputTests(ApiFactory api)
{
    [Theory]
    [InlineData("/v1/users", """{ "name": "A\u0000B", "email": "ann@example.com" }""", "name")]
    [InlineData("/v1/channels", """{ "name": "A\u0000B", "email": "support@example.com" }""", "name")]
    [InlineData("/v1/channels", """{ "name": "Support", "email": "support@example.com", "sender_name": "A\u0000" }""", "sender_name")]
    [InlineData("/v1/channels", """{ "name": "Support", "email": "support@example.com", "smtp": { "host": "smtp\u0000.example.com", "port": 25, "security": "none" } }""", "smtp.host")]
    [InlineData("/v1/channels", """{ "name": "Support", "email": "support@example.com", "smtp": { "host": "smtp.example.com", "port": 25, "security": "none", "username": "a\u0000" } }""", "smtp.username")]
    [InlineData("/v1/contacts", """{ "email": "ann@example.com", "name": "A\u0000" }""", "name")]
    public async Task Nul_character_in_text_is_refused_naming_the_field(string path, string json, string field)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, path, json);

        await ApiAssert.ValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task Nul_character_in_a_contact_search_is_refused_naming_email()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync("/v1/contacts?email=ann%00%40example.com");

        await ApiAssert.ValidationProblemAsync(response, "email");
    }

    [Fact]
    public async Task Query_parameter_that_is_not_a_number_is_refused()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync("/v1/contacts?limit=abc");

        await ApiAssert.ValidationProblemAsync(response, "limit");
    }

    [Fact]
    public async Task Body_that_is_not_an_object_is_refused_naming_body()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, "/v1/users", "[]");

        await ApiAssert.ValidationProblemAsync(response, "body");
    }
}
