using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Modular.Application.Messaging.Ports;
using Modular.Infrastructure.Security;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>Limits of attachment downloads (<c>Attachments</c> section).</summary>
public sealed class AttachmentOptions
{
    public const string Section = "Attachments";

    public long MaxBytesPerFile { get; set; } = 10 * 1024 * 1024;

    public long MaxBytesTotal { get; set; } = 25 * 1024 * 1024;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRedirects { get; set; } = 3;

    /// <summary>
    /// Lets URLs reach loopback, private, link-local and other internal addresses. For tests only:
    /// off in every configuration the project ships.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}

/// <summary>
/// Downloads attachments over http(s). Every connection is checked after DNS resolution (so a name
/// that resolves to an internal address is refused, and so is every hop of a redirect, which is
/// followed by hand), and each file and the total are capped while reading.
/// </summary>
internal sealed class HttpAttachmentFetcher(IHttpClientFactory httpClients, IOptions<AttachmentOptions> options) : IAttachmentFetcher
{
    public const string ClientName = "attachments";

    public async Task<AttachmentFetchResult> FetchAllAsync(IReadOnlyList<string> urls, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = httpClients.CreateClient(ClientName);
        var fetched = new List<FetchedAttachment>(urls.Count);
        long total = 0;
        foreach (var url in urls)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.Timeout);
            try
            {
                var attachment = await FetchAsync(client, new Uri(url), settings, settings.MaxBytesTotal - total, timeout.Token);
                total += attachment.Content.Length;
                fetched.Add(attachment);
            }
            catch (AttachmentRefusedException refused)
            {
                return AttachmentFetchResult.Permanent($"{url}: {refused.Message}");
            }
            catch (HttpRequestException exception) when (exception.InnerException is AttachmentRefusedException refused)
            {
                return AttachmentFetchResult.Permanent($"{url}: {refused.Message}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return AttachmentFetchResult.Transient($"{url}: no answer within {settings.Timeout.TotalSeconds:0} s.");
            }
            catch (HttpRequestException exception)
            {
                return AttachmentFetchResult.Transient($"{url}: {exception.Message}");
            }
        }

        return AttachmentFetchResult.Success(fetched);
    }

    private static async Task<FetchedAttachment> FetchAsync(HttpClient client, Uri uri, AttachmentOptions settings, long budget, CancellationToken cancellationToken)
    {
        for (var hop = 0; ; hop++)
        {
            if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new AttachmentRefusedException("only http and https URLs are fetched.");
            }

            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                if (hop >= settings.MaxRedirects)
                {
                    throw new AttachmentRefusedException($"more than {settings.MaxRedirects} redirects.");
                }

                uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                continue;
            }

            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throw new HttpRequestException($"the server answered {(int)response.StatusCode}.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new AttachmentRefusedException($"the server answered {(int)response.StatusCode}.");
            }

            var limit = Math.Min(settings.MaxBytesPerFile, budget);
            if (response.Content.Headers.ContentLength > limit)
            {
                throw new AttachmentRefusedException(TooLarge(settings, budget));
            }

            var content = await ReadCappedAsync(response.Content, limit, cancellationToken)
                ?? throw new AttachmentRefusedException(TooLarge(settings, budget));
            return new FetchedAttachment(FileName(response.Content.Headers.ContentDisposition, uri), ContentType(response.Content.Headers.ContentType), content);
        }
    }

    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string TooLarge(AttachmentOptions settings, long budget) => budget < settings.MaxBytesPerFile
        ? $"the attachments exceed {settings.MaxBytesTotal / (1024 * 1024)} MiB in all."
        : $"the file exceeds {settings.MaxBytesPerFile / (1024 * 1024)} MiB.";

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string FileName(ContentDispositionHeaderValue? disposition, Uri uri)
    {
        var name = disposition?.FileNameStar ?? disposition?.FileName;
        name = name?.Trim('"');
        if (string.IsNullOrWhiteSpace(name))
        {
            name = Uri.UnescapeDataString(uri.Segments.LastOrDefault()?.Trim('/') ?? string.Empty);
        }

        name = Path.GetFileName(name.Replace('\\', '/'));
        return string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl) ? "attachment" : name;
    }

    private static string ContentType(MediaTypeHeaderValue? type) =>
        type?.MediaType is { Length: > 0 } media ? type.ToString() : "application/octet-stream";

    /// <summary>
    /// The connection step of the download client: the address guard resolves the host, refuses
    /// internal addresses and names that do not exist (unless allowed) and connects to an address it
    /// checked. Runs for every new connection, so for every redirect.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, AddressGuard guard, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        try
        {
            var socket = await guard.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, allowPrivateNetworks, cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }
        catch (AddressRefusedException refused)
        {
            throw new AttachmentRefusedException(refused.Message);
        }
    }
}

/// <summary>An attachment that must not be fetched (or cannot be, for good).</summary>
internal sealed class AttachmentRefusedException(string message) : Exception(message);
