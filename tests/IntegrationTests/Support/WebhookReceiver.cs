using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Modular.IntegrationTests.Support;

/// <summary>One request a receiver got: the Standard Webhooks headers, the raw body, when, and what it answered.</summary>
public sealed record ReceivedWebhook(string? Id, string? Timestamp, string? Signature, string Body, DateTimeOffset At, int AnsweredWith)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Type => Json.GetProperty("type").GetString()!;

    public JsonElement Data => Json.GetProperty("data");
}

/// <summary>
/// A real HTTP receiver on a loopback socket (HttpListener): records every request and answers what
/// the test chooses (<see cref="Answer"/>: a status per request), optionally holding every answer until
/// <see cref="Release"/> (as a receiver that never answers, up to the service's timeout).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private volatile TaskCompletionSource _held = CompletedSource();

    public WebhookReceiver()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hooks";

    /// <summary>The status to answer a request with (given the requests with its webhook-id so far, this one included); 204 by default.</summary>
    public Func<string?, int, int> Answer { get; set; } = (_, _) => 204;

    /// <summary>How long to wait before answering each request.</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>A body to answer with (a huge one, for the service's read limit).</summary>
    public byte[]? AnswerBody { get; set; }

    /// <summary>The <c>Location</c> of the answer (with a 3xx from <see cref="Answer"/>).</summary>
    public string? Location { get; set; }

    /// <summary>Every request received so far, answered or not (a held request is in with status 0).</summary>
    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>The requests answered with a 2xx.</summary>
    public IReadOnlyList<ReceivedWebhook> Delivered => [.. _received.Where(r => r.AnsweredWith is >= 200 and < 300)];

    /// <summary>From now on, every answer waits until <see cref="Release"/>.</summary>
    public void Hold() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _held.TrySetResult();

    /// <summary>Waits until <paramref name="done"/> holds for the requests delivered so far.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var delivered = Delivered;
            if (done(delivered))
            {
                return delivered;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not received within {timeout}: {what}. Got {Received.Count} request(s): "
                    + string.Join(", ", Received.Select(r => $"{r.Id} {SafeType(r)} → {r.AnsweredWith}")));
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _listener.Close();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var id = context.Request.Headers["webhook-id"];
            var held = _held;
            if (!held.Task.IsCompleted)
            {
                _received.Enqueue(new ReceivedWebhook(id, context.Request.Headers["webhook-timestamp"], context.Request.Headers["webhook-signature"], body, DateTimeOffset.UtcNow, 0));
                await held.Task.WaitAsync(_stop.Token);
                context.Response.Abort();
                return;
            }

            var status = Answer(id, _received.Count(r => r.Id == id) + 1);
            _received.Enqueue(new ReceivedWebhook(id, context.Request.Headers["webhook-timestamp"], context.Request.Headers["webhook-signature"], body, DateTimeOffset.UtcNow, status));
            if (AnswerDelay > TimeSpan.Zero)
            {
                await Task.Delay(AnswerDelay, _stop.Token);
            }

            context.Response.StatusCode = status;
            if (Location is not null)
            {
                context.Response.RedirectLocation = Location;
            }

            if (AnswerBody is { } answer)
            {
                context.Response.ContentLength64 = answer.Length;
                await context.Response.OutputStream.WriteAsync(answer, _stop.Token);
            }

            context.Response.Close();
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The service gave up on the request, or the test ended.
        }
    }

    private static string SafeType(ReceivedWebhook received)
    {
        try
        {
            return received.Type;
        }
        catch (JsonException)
        {
            return "?";
        }
    }

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Standard Webhooks verification written from the specification (https://www.standardwebhooks.com,
/// "Verifying webhook authenticity"), independent of the service's code: the signed content is
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>; the key is the base64 decoding of the secret after
/// its <c>whsec_</c> prefix; <c>webhook-signature</c> is a space-delimited list of <c>v1,&lt;base64&gt;</c>.
/// </summary>
public static class StandardWebhooks
{
    /// <summary>The signatures of the header that match <paramref name="secret"/> (constant-time comparison).</summary>
    public static int MatchingSignatures(string secret, string? id, string? timestamp, string body, string? header)
    {
        if (id is null || timestamp is null || header is null)
        {
            return 0;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var hmac = new System.Security.Cryptography.HMACSHA256(key);
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        var matching = 0;
        foreach (var part in header.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = part.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || part[..comma] != "v1")
            {
                continue;
            }

            byte[] given;
            try
            {
                given = Convert.FromBase64String(part[(comma + 1)..]);
            }
            catch (FormatException)
            {
                continue;
            }

            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, expected))
            {
                matching++;
            }
        }

        return matching;
    }

    /// <summary>True when a signature matches and the timestamp is within five minutes of now (the specification's replay tolerance).</summary>
    public static bool IsValid(string secret, ReceivedWebhook received) =>
        MatchingSignatures(secret, received.Id, received.Timestamp, received.Body, received.Signature) > 0
        && long.TryParse(received.Timestamp, out var seconds)
        && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) <= 300;
}
