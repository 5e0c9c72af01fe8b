using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Modular.Application.Common.Security;
using Modular.Application.Deliverability.UnsubscribeByEmail;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Deliverability;

/// <summary>One-click unsubscribe (RFC 8058, RFC 2369): the headers, the link, the page and the mailto address, wired to the channel's consent.</summary>
[Collection(ApiCollection.Name)]
public sealed partial class UnsubscribeTests(ApiFactory api)
{
    [Fact]
    public async Task An_automated_message_carries_one_click_and_mailto_unsubscribe_headers_naming_a_signed_token()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("headers");

        var (_, received) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Body = "Weekly news", ConversationStatus = "automated" });

        var header = received.Headers["List-Unsubscribe"];
        Assert.NotNull(header);
        var match = ListUnsubscribe().Match(header);
        Assert.True(match.Success, header);
        var token = match.Groups["token"].Value;
        Assert.Equal(token, match.Groups["mailtoken"].Value);
        var local = channel[..channel.IndexOf('@', StringComparison.Ordinal)];
        Assert.Equal($"{local}+unsubscribe-{token}@acme.example.com", match.Groups["mailto"].Value);
        Assert.Equal("List-Unsubscribe=One-Click", received.Headers["List-Unsubscribe-Post"]);
        var named = api.Tokens().ReadUnsubscribe(token);
        Assert.NotNull(named);
        Assert.Equal((organization.Id, channelId), (named.OrganizationId, named.ChannelId));
        Assert.Equal((await organization.ContactAsync(to)).Id(), named.ContactId);
    }

    [Fact]
    public async Task The_channel_setting_decides_which_messages_carry_the_headers()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        Assert.Equal("automated", (await organization.Client.GetOkAsync($"/v1/channels/{channelId}")).GetProperty("list_unsubscribe").GetString());

        var open = MailDev.UniqueAddress("open");
        var (_, plain) = await organization.SendAndReceiveAsync(open, new { From = channel, To = open, Body = "A reply by a person" });
        Assert.Null(plain.Headers["List-Unsubscribe"]);

        using (var always = await organization.Client.PatchJsonAsync($"/v1/channels/{channelId}", new { ListUnsubscribe = "always" }))
        {
            Assert.Equal("always", (await ApiAssert.StatusAsync(always, HttpStatusCode.OK)).GetProperty("list_unsubscribe").GetString());
        }

        var everyone = MailDev.UniqueAddress("always");
        var (_, withHeaders) = await organization.SendAndReceiveAsync(everyone, new { From = channel, To = everyone, Body = "Hello" });
        Assert.NotNull(withHeaders.Headers["List-Unsubscribe"]);

        using (var never = await organization.Client.PatchJsonAsync($"/v1/channels/{channelId}", new { ListUnsubscribe = "never" }))
        {
            await ApiAssert.StatusAsync(never, HttpStatusCode.OK);
        }

        var nobody = MailDev.UniqueAddress("never");
        var (_, without) = await organization.SendAndReceiveAsync(nobody, new { From = channel, To = nobody, Body = "News", ConversationStatus = "automated" });
        Assert.Null(without.Headers["List-Unsubscribe"]);

        using var bad = await organization.Client.PatchJsonAsync($"/v1/channels/{channelId}", new { ListUnsubscribe = "sometimes" });
        await ApiAssert.ValidationProblemAsync(bad, "list_unsubscribe");
    }

    [Fact]
    public async Task A_one_click_post_opts_the_contact_out_at_once_harmlessly_again_and_the_next_send_is_blocked()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("oneclick");
        var token = await TokenOfAsync(organization, channel, to);
        var anonymous = api.CreateAnonymousClient();

        // A GET (what link scanners do) shows a page with one button and changes nothing.
        using (var page = await anonymous.GetAsync($"/u/{token}"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains($"<form method=\"post\" action=\"/u/{token}\">", html, StringComparison.Ordinal);
            Assert.Equal(1, Regex.Count(html, "<button"));
        }

        var before = await organization.ContactAsync(to);
        Assert.DoesNotContain(before.GetProperty("consents").EnumerateArray(), c => c.GetProperty("state").GetString() == "opted_out");

        for (var i = 0; i < 2; i++)
        {
            using var posted = await anonymous.PostAsync($"/u/{token}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        var contact = await organization.ContactAsync(to);
        var consent = Assert.Single(contact.GetProperty("consents").EnumerateArray());
        Assert.Equal((channelId, "opted_out", "unsubscribe_link"), (consent.GetProperty("channel_id").GetInt64(), consent.GetProperty("state").GetString(), consent.GetProperty("source").GetString()));
        var change = Assert.Single(contact.GetProperty("consent_history").EnumerateArray());
        Assert.Equal("unsubscribe_link", change.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Number, change.GetProperty("message_id").ValueKind);

        var next = await organization.SendAsync(new { From = channel, To = to, Body = "More news", ConversationStatus = "automated" });
        Assert.Equal("blocked", next.GetProperty("delivery_status").GetString());
        var blocked = await organization.Client.GetOkAsync($"/v1/messages/{next.Id()}");
        Assert.Equal("opted_out", Assert.Single(blocked.GetProperty("compliance_results").EnumerateArray()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_forged_or_altered_token_is_404_for_get_and_post_and_changes_nothing()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("forged");
        var token = await TokenOfAsync(organization, channel, to);
        var anonymous = api.CreateAnonymousClient();
        var altered = token[..^1] + (token[^1] == 'a' ? 'b' : 'a');
        var mac = token[(token.LastIndexOf('-') + 1)..];
        var otherContact = Regex.Replace(token, @"^([^-]+)-([^-]+)-", m => $"{m.Groups[1].Value}-{m.Groups[2].Value}0-");

        foreach (var forged in new[] { altered, otherContact, "not-a-token", $"1-2-3-4-{mac}" })
        {
            using var get = await anonymous.GetAsync($"/u/{forged}");
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            using var post = await anonymous.PostAsync($"/u/{forged}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }

        var contact = await organization.ContactAsync(to);
        Assert.Empty(contact.GetProperty("consent_history").EnumerateArray());
    }

    [Fact]
    public async Task A_valid_token_of_a_contact_that_does_not_exist_is_404()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();
        var token = api.Tokens().Unsubscribe(new UnsubscribeToken(organization.Id, long.MaxValue - 7, channelId, 1));
        var anonymous = api.CreateAnonymousClient();

        using var get = await anonymous.GetAsync($"/u/{token}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var post = await anonymous.PostAsync($"/u/{token}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }

    [Fact]
    public async Task A_token_never_reaches_another_organizations_contact()
    {
        var owner = await api.CreateOrganizationAsync();
        var (_, channel) = await owner.CreateChannelAsync();
        var to = MailDev.UniqueAddress("owner");
        var token = await TokenOfAsync(owner, channel, to);
        var named = api.Tokens().ReadUnsubscribe(token)!;
        var other = await api.CreateOrganizationAsync();
        var (otherChannel, _) = await other.CreateChannelAsync();

        // A validly signed token naming the owner's contact under another organization finds nothing there.
        var crossed = api.Tokens().Unsubscribe(named with { OrganizationId = other.Id, ChannelId = otherChannel });
        using var post = await api.CreateAnonymousClient().PostAsync($"/u/{crossed}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Empty((await owner.ContactAsync(to)).GetProperty("consent_history").EnumerateArray());
    }

    [Fact]
    public async Task An_email_to_the_mailto_address_opts_the_contact_out_with_its_source()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("mailto");
        var (_, received) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Body = "News", ConversationStatus = "automated" });
        var mailto = ListUnsubscribe().Match(received.Headers["List-Unsubscribe"]!).Groups["mailto"].Value;

        var wrongChannel = await api.SendInProcessAsync(null, new UnsubscribeByEmailCommand(mailto, ChannelId: channelId + 1));
        Assert.True(wrongChannel.IsFailure);
        var notOne = await api.SendInProcessAsync(null, new UnsubscribeByEmailCommand(channel, channelId));
        Assert.True(notOne.IsFailure);
        Assert.Empty((await organization.ContactAsync(to)).GetProperty("consent_history").EnumerateArray());

        var done = await api.SendInProcessAsync(null, new UnsubscribeByEmailCommand(mailto.ToUpperInvariant(), channelId));
        Assert.True(done.IsSuccess, done.Error?.Message);
        Assert.True(done.Value.OptedOut);
        var again = await api.SendInProcessAsync(null, new UnsubscribeByEmailCommand(mailto, channelId));
        Assert.True(again.IsSuccess);

        var change = Assert.Single((await organization.ContactAsync(to)).GetProperty("consent_history").EnumerateArray());
        Assert.Equal(("opted_out", "unsubscribe_email"), (change.GetProperty("state").GetString(), change.GetProperty("source").GetString()));
    }

    private async Task<string> TokenOfAsync(TestOrganization organization, string channel, string to)
    {
        var (_, received) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Body = "News", ConversationStatus = "automated" });
        return ListUnsubscribe().Match(received.Headers["List-Unsubscribe"]!).Groups["token"].Value;
    }

    [GeneratedRegex(@"^<https://modular\.test/u/(?<token>[a-z0-9-]+)>,\s*<mailto:(?<mailto>[^?>]+\+unsubscribe-(?<mailtoken>[a-z0-9-]+)@[^?>]+)\?subject=unsubscribe>$")]
    private static partial Regex ListUnsubscribe();
}
