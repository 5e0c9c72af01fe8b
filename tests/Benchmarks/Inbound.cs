using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Modular.Benchmarks;

/// <summary>
/// Inbound ingestion, from the two ways in: <c>raw</c>, N emails posted to
/// <c>POST /v1/channels/{id}/inbound</c> by concurrent clients (messages/s of 202 answers); <c>imap</c>, N
/// emails waiting in a Dovecot folder before a channel is given that mailbox (messages/s from the moment the
/// mailbox is set until the last is stored). Each email comes from a new sender, so each is a new contact
/// and conversation: the dearest case of the use case.
/// </summary>
internal sealed record InboundResult(string Source, int Messages, int Stored, int Errors, double? Seconds, double? PerSecond, string? Note);

/// <summary>Where the benchmark's IMAP mailbox lives: the local Dovecot of <c>./bench.sh</c>.</summary>
internal sealed record ImapTarget(string Host, int Port, string Username, string Password)
{
    public static ImapTarget? FromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("MODULAR_BENCH_IMAP_PORT"), out var port)
            ? new ImapTarget("127.0.0.1", port, "modular", "modular")
            : null;
}

internal static class InboundBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<InboundResult> RawAsync(Uri baseAddress, string apiKey, long runId, int count, int concurrency)
    {
        using var client = Client(baseAddress, apiKey);
        var channelId = await CreateChannelAsync(client, $"bench-raw-{runId}@{DeliveryTracker.Domain}", imap: null);
        var next = -1;
        var stored = 0;
        var errors = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var content = new ByteArrayContent(Email(runId, "raw", i));
                content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
                using var response = await client.PostAsync($"/v1/channels/{channelId}/inbound", content);
                _ = response.StatusCode == HttpStatusCode.Accepted ? Interlocked.Increment(ref stored) : Interlocked.Increment(ref errors);
            }
        }));
        var seconds = watch.Elapsed.TotalSeconds;
        return new InboundResult("raw", count, stored, errors, Math.Round(seconds, 2), Math.Round(stored / seconds, 1), null);
    }

    public static async Task<InboundResult> ImapAsync(Uri baseAddress, string apiKey, long runId, int count, ImapTarget? target, TimeSpan timeout)
    {
        if (target is null)
        {
            return new InboundResult("imap", count, 0, 0, null, null, "skipped: no MODULAR_BENCH_IMAP_PORT (./bench.sh starts Dovecot and sets it)");
        }

        // The mailbox fills first, with the channel not yet watching it.
        var folderName = $"bench-{runId}";
        using (var imap = new ImapClient())
        {
            await imap.ConnectAsync(target.Host, target.Port, SecureSocketOptions.None);
            await imap.AuthenticateAsync(target.Username, target.Password);
            var root = imap.GetFolder(imap.PersonalNamespaces[0]) ?? throw new InvalidOperationException("The IMAP server has no personal namespace.");
            var folder = await root.CreateAsync(folderName, isMessageFolder: true) ?? throw new InvalidOperationException($"The IMAP folder {folderName} could not be created.");
            const int Chunk = 500;
            for (var start = 0; start < count; start += Chunk)
            {
                var requests = Enumerable.Range(start, Math.Min(Chunk, count - start))
                    .Select(i => (IAppendRequest)new AppendRequest(MimeMessage.Load(new MemoryStream(Email(runId, "imap", i)))))
                    .ToList();
                await folder.AppendAsync(requests);
            }

            await imap.DisconnectAsync(true);
        }

        using var client = Client(baseAddress, apiKey);
        var watch = Stopwatch.StartNew();
        var channelId = await CreateChannelAsync(client, $"bench-imap-{runId}@{DeliveryTracker.Domain}", new Dictionary<string, object>
        {
            ["host"] = target.Host, ["port"] = target.Port, ["security"] = "none",
            ["username"] = target.Username, ["password"] = target.Password, ["folder"] = folderName,
        });
        var stored = 0;
        while (watch.Elapsed < timeout)
        {
            stored = await ConversationCountAsync(client, channelId);
            if (stored >= count)
            {
                break;
            }

            await Task.Delay(250);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return new InboundResult("imap", count, stored, 0, Math.Round(seconds, 2), Math.Round(stored / seconds, 1),
            stored < count ? $"only {stored} of {count} stored within {timeout.TotalSeconds:0} s" : "from the mailbox being set to the last message stored (discovery included)");
    }

    private static byte[] Email(long runId, string source, int i) => Encoding.ASCII.GetBytes(
        $"From: Sender {i} <sender-{runId}-{source}-{i}@customer.example.com>\r\n" +
        $"To: bench@{DeliveryTracker.Domain}\r\n" +
        $"Subject: Question {i}\r\n" +
        $"Date: {DateTimeOffset.UtcNow:R}\r\n" +
        $"Message-ID: <bench-{runId}-{source}-{i}@customer.example.com>\r\n" +
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" +
        $"Hello, this is question number {i}. Could you tell me when my order ships?\r\n");

    private static HttpClient Client(Uri baseAddress, string apiKey)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    private static async Task<long> CreateChannelAsync(HttpClient client, string email, Dictionary<string, object>? imap)
    {
        var body = new Dictionary<string, object> { ["name"] = "Benchmark, inbound", ["email"] = email, ["sender_name"] = "Benchmark" };
        if (imap is not null)
        {
            body["imap"] = imap;
        }

        using var response = await client.PostAsJsonAsync("/v1/channels", body, Json);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /v1/channels answered {(int)response.StatusCode}: {text}");
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("id").GetInt64();
    }

    private static async Task<int> ConversationCountAsync(HttpClient client, long channelId)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync($"/v1/conversations?channel_id={channelId}&limit=1"));
        return document.RootElement.GetProperty("total").GetInt32();
    }
}
