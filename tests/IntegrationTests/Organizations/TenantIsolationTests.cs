using System.Net;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Organizations;

/// <summary>Nothing crosses organizations: another tenant's id answers 404 and its rows never show.</summary>
[Collection(ApiCollection.Name)]
public sealed class TenantIsolationTests(ApiFactory api)
{
    /// <summary>
    /// Every endpoint that takes an id in its path. <c>{channel}</c>, <c>{inbox}</c> and <c>{contact}</c> stand
    /// for the owner's ids; <c>{own_channel}</c> for a channel of the organization that asks.
    /// </summary>
    public static TheoryData<string, string, string?> EndpointsWithAnId => new()
    {
        { "GET", "/v1/channels/{channel}", null },
        { "PATCH", "/v1/channels/{channel}", """{ "name": "Hijacked", "sender_name": "Mallory", "use_default_relay": true }""" },
        { "GET", "/v1/inboxes/{inbox}", null },
        { "GET", "/v1/contacts/{contact}", null },
        { "POST", "/v1/contacts/{contact}/opt_in", """{ "channel_ids": [{own_channel}] }""" },
        { "POST", "/v1/contacts/{contact}/opt_out", """{ "all_channels": true }""" },
    };

    [Theory]
    [MemberData(nameof(EndpointsWithAnId))]
    public async Task Id_of_another_organization_is_not_found_and_its_row_is_unchanged(string method, string path, string? body)
    {
        var owner = await SeedAsync(await api.CreateOrganizationAsync());
        var intruder = await SeedAsync(await api.CreateOrganizationAsync());
        var before = await owner.SnapshotAsync();

        using var request = new HttpRequestMessage(new HttpMethod(method), owner.Fill(path, intruder));
        if (body is not null)
        {
            request.Content = new StringContent(owner.Fill(body, intruder), System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await intruder.Organization.Client.SendAsync(request);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.EndsWith(".not_found", problem.GetProperty("code").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await owner.SnapshotAsync());
    }

    [Theory]
    [MemberData(nameof(EndpointsWithAnId))]
    public async Task Own_id_on_the_same_endpoint_succeeds(string method, string path, string? body)
    {
        var owner = await SeedAsync(await api.CreateOrganizationAsync());

        using var request = new HttpRequestMessage(new HttpMethod(method), owner.Fill(path, owner));
        if (body is not null)
        {
            request.Content = new StringContent(owner.Fill(body, owner), System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await owner.Organization.Client.SendAsync(request);

        await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lists_never_show_rows_of_another_organization()
    {
        var owner = await SeedAsync(await api.CreateOrganizationAsync());
        var other = await SeedAsync(await api.CreateOrganizationAsync());

        foreach (var (path, id) in new[]
        {
            ("/v1/users", other.UserId),
            ("/v1/channels", other.ChannelId),
            ("/v1/inboxes", other.InboxId),
            ("/v1/contacts", other.ContactId),
        })
        {
            var list = await other.Organization.Client.GetOkAsync(path);
            Assert.Equal([id], list.Ids());
            Assert.Equal(1, list.GetProperty("total").GetInt32());
        }

        var search = await other.Organization.Client.GetOkAsync($"/v1/contacts?email={Uri.EscapeDataString(owner.ContactEmail)}");
        Assert.Equal([other.ContactId], search.Ids());
        Assert.NotEqual(owner.ContactId, other.ContactId);
    }

    [Fact]
    public async Task Contact_search_does_not_find_an_address_known_only_to_another_organization()
    {
        var owner = await api.CreateOrganizationAsync();
        var other = await api.CreateOrganizationAsync();
        var address = $"only-{owner.Id}@example.com";
        await owner.Client.CreateAsync("/v1/contacts", new { Email = address });

        var found = await other.Client.GetOkAsync($"/v1/contacts?email={Uri.EscapeDataString(address)}");

        Assert.Empty(found.Ids());
        Assert.Equal(0, found.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Same_addresses_may_be_used_by_two_organizations()
    {
        var first = await SeedAsync(await api.CreateOrganizationAsync());
        var second = await SeedAsync(await api.CreateOrganizationAsync());

        Assert.Equal(first.ContactEmail, second.ContactEmail);
        Assert.NotEqual(first.ChannelId, second.ChannelId);
        Assert.NotEqual(first.ContactId, second.ContactId);
    }

    [Fact]
    public async Task Contact_cannot_be_opted_in_to_a_channel_of_another_organization()
    {
        var owner = await SeedAsync(await api.CreateOrganizationAsync());
        var other = await SeedAsync(await api.CreateOrganizationAsync());

        using var created = await other.Organization.Client.PostJsonAsync(
            "/v1/contacts", new { Email = "new@example.com", OptInTo = new[] { new { Id = owner.ChannelId } } });
        using var changed = await other.Organization.Client.PostJsonAsync(
            $"/v1/contacts/{other.ContactId}/opt_in", new { ChannelIds = new[] { owner.ChannelId } });

        await ApiAssert.ValidationProblemAsync(created, "opt_in_to[0]");
        await ApiAssert.ValidationProblemAsync(changed, "channel_ids[0]");
    }

    [Fact]
    public async Task Opting_in_to_all_channels_covers_only_the_organizations_own_channels()
    {
        var owner = await SeedAsync(await api.CreateOrganizationAsync());
        var other = await SeedAsync(await api.CreateOrganizationAsync());

        var contact = await other.Organization.Client.CreateAsync("/v1/contacts", new { Email = "new@example.com", OptInToAllChannels = true });

        var channels = contact.GetProperty("consents").EnumerateArray().Select(c => c.GetProperty("channel_id").GetInt64());
        Assert.Equal([other.ChannelId], channels);
        Assert.NotEqual(owner.ChannelId, other.ChannelId);
    }

    /// <summary>Gives the organization a user, a channel with a relay password, an inbox and an opted-in contact.</summary>
    private static async Task<Seeded> SeedAsync(TestOrganization organization)
    {
        var client = organization.Client;
        var user = await client.CreateAsync("/v1/users", new { Name = "Ann", Email = "ann@acme.example.com" });
        var channel = await client.CreateAsync("/v1/channels", new
        {
            Name = "Support",
            Email = "support@acme.example.com",
            SenderName = "Acme Support",
            Smtp = new { Host = "smtp.acme.example.com", Port = 587, Security = "starttls", Username = "relay", Password = "secret" },
        });
        var inbox = await client.CreateAsync("/v1/inboxes", new { Name = "Support team", ChannelId = channel.Id() });
        const string contactEmail = "customer@example.com";
        var contact = await client.CreateAsync("/v1/contacts", new { Email = contactEmail, OptInToAllChannels = true });
        return new Seeded(organization, user.Id(), channel.Id(), inbox.Id(), contact.Id(), contactEmail);
    }

    private sealed record Seeded(TestOrganization Organization, long UserId, long ChannelId, long InboxId, long ContactId, string ContactEmail)
    {
        public string Fill(string template, Seeded asker) => template
            .Replace("{channel}", ChannelId.ToString(), StringComparison.Ordinal)
            .Replace("{inbox}", InboxId.ToString(), StringComparison.Ordinal)
            .Replace("{contact}", ContactId.ToString(), StringComparison.Ordinal)
            .Replace("{own_channel}", asker.ChannelId.ToString(), StringComparison.Ordinal);

        /// <summary>Everything the owner can read about its rows, as raw JSON.</summary>
        public async Task<string> SnapshotAsync()
        {
            var client = Organization.Client;
            var parts = new[]
            {
                await client.GetOkAsync($"/v1/channels/{ChannelId}"),
                await client.GetOkAsync($"/v1/inboxes/{InboxId}"),
                await client.GetOkAsync($"/v1/contacts/{ContactId}"),
                await client.GetOkAsync("/v1/users"),
                await client.GetOkAsync("/v1/channels"),
                await client.GetOkAsync("/v1/inboxes"),
                await client.GetOkAsync("/v1/contacts"),
            };
            return string.Join("\n", parts.Select(part => part.GetRawText()));
        }
    }
}
