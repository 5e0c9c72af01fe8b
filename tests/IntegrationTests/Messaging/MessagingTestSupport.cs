using System.Net;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Messaging;

/// <summary>Sending and waiting, as the messaging tests need them.</summary>
internal static class MessagingTestSupport
{
    /// <summary>Creates a channel sending through the default relay (MailDev) and returns its id and address.</summary>
    public static async Task<(long Id, string Email)> CreateChannelAsync(this TestOrganization organization, object? smtp = null, string? senderName = null)
    {
        var email = $"support-{Guid.NewGuid():N}@acme.example.com";
        var channel = await organization.Client.CreateAsync("/v1/channels", new { Name = "Support", Email = email, SenderName = senderName, Smtp = smtp });
        return (channel.Id(), email);
    }

    /// <summary>Sends through the channel-style endpoint and expects 201; returns <c>data</c>.</summary>
    public static async Task<JsonElement> SendAsync(this TestOrganization organization, object body)
    {
        using var response = await organization.Client.PostJsonAsync("/v1/messaging/email", body);
        var created = await ApiAssert.StatusAsync(response, HttpStatusCode.Created);
        var data = created.GetProperty("data");
        Assert.Equal($"/v1/messages/{data.GetProperty("id").GetInt64()}", response.Headers.Location?.ToString());
        return data;
    }

    /// <summary>Polls the message until its delivery status is one of <paramref name="statuses"/>.</summary>
    public static Task<JsonElement> WaitForStatusAsync(this TestOrganization organization, long messageId, TimeSpan timeout, params string[] statuses) =>
        organization.WaitForMessageAsync(
            messageId,
            timeout,
            message => statuses.Contains(message.GetProperty("delivery_status").GetString()),
            message => $"Message {messageId} is {message.GetProperty("delivery_status").GetString()}, expected {string.Join(" or ", statuses)}: {message}");

    /// <summary>Polls the message until it has at least <paramref name="attempts"/> delivery attempts.</summary>
    public static Task<JsonElement> WaitForAttemptsAsync(this TestOrganization organization, long messageId, TimeSpan timeout, int attempts = 1) =>
        organization.WaitForMessageAsync(
            messageId,
            timeout,
            message => message.GetProperty("attempts").GetArrayLength() >= attempts,
            message => $"Message {messageId} has fewer than {attempts} attempts: {message}");

    /// <summary>Polls the message until <paramref name="done"/> holds; asserts it did within <paramref name="timeout"/>.</summary>
    private static async Task<JsonElement> WaitForMessageAsync(
        this TestOrganization organization, long messageId, TimeSpan timeout, Func<JsonElement, bool> done, Func<JsonElement, string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var message = await organization.Client.GetOkAsync($"/v1/messages/{messageId}");
            if (done(message) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(message), failure(message));
                return message;
            }

            await Task.Delay(100);
        }
    }
}

/// <summary>An organization set up for inbox-style sends: a user, and an inbox on a channel.</summary>
internal sealed record InboxSetup(TestOrganization Organization, long UserId, long InboxId, long ChannelId, string ChannelEmail)
{
    public static async Task<InboxSetup> CreateAsync(ApiFactory api)
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channelEmail) = await organization.CreateChannelAsync(senderName: "Acme Support");
        var user = await organization.Client.CreateAsync("/v1/users", new { Name = "Agent", Email = $"agent-{Guid.NewGuid():N}@acme.example.com" });
        var inbox = await organization.Client.CreateAsync("/v1/inboxes", new { Name = "Support", ChannelId = channelId });
        return new InboxSetup(organization, user.Id(), inbox.Id(), channelId, channelEmail);
    }

    /// <summary>Posts to <c>/v1/email/send</c> and expects 200.</summary>
    public async Task<JsonElement> SendAsync(object body)
    {
        using var response = await Organization.Client.PostJsonAsync("/v1/email/send", body);
        return await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
    }
}
