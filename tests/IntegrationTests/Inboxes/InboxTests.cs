using System.Net;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Inboxes;

[Collection(ApiCollection.Name)]
public sealed class InboxTests(ApiFactory api)
{
    private const string Path = "/v1/inboxes";

    [Fact]
    public async Task Inbox_is_created_on_a_channel_with_location_and_body()
    {
        var organization = await api.CreateOrganizationAsync();
        var channelId = await CreateChannelAsync(organization, "support@example.com");

        using var response = await organization.Client.PostJsonAsync(Path, new { Name = "  Support team ", ChannelId = channelId });

        var inbox = await ApiAssert.CreatedAsync(response, Path);
        Assert.Equal("Support team", inbox.GetProperty("name").GetString());
        Assert.Equal(channelId, inbox.GetProperty("channel_id").GetInt64());
        Assert.True(inbox.GetProperty("created_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Inbox_is_shown_by_id()
    {
        var organization = await api.CreateOrganizationAsync();
        var channelId = await CreateChannelAsync(organization, "support@example.com");
        var created = await organization.Client.CreateAsync(Path, new { Name = "Support", ChannelId = channelId });

        var shown = await organization.Client.GetOkAsync($"{Path}/{created.Id()}");

        ApiAssert.SameResource(created, shown);
    }

    [Fact]
    public async Task Unknown_inbox_is_not_found()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync($"{Path}/999999999");

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("inbox.not_found", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Inboxes_are_listed_and_paged()
    {
        var organization = await api.CreateOrganizationAsync();
        var channelId = await CreateChannelAsync(organization, "support@example.com");
        var ids = new List<long>();
        foreach (var name in new[] { "Support", "Sales", "Billing" })
        {
            ids.Add((await organization.Client.CreateAsync(Path, new { Name = name, ChannelId = channelId })).Id());
        }

        var all = await organization.Client.GetOkAsync(Path);
        var page = await organization.Client.GetOkAsync($"{Path}?limit=2&offset=1");

        Assert.Equal(ids, all.Ids());
        Assert.Equal(3, all.GetProperty("total").GetInt32());
        Assert.Equal(50, all.GetProperty("limit").GetInt32());
        Assert.Equal(0, all.GetProperty("offset").GetInt32());
        Assert.Equal(ids[1..], page.Ids());
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("limit").GetInt32());
        Assert.Equal(1, page.GetProperty("offset").GetInt32());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task Inbox_list_limit_out_of_range_is_refused_naming_limit(int limit)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync($"{Path}?limit={limit}");

        await ApiAssert.ValidationProblemAsync(response, "limit");
    }

    [Fact]
    public async Task Inbox_without_fields_is_refused_naming_each_field()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new { Name = "" });

        await ApiAssert.ValidationProblemAsync(response, "name", "channel_id");
    }

    [Fact]
    public async Task Inbox_on_an_unknown_channel_is_refused_naming_channel_id()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new { Name = "Support", ChannelId = 999999999 });

        await ApiAssert.ValidationProblemAsync(response, "channel_id");
    }

    [Fact]
    public async Task Inbox_on_a_channel_of_another_organization_is_refused_naming_channel_id()
    {
        var owner = await api.CreateOrganizationAsync();
        var other = await api.CreateOrganizationAsync();
        var ownersChannel = await CreateChannelAsync(owner, "support@example.com");

        using var response = await other.Client.PostJsonAsync(Path, new { Name = "Stolen", ChannelId = ownersChannel });

        await ApiAssert.ValidationProblemAsync(response, "channel_id");
        Assert.Equal(0, (await other.Client.GetOkAsync(Path)).GetProperty("total").GetInt32());
        Assert.Equal(0, (await owner.Client.GetOkAsync(Path)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Inbox_field_of_the_wrong_type_is_refused_naming_it()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, Path, """{ "name": "Support", "channel_id": "one" }""");

        await ApiAssert.ValidationProblemAsync(response, "channel_id");
    }

    private static async Task<long> CreateChannelAsync(TestOrganization organization, string email) =>
        (await organization.Client.CreateAsync("/v1/channels", new { Name = email, Email = email })).Id();
}
