using System.Net;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;

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

    public static TheoryData<string> LineBreaks => ["\r\n", "\n", "\r"];

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public async Task Line_break_in_any_name_is_refused_naming_the_field_and_nothing_is_stored(string lineBreak)
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();
        var name = $"Ann{lineBreak}Bcc: evil@example.com";
        var channelEmail = $"support-{Guid.NewGuid():N}@acme.example.com";
        using var admin = api.CreateClient(ApiFactory.AdminKey);

        (HttpClient Client, HttpMethod Method, string Path, object Body, string Field)[] requests =
        [
            (admin, HttpMethod.Post, "/v1/admin/organizations", new { Name = name }, "name"),
            (organization.Client, HttpMethod.Post, "/v1/users", new { Name = name, Email = "ann@example.com" }, "name"),
            (organization.Client, HttpMethod.Post, "/v1/channels", new { Name = name, Email = channelEmail }, "name"),
            (organization.Client, HttpMethod.Post, "/v1/channels", new { Name = "Support", Email = channelEmail, SenderName = name }, "sender_name"),
            (organization.Client, HttpMethod.Patch, $"/v1/channels/{channelId}", new { Name = name }, "name"),
            (organization.Client, HttpMethod.Patch, $"/v1/channels/{channelId}", new { SenderName = name }, "sender_name"),
            (organization.Client, HttpMethod.Post, "/v1/inboxes", new { Name = name, ChannelId = channelId }, "name"),
            (organization.Client, HttpMethod.Post, "/v1/contacts", new { Email = "ann@example.com", Name = name }, "name"),
        ];
        foreach (var (client, method, path, body, field) in requests)
        {
            using var response = method == HttpMethod.Patch ? await client.PatchJsonAsync(path, body) : await client.PostJsonAsync(path, body);
            await ApiAssert.ValidationProblemAsync(response, field);
        }

        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/users")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/inboxes")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/contacts")).GetProperty("total").GetInt32());
        var channel = await organization.Client.GetOkAsync($"/v1/channels/{channelId}");
        Assert.Equal("Support", channel.GetProperty("name").GetString());
        Assert.Equal(1, (await organization.Client.GetOkAsync("/v1/channels")).GetProperty("total").GetInt32());
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
