using System.Net;
using System.Text;
using MimeKit;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Deliverability;

/// <summary>DKIM per channel: the key is made and kept by the service, and every email of the channel is signed.</summary>
[Collection(ApiCollection.Name)]
public sealed class DkimTests(ApiFactory api)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_email_signed_for_its_channel_verifies_as_received_by_the_smtp_server_with_an_independent_verifier()
    {
        await using var server = new ScriptedSmtpServer();
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = server.Port, Security = "none" });

        using var created = await organization.Client.PostJsonAsync($"/v1/channels/{channelId}/dkim", new { Selector = "s2026" });
        var dkim = await ApiAssert.StatusAsync(created, HttpStatusCode.Created);
        var body = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain("PRIVATE", body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("acme.example.com", dkim.GetProperty("domain").GetString());
        Assert.Equal("s2026", dkim.GetProperty("selector").GetString());
        Assert.Equal("s2026._domainkey.acme.example.com", dkim.GetProperty("dns_name").GetString());
        var dnsValue = dkim.GetProperty("dns_value").GetString()!;
        Assert.StartsWith("v=DKIM1; k=rsa; p=", dnsValue, StringComparison.Ordinal);
        Assert.Equal(dnsValue, (await organization.Client.GetOkAsync($"/v1/channels/{channelId}/dkim")).GetProperty("dns_value").GetString());

        // Non-ASCII text and a long HTML line: the body must be encoded for a server without 8BITMIME before it is signed.
        var to = MailDev.UniqueAddress("signed");
        var sent = await organization.SendAsync(new
        {
            From = channel, To = $"Zoë Ångström <{to}>", Cc = new[] { MailDev.UniqueAddress("signed-cc") }, ReplyTo = "desk@acme.example.com",
            Subject = "Grüße — your order ✓", Body = "<p>Grüße aus Köln. " + new string('x', 300) + "</p>\n.\n<p>.leading dot</p>",
        });
        await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");

        var received = Assert.Single(server.Received);
        var raw = DkimVerifier.Unstuffed(received.Data);
        Assert.True(await DkimVerifier.VerifyAsync(raw, "s2026._domainkey.acme.example.com", dnsValue), "The received email does not verify:\n" + received.Data);

        var parsed = MimeMessage.Load(new MemoryStream(raw));
        var signature = parsed.Headers[HeaderId.DkimSignature];
        Assert.Contains("c=relaxed/relaxed", signature, StringComparison.Ordinal);
        Assert.Contains("d=acme.example.com", signature, StringComparison.Ordinal);
        var signedHeaders = SignedHeaders(signature);
        foreach (var name in new[] { "from", "to", "cc", "subject", "date", "message-id", "reply-to", "mime-version", "content-type" })
        {
            Assert.Contains(name, signedHeaders);
        }

        // The verifier can say no: the same bytes with the subject changed do not verify.
        var tampered = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(raw).Replace("Subject: ", "Subject: Fwd: ", StringComparison.Ordinal));
        Assert.False(await DkimVerifier.VerifyAsync(tampered, "s2026._domainkey.acme.example.com", dnsValue));
    }

    [Fact]
    public async Task A_reply_with_threading_and_unsubscribe_headers_is_signed_over_them()
    {
        await using var server = new ScriptedSmtpServer();
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = server.Port, Security = "none" });
        using var patched = await organization.Client.PatchJsonAsync($"/v1/channels/{channelId}", new { ListUnsubscribe = "always" });
        await ApiAssert.StatusAsync(patched, HttpStatusCode.OK);
        using var created = await organization.Client.PostJsonAsync($"/v1/channels/{channelId}/dkim", new { });
        var dkim = await ApiAssert.StatusAsync(created, HttpStatusCode.Created);
        Assert.StartsWith("modular", dkim.GetProperty("selector").GetString(), StringComparison.Ordinal);

        var to = MailDev.UniqueAddress("thread");
        var first = await organization.SendAsync(new { From = channel, To = to, Subject = "Hello", Body = "One" });
        await organization.WaitForStatusAsync(first.Id(), Delivery, "sent");
        var second = await organization.SendAsync(new { From = channel, To = to, Body = "Two" });
        await organization.WaitForStatusAsync(second.Id(), Delivery, "sent");

        var reply = server.Received.Last();
        var raw = DkimVerifier.Unstuffed(reply.Data);
        Assert.True(await DkimVerifier.VerifyAsync(raw, dkim.GetProperty("dns_name").GetString()!, dkim.GetProperty("dns_value").GetString()!), reply.Data);
        var signedHeaders = SignedHeaders(MimeMessage.Load(new MemoryStream(raw)).Headers[HeaderId.DkimSignature]);
        foreach (var name in new[] { "in-reply-to", "references", "list-unsubscribe", "list-unsubscribe-post" })
        {
            Assert.Contains(name, signedHeaders);
        }
    }

    [Fact]
    public async Task Deleting_the_key_stops_signing_and_the_key_is_gone()
    {
        await using var server = new ScriptedSmtpServer();
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = server.Port, Security = "none" });
        using (var created = await organization.Client.PostJsonAsync($"/v1/channels/{channelId}/dkim", new { }))
        {
            await ApiAssert.StatusAsync(created, HttpStatusCode.Created);
        }

        using (var deleted = await organization.Client.DeleteAsync($"/v1/channels/{channelId}/dkim"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await organization.Client.DeleteAsync($"/v1/channels/{channelId}/dkim"))
        {
            await ApiAssert.ProblemAsync(again, HttpStatusCode.NotFound);
        }

        using (var shown = await organization.Client.GetAsync($"/v1/channels/{channelId}/dkim"))
        {
            await ApiAssert.ProblemAsync(shown, HttpStatusCode.NotFound);
        }

        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress("unsigned"), Body = "Plain" });
        await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");
        Assert.DoesNotContain("DKIM-Signature:", Assert.Single(server.Received).Data, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_bad_selector_is_422_and_another_organizations_channel_is_404()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();
        using (var bad = await organization.Client.PostJsonAsync($"/v1/channels/{channelId}/dkim", new { Selector = "not a label." }))
        {
            await ApiAssert.ValidationProblemAsync(bad, "selector");
        }

        var other = await api.CreateOrganizationAsync();
        using (var foreign = await other.Client.PostJsonAsync($"/v1/channels/{channelId}/dkim", new { }))
        {
            await ApiAssert.ProblemAsync(foreign, HttpStatusCode.NotFound);
        }

        using var missing = await other.Client.GetAsync($"/v1/channels/{channelId}/dkim");
        await ApiAssert.ProblemAsync(missing, HttpStatusCode.NotFound);
    }

    private static string[] SignedHeaders(string? signature)
    {
        Assert.NotNull(signature);
        var tag = signature.Split(';').Select(t => t.Trim()).Single(t => t.StartsWith("h=", StringComparison.Ordinal));
        return [.. tag[2..].Split(':').Select(h => h.Trim().ToLowerInvariant())];
    }
}
