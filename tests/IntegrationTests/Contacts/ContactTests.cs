using System.Net;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Contacts;

[Collection(ApiCollection.Name)]
public sealed class ContactTests(ApiFactory api)
{
    private const string Path = "/v1/contacts";

    [Fact]
    public async Task Contact_is_created_with_location_and_body()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new { Email = "Ann@Example.com", Name = "Ann Smith" });

        var contact = await ApiAssert.CreatedAsync(response, Path);
        Assert.Equal("Ann@Example.com", contact.GetProperty("email").GetString());
        Assert.Equal("Ann Smith", contact.GetProperty("name").GetString());
        Assert.Empty(contact.GetProperty("consents").EnumerateArray());
        Assert.True(contact.GetProperty("created_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Contact_without_a_name_has_none()
    {
        var organization = await api.CreateOrganizationAsync();

        var contact = await organization.Client.CreateAsync(Path, new { Email = "ann@example.com" });

        Assert.Equal(JsonValueKind.Null, contact.GetProperty("name").ValueKind);
    }

    [Fact]
    public async Task Contact_created_with_opt_in_to_is_opted_in_to_those_channels()
    {
        var organization = await api.CreateOrganizationAsync();
        var support = await CreateChannelAsync(organization, "support@example.com");
        await CreateChannelAsync(organization, "sales@example.com");

        var contact = await organization.Client.CreateAsync(Path, new { Email = "ann@example.com", OptInTo = new[] { new { Id = support } } });

        Assert.Equal([(support, "opted_in")], Consents(contact));
        Assert.Equal([(support, "opted_in")], Consents(await organization.Client.GetOkAsync($"{Path}/{contact.Id()}")));
    }

    [Fact]
    public async Task Contact_created_with_opt_in_to_all_channels_is_opted_in_to_every_channel()
    {
        var organization = await api.CreateOrganizationAsync();
        var support = await CreateChannelAsync(organization, "support@example.com");
        var sales = await CreateChannelAsync(organization, "sales@example.com");

        var contact = await organization.Client.CreateAsync(Path, new { Email = "ann@example.com", OptInToAllChannels = true });

        Assert.Equal([(support, "opted_in"), (sales, "opted_in")], Consents(contact));
        var consent = contact.GetProperty("consents")[0];
        Assert.True(consent.GetProperty("updated_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Contact_opting_in_to_an_unknown_channel_is_refused_naming_it()
    {
        var organization = await api.CreateOrganizationAsync();
        var support = await CreateChannelAsync(organization, "support@example.com");

        using var response = await organization.Client.PostJsonAsync(Path, new
        {
            Email = "ann@example.com",
            OptInTo = new[] { new { Id = support }, new { Id = 999999999L } },
        });

        await ApiAssert.ValidationProblemAsync(response, "opt_in_to[1]");
        Assert.Equal(0, (await organization.Client.GetOkAsync(Path)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Contact_is_shown_by_id()
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync(Path, new { Email = "ann@example.com", Name = "Ann" });

        var shown = await organization.Client.GetOkAsync($"{Path}/{created.Id()}");

        ApiAssert.SameResource(created, shown);
    }

    [Fact]
    public async Task Unknown_contact_is_not_found()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync($"{Path}/999999999");

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("contact.not_found", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Contacts_are_listed_and_paged()
    {
        var organization = await api.CreateOrganizationAsync();
        var ids = new List<long>();
        foreach (var name in new[] { "ann", "bob", "cat", "dan", "eve" })
        {
            ids.Add((await organization.Client.CreateAsync(Path, new { Email = $"{name}@example.com" })).Id());
        }

        var all = await organization.Client.GetOkAsync(Path);
        var page = await organization.Client.GetOkAsync($"{Path}?limit=2&offset=2");

        Assert.Equal(ids, all.Ids());
        Assert.Equal(5, all.GetProperty("total").GetInt32());
        Assert.Equal(50, all.GetProperty("limit").GetInt32());
        Assert.Equal(0, all.GetProperty("offset").GetInt32());
        Assert.Equal(ids[2..4], page.Ids());
        Assert.Equal(5, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("limit").GetInt32());
        Assert.Equal(2, page.GetProperty("offset").GetInt32());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task Contact_list_limit_out_of_range_is_refused_naming_limit(int limit)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync($"{Path}?limit={limit}");

        await ApiAssert.ValidationProblemAsync(response, "limit");
    }

    [Theory]
    [InlineData("ANN@EXAMPLE.COM")]
    [InlineData("ann@example.com")]
    [InlineData("Ann@Example.Com")]
    public async Task Contact_is_found_by_email_in_any_case(string query)
    {
        var organization = await api.CreateOrganizationAsync();
        var ann = await organization.Client.CreateAsync(Path, new { Email = "Ann@example.com" });
        await organization.Client.CreateAsync(Path, new { Email = "bob@example.com" });

        var found = await organization.Client.GetOkAsync($"{Path}?email={Uri.EscapeDataString(query)}");

        Assert.Equal([ann.Id()], found.Ids());
        Assert.Equal(1, found.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Search_for_an_unknown_email_finds_nothing()
    {
        var organization = await api.CreateOrganizationAsync();
        await organization.Client.CreateAsync(Path, new { Email = "ann@example.com" });

        var found = await organization.Client.GetOkAsync($"{Path}?email=nobody%40example.com");

        Assert.Empty(found.Ids());
        Assert.Equal(0, found.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("ann@example.com")]
    [InlineData("ANN@example.COM")]
    public async Task Contact_email_is_unique_in_the_organization_in_any_case(string duplicate)
    {
        var organization = await api.CreateOrganizationAsync();
        await organization.Client.CreateAsync(Path, new { Email = "Ann@Example.com" });

        using var response = await organization.Client.PostJsonAsync(Path, new { Email = duplicate });

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("contact.email_taken", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Contact_with_bad_fields_is_refused_naming_each_field()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new
        {
            Email = "invalid@something",
            Name = "Ann\r\nBcc: victim@example.com",
            OptInTo = new[] { new { Id = 0 } },
        });

        await ApiAssert.ValidationProblemAsync(response, "email", "name", "opt_in_to[0]");
    }

    [Theory]
    [InlineData("""{ "email": 42 }""", "email")]
    [InlineData("""{ "email": "ann@example.com", "opt_in_to_all_channels": "yes" }""", "opt_in_to_all_channels")]
    [InlineData("""{ "email": "ann@example.com", "opt_in_to": [{ "id": "first" }] }""", "opt_in_to[0].id")]
    public async Task Contact_field_of_the_wrong_type_is_refused_naming_it(string json, string field)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, Path, json);

        await ApiAssert.ValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task Opt_out_and_opt_in_change_the_consent_of_the_named_channels()
    {
        var organization = await api.CreateOrganizationAsync();
        var support = await CreateChannelAsync(organization, "support@example.com");
        var sales = await CreateChannelAsync(organization, "sales@example.com");
        var contact = await organization.Client.CreateAsync(Path, new { Email = "ann@example.com", OptInToAllChannels = true });

        var optedOut = await OkAsync(organization.Client.PostJsonAsync($"{Path}/{contact.Id()}/opt_out", new { ChannelIds = new[] { sales } }));

        Assert.Equal([(support, "opted_in"), (sales, "opted_out")], Consents(optedOut));
        Assert.Equal([(support, "opted_in"), (sales, "opted_out")], Consents(await organization.Client.GetOkAsync($"{Path}/{contact.Id()}")));

        var optedIn = await OkAsync(organization.Client.PostJsonAsync($"{Path}/{contact.Id()}/opt_in", new { ChannelIds = new[] { sales } }));

        Assert.Equal([(support, "opted_in"), (sales, "opted_in")], Consents(optedIn));
        Assert.Equal([(support, "opted_in"), (sales, "opted_in")], Consents(await organization.Client.GetOkAsync($"{Path}/{contact.Id()}")));
    }

    [Fact]
    public async Task Opt_out_of_all_channels_covers_every_channel()
    {
        var organization = await api.CreateOrganizationAsync();
        var support = await CreateChannelAsync(organization, "support@example.com");
        var sales = await CreateChannelAsync(organization, "sales@example.com");
        var contact = await organization.Client.CreateAsync(Path, new { Email = "ann@example.com" });

        var optedOut = await OkAsync(organization.Client.PostJsonAsync($"{Path}/{contact.Id()}/opt_out", new { AllChannels = true }));

        Assert.Equal([(support, "opted_out"), (sales, "opted_out")], Consents(optedOut));
        Assert.Equal([(support, "opted_out"), (sales, "opted_out")], Consents(await organization.Client.GetOkAsync($"{Path}/{contact.Id()}")));
    }

    [Theory]
    [InlineData("opt_in")]
    [InlineData("opt_out")]
    public async Task Consent_change_for_an_unknown_channel_is_refused_naming_it(string action)
    {
        var organization = await api.CreateOrganizationAsync();
        var support = await CreateChannelAsync(organization, "support@example.com");
        var contact = await organization.Client.CreateAsync(Path, new { Email = "ann@example.com" });

        using var response = await organization.Client.PostJsonAsync($"{Path}/{contact.Id()}/{action}", new { ChannelIds = new[] { 999999999L, support } });

        await ApiAssert.ValidationProblemAsync(response, "channel_ids[0]");
        Assert.Empty(Consents(await organization.Client.GetOkAsync($"{Path}/{contact.Id()}")));
    }

    [Theory]
    [InlineData("opt_in")]
    [InlineData("opt_out")]
    public async Task Consent_change_without_channels_is_refused_naming_channel_ids(string action)
    {
        var organization = await api.CreateOrganizationAsync();
        var contact = await organization.Client.CreateAsync(Path, new { Email = "ann@example.com" });

        using var response = await organization.Client.PostJsonAsync($"{Path}/{contact.Id()}/{action}", new { });

        await ApiAssert.ValidationProblemAsync(response, "channel_ids");
    }

    [Fact]
    public async Task Consent_change_with_a_channel_id_of_the_wrong_type_is_refused_naming_it()
    {
        var organization = await api.CreateOrganizationAsync();
        var contact = await organization.Client.CreateAsync(Path, new { Email = "ann@example.com" });

        using var response = await organization.Client.SendRawJsonAsync(
            HttpMethod.Post, $"{Path}/{contact.Id()}/opt_in", """{ "channel_ids": ["support"] }""");

        await ApiAssert.ValidationProblemAsync(response, "channel_ids[0]");
    }

    [Theory]
    [InlineData("opt_in")]
    [InlineData("opt_out")]
    public async Task Consent_change_of_an_unknown_contact_is_not_found(string action)
    {
        var organization = await api.CreateOrganizationAsync();
        var support = await CreateChannelAsync(organization, "support@example.com");

        using var response = await organization.Client.PostJsonAsync($"{Path}/999999999/{action}", new { ChannelIds = new[] { support } });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    private static async Task<long> CreateChannelAsync(TestOrganization organization, string email) =>
        (await organization.Client.CreateAsync("/v1/channels", new { Name = email, Email = email })).Id();

    private static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        return await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
    }

    private static (long ChannelId, string State)[] Consents(JsonElement contact) =>
        [.. contact.GetProperty("consents").EnumerateArray()
            .Select(c => (c.GetProperty("channel_id").GetInt64(), c.GetProperty("state").GetString()!))];
}
