using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Modular.Application.Webhooks;
using Modular.Application.Webhooks.Ports;
using Modular.Infrastructure.Security;

namespace Modular.Infrastructure.Webhooks;

/// <summary>
/// Posts signed events. Every connection goes through the address guard (after DNS resolution, at
/// connect time); redirects are not followed (a 3xx is a failure); the whole request, the answer's
/// first bytes included, is bounded by the timeout, and at most <see cref="WebhookOptions.ExcerptChars"/>
/// bytes of the answer are read, so a slow or huge answer never holds a worker longer.
/// </summary>
internal sealed class HttpWebhookSender(IHttpClientFactory clients, WebhookPolicy policy) : IWebhookSender
{
    public const string ClientName = "webhooks";

    public async Task<WebhookHttpOutcome> SendAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(policy.Timeout);
        int? status = null;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, request.Url)
            {
                Content = new StringContent(request.Body, Encoding.UTF8, "application/json"),
            };
            message.Headers.TryAddWithoutValidation("webhook-id", request.WebhookId);
            message.Headers.TryAddWithoutValidation("webhook-timestamp", request.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            message.Headers.TryAddWithoutValidation("webhook-signature", request.Signature);
            message.Headers.TryAddWithoutValidation("User-Agent", "Modular-Webhooks/1");
            using var response = await clients.CreateClient(ClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            var excerpt = await ExcerptAsync(response.Content, timeout.Token);
            var error = status is >= 300 and < 400
                ? $"Redirect ({status}) to {response.Headers.Location} not followed."
                : null;
            return new WebhookHttpOutcome(status, Stopwatch.GetElapsedTime(started), excerpt, error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookHttpOutcome(null, Stopwatch.GetElapsedTime(started), null, $"No answer within {policy.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException exception)
        {
            var reason = exception.InnerException is AddressRefusedException refused
                ? $"Refused by the address guard: {refused.Message}"
                : exception.InnerException is SocketException socket ? $"Connection failed: {socket.Message}" : exception.Message;
            return new WebhookHttpOutcome(null, Stopwatch.GetElapsedTime(started), null, reason);
        }
    }

    /// <summary>The first bytes of the answer, as far as they come within the timeout.</summary>
    private static async Task<string?> ExcerptAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = new byte[WebhookOptions.ExcerptChars];
        var length = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            // The status decided the outcome; the excerpt is what came in time.
        }

        if (length == 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(buffer, 0, length);
        return text.Length > WebhookOptions.ExcerptChars ? text[..WebhookOptions.ExcerptChars] : text;
    }

    /// <summary>The connection step of the webhook client: the guard resolves, checks and connects.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, AddressGuard guard, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        var socket = await guard.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, allowPrivateNetworks, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }
}
