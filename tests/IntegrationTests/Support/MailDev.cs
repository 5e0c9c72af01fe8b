using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// Reads what the real SMTP server (MailDev, started by test.sh) received, through its REST API.
/// Tests use unique recipient addresses, so they find their own email among everyone else's.
/// </summary>
public sealed class MailDev
{
    private static readonly HttpClient Http = new()
    {
        BaseAddress = new Uri(Environment.GetEnvironmentVariable("MailDev__ApiUrl") is { Length: > 0 } url ? url : "http://127.0.0.1:1080"),
        Timeout = TimeSpan.FromSeconds(10),
    };

    public static string SmtpHost => Environment.GetEnvironmentVariable("Smtp__Host") is { Length: > 0 } host ? host : "127.0.0.1";

    public static int SmtpPort => int.TryParse(Environment.GetEnvironmentVariable("Smtp__Port"), out var port) ? port : 1025;

    /// <summary>A fresh address nobody else sends to.</summary>
    public static string UniqueAddress(string name = "rcpt") => $"{name}-{Guid.NewGuid():N}@customer.example.com";

    /// <summary>Emails whose envelope included <paramref name="recipient"/> (To, Cc or Bcc).</summary>
    public static async Task<IReadOnlyList<ReceivedEmail>> ForRecipientAsync(string recipient)
    {
        var all = await Http.GetFromJsonAsync<JsonElement>("/api/email");
        var found = new List<ReceivedEmail>();
        foreach (var email in all.EnumerateArray())
        {
            var envelope = email.TryGetProperty("envelope", out var e) && e.TryGetProperty("to", out var to)
                ? to.EnumerateArray().Select(t => t.GetProperty("address").GetString()!).ToList()
                : [];
            if (envelope.Contains(recipient, StringComparer.OrdinalIgnoreCase))
            {
                found.Add(new ReceivedEmail(email.GetProperty("id").GetString()!, envelope));
            }
        }

        return found;
    }

    /// <summary>Waits until <paramref name="count"/> emails reached <paramref name="recipient"/>, then returns them.</summary>
    public static async Task<IReadOnlyList<ReceivedEmail>> WaitForAsync(string recipient, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var found = await ForRecipientAsync(recipient);
            if (found.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(found.Count >= count, $"Expected {count} email(s) to {recipient}, found {found.Count}.");
                return found;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The raw message as the server received it, parsed.</summary>
    public static async Task<MimeMessage> SourceAsync(ReceivedEmail email)
    {
        await using var stream = await Http.GetStreamAsync($"/api/email/{email.Id}/source");
        return await MimeMessage.LoadAsync(stream);
    }

    /// <summary>The raw bytes the server received.</summary>
    public static Task<byte[]> RawSourceAsync(ReceivedEmail email) => Http.GetByteArrayAsync($"/api/email/{email.Id}/source");
}

public sealed record ReceivedEmail(string Id, IReadOnlyList<string> EnvelopeRecipients);
