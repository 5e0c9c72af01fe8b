using System.Text.Json;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Modular.Application.Common.Security;
using Modular.Infrastructure.Persistence;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Deliverability;

internal static class DeliverabilityTestSupport
{
    /// <summary>Sends a command through the service's own mediator, in a scope acting for <paramref name="organizationId"/> (null: no organization, as an anonymous request).</summary>
    public static async Task<T> SendInProcessAsync<T>(this ApiFactory api, long? organizationId, ICommand<T> command)
    {
        await using var scope = api.Services.CreateAsyncScope();
        if (organizationId is { } id)
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Set(id);
        }

        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }

    /// <summary>The service's token maker, to make tokens a test needs (one naming a contact that does not exist).</summary>
    public static MailTokens Tokens(this ApiFactory api) => api.Services.GetRequiredService<MailTokens>();

    /// <summary>Sends, waits until sent, and returns the email as MailDev received it.</summary>
    public static async Task<(JsonElement Sent, MimeMessage Received)> SendAndReceiveAsync(this TestOrganization organization, string to, object body)
    {
        var sent = await organization.SendAsync(body);
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(30), "sent");
        var received = Assert.Single(await MailDev.WaitForAsync(to));
        return (sent, await MailDev.SourceAsync(received));
    }

    /// <summary>The contact with this address.</summary>
    public static async Task<JsonElement> ContactAsync(this TestOrganization organization, string email) =>
        Assert.Single((await organization.Client.GetOkAsync($"/v1/contacts?email={Uri.EscapeDataString(email)}")).GetProperty("data").EnumerateArray());

    /// <summary>
    /// A report fixture (under <c>Deliverability/Fixtures</c>) about <paramref name="recipient"/> of the sent
    /// <paramref name="message"/> (as <c>GET /v1/messages/{id}</c> answers it), as raw MIME.
    /// </summary>
    public static byte[] ReportFixture(string fixture, JsonElement message, string recipient) =>
        ReportFixture(fixture, message.GetProperty("message_id").GetString()!, recipient, message.GetProperty("from").GetString()!);

    /// <summary>A report fixture with its placeholders filled: the original Message-ID, the recipient, the channel's address.</summary>
    public static byte[] ReportFixture(string fixture, string messageId, string recipient, string channel) =>
        System.Text.Encoding.ASCII.GetBytes(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Deliverability", "Fixtures", fixture))
            .Replace("{{MESSAGE_ID}}", messageId, StringComparison.Ordinal)
            .Replace("{{RECIPIENT}}", recipient, StringComparison.Ordinal)
            .Replace("{{CHANNEL}}", channel, StringComparison.Ordinal)
            .Replace("{{TO}}", channel, StringComparison.Ordinal));
}
