using System.Globalization;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Modular.Api.Common;
using Modular.Application.Common.Persistence;
using Modular.Application.Messaging.GetMessageSource;
using Modular.Application.Messaging;

namespace Modular.Api.Messaging;

/// <summary>Inbound email over HTTP, and the bytes of messages: raw sources and attachments.</summary>
internal static class InboundEndpoints
{
    public const long DefaultMaxBytes = 25L * 1024 * 1024;

    /// <summary>The largest email <c>POST /v1/channels/{id}/inbound</c> takes (<c>Inbound:MaxBytes</c>, 25 MiB by default).</summary>
    public static long MaxBytes(IConfiguration configuration)
    {
        var max = configuration.GetValue("Inbound:MaxBytes", DefaultMaxBytes);
        return max > 0 ? max : throw new InvalidOperationException("Inbound:MaxBytes must be positive.");
    }

    public static void MapInboundEndpoints(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        var maxBytes = MaxBytes(configuration);

        app.MapPost("/v1/channels/{id:long}/inbound", async (long id, HttpContext http, InboundEmails inbound, ICurrentTenant tenant, CancellationToken ct) =>
            {
                if (!IsMessage(http.Request.ContentType))
                {
                    return TypedResults.Problem(
                        title: "Unsupported media type",
                        detail: "The body must be a raw email with Content-Type: message/rfc822.",
                        statusCode: StatusCodes.Status415UnsupportedMediaType);
                }

                var raw = await ReadAtMostAsync(http.Request.Body, maxBytes, ct);
                if (raw is null)
                {
                    // The client may still be sending: close the connection instead of reading the rest.
                    http.Response.Headers.Connection = "close";
                    return TooLarge(maxBytes);
                }

                var result = await inbound.ReceiveAsync(tenant.OrganizationId, id, raw, ct);
                return result.IsSuccess
                    ? TypedResults.Accepted(result.Value.Kind == "message" ? $"/v1/messages/{result.Value.Id}" : null, result.Value)
                    : result.Error!.ToProblem();
            })
            .WithMetadata(new RequestSizeLimitAttribute(maxBytes))
            .WithTags("Inbound")
            .WithSummary("Receive a raw email (message/rfc822) on a channel, as an MTA pipe or a forwarding service would")
            .WithDescription("Threads it into its conversation (In-Reply-To, References, then the subject), creating the contact and conversation when needed: kind message. 202 with duplicate: true when this Message-ID was stored on the channel before. Bounces and complaints (multipart/report, or mail to a VERP return path) are recorded on the original message instead (kind delivery_report), and mail to a List-Unsubscribe mailto address opts the contact out (kind unsubscribe); outcome says applied or ignored. 413 over Inbound:MaxBytes, 422 for a body that is not an email.")
            .Accepts<byte[]>("message/rfc822")
            .Produces<InboundResponse>(StatusCodes.Status202Accepted);

        var messages = app.MapGroup("/v1/messages").WithTags("Messages");

        messages.MapGet("/{id:long}/raw", async (long id, ISender sender, CancellationToken ct) =>
            {
                var file = await sender.Send(new GetMessageSourceQuery(id), ct);
                return file.IsSuccess ? TypedResults.Bytes(file.Value.Content, file.Value.ContentType) : file.Error!.ToProblem();
            })
            .WithSummary("The raw source of a message (message/rfc822): as received, or the exact bytes handed to SMTP")
            .Produces<byte[]>(contentType: "message/rfc822");

        messages.MapGet("/{id:long}/attachments/{index:int}", async (long id, int index, ISender sender, CancellationToken ct) =>
            {
                var file = await sender.Send(new GetMessageAttachmentQuery(id, index), ct);
                return file.IsSuccess
                    ? TypedResults.File(file.Value.Content, file.Value.ContentType, file.Value.FileName ?? string.Create(CultureInfo.InvariantCulture, $"attachment-{index}"))
                    : file.Error!.ToProblem();
            })
            .WithSummary("Download an attachment of an inbound message (index from 0, as in attachment_files)")
            .Produces<byte[]>(contentType: "application/octet-stream");
    }

    private static bool IsMessage(string? contentType) =>
        contentType is not null && contentType.Split(';', 2)[0].Trim().Equals("message/rfc822", StringComparison.OrdinalIgnoreCase);

    /// <summary>The body, read in chunks; null as soon as it is longer than <paramref name="max"/> (the rest is never read).</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream body, long max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    private static IResult TooLarge(long max) =>
        TypedResults.Problem(
            title: "Request too large",
            detail: string.Create(CultureInfo.InvariantCulture, $"An inbound email has at most {max} bytes (Inbound:MaxBytes)."),
            statusCode: StatusCodes.Status413PayloadTooLarge);
}
