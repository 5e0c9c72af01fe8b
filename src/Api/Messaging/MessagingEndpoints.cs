using Mediator;
using Microsoft.AspNetCore.Mvc;
using Modular.Application.Common.Idempotency;
using Modular.Domain.Common;
using Modular.Api.Common;
using Modular.Application.Messaging;
using Modular.Application.Common.Validation;
using Modular.Application.Messaging.GetMessage;
using Modular.Application.Messaging.ListMessages;
using Modular.Application.Messaging.RetryMessage;
using Modular.Application.Messaging.SendChannelEmail;
using Modular.Application.Messaging.SendInboxEmail;
using Modular.Application.Scheduling.CancelMessage;
using Modular.Application.Scheduling.RescheduleMessage;

namespace Modular.Api.Messaging;

internal static class MessagingEndpoints
{
    /// <summary>The channel-style send as Scalar shows it: the demo channel of <c>./run.sh</c> to a new contact.</summary>
    private const string ChannelEmailExample = """
        {
          "from": "demo@modular.example.com",
          "to": "Carol <carol@customer.example.com>",
          "subject": "Your refund",
          "body": "<p>Thanks for reaching out! We have processed your refund.</p>",
          "cc": ["billing@customer.example.com"],
          "reply_to": "support@modular.example.com",
          "sender_name": "Modular Support",
          "conversation_status": "open",
          "local_id": "refund-10045"
        }
        """;

    /// <summary>The inbox-style send: a new thread from the demo inbox and user of <c>./run.sh</c> (a reply gives <c>convo_id</c> instead of <c>targets</c>).</summary>
    private const string InboxEmailExample = """
        {
          "creator_id": 6,
          "inbox": 5,
          "conv_title": "Your refund",
          "targets": ["to:carol@customer.example.com", "cc:billing@customer.example.com"],
          "text": "<p>Thanks for reaching out! We have processed your refund.</p>",
          "raw_text": "Thanks for reaching out! We have processed your refund.",
          "local_id": "refund-10046"
        }
        """;

    public static void MapMessagingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/messaging/email", async (
                SendChannelEmailCommand body,
                [FromHeader(Name = IdempotencyHeaders.Key)] string? idempotencyKey,
                [FromQuery(Name = "dry_run")] bool? dryRun,
                HttpContext http,
                ISender sender,
                CancellationToken ct) =>
            {
                var command = body with { LocalId = IdempotencyHeaders.KeyOf(body.LocalId, idempotencyKey), DryRun = dryRun == true };
                var result = await sender.SendIdempotentAsync(command, http, ct);
                return result is { IsSuccess: true, Value.Preview: { } preview }
                    ? TypedResults.Ok(preview)
                    : result.ToCreated(r => $"/v1/messages/{r.Data.Id}");
            })
            .WithName("sendChannelEmail")
            .WithTags("Messaging")
            .WithSummary("Send an email from a channel (now, or at schedule_at)")
            .WithDescription("Creates the contact and conversation when needed, threads the email into the contact's latest conversation on the channel, and queues its delivery. With dry_run=true: 200 with the raw MIME and the recipients it would go to; nothing is stored or sent.")
            .Produces<SendChannelEmailResponse>(StatusCodes.Status201Created)
            .Produces<EmailPreview>()
            .WithRequestExample(ChannelEmailExample);

        app.MapPost("/v1/email/send", async (
                SendInboxEmailCommand body,
                [FromHeader(Name = IdempotencyHeaders.Key)] string? idempotencyKey,
                [FromQuery(Name = "dry_run")] bool? dryRun,
                HttpContext http,
                ISender sender,
                CancellationToken ct) =>
            {
                var command = body with { LocalId = IdempotencyHeaders.KeyOf(body.LocalId, idempotencyKey), DryRun = dryRun == true };
                var result = await sender.SendIdempotentAsync(command, http, ct);
                return result is { IsSuccess: true, Value.Preview: { } preview } ? TypedResults.Ok(preview) : result.ToOk();
            })
            .WithName("sendInboxEmail")
            .WithTags("Messaging")
            .WithSummary("Send an email from an inbox: a new thread to targets, or a reply in convo_id")
            .WithDescription("Recipients opted out of the inbox's channel are left out and listed in compliance_results; queued is false when nobody is left. With dry_run=true: 200 with the raw MIME and the recipients it would go to; nothing is stored or sent.")
            .Produces<SendInboxEmailResponse>()
            .WithRequestExample(InboxEmailExample);

        var messages = app.MapGroup("/v1/messages").WithTags("Messages");

        messages.MapGet("/", async ([AsParameters] ListMessagesQuery query, ISender sender, CancellationToken ct) =>
                (await sender.Send(query, ct)).ToOk())
            .WithSummary("List messages; with status=scheduled, the upcoming sends soonest first")
            .Produces<ListResponse<MessageResponse>>();

        messages.MapPost("/{id:long}/cancel", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new CancelMessageCommand(id), ct)).ToOk())
            .WithSummary("Cancel a scheduled message (409 in any other status)")
            .Produces<MessageResponse>();

        messages.MapPatch("/{id:long}", async (long id, RescheduleRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(new RescheduleMessageCommand(id, body.ScheduleAt), ct)).ToOk())
            .WithSummary("Reschedule a scheduled message (409 in any other status)")
            .Produces<MessageResponse>();

        messages.MapGet("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new GetMessageQuery(id), ct)).ToOk())
            .WithSummary("Show a message with its delivery status and attempts")
            .Produces<MessageResponse>();

        messages.MapPost("/{id:long}/retry", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new RetryMessageCommand(id), ct)).ToOk())
            .WithSummary("Send an uncertain or failed message again (409 in any other status)")
            .Produces<MessageResponse>();
    }
}

/// <summary>The body of <c>PATCH /v1/messages/{id}</c>.</summary>
internal sealed record RescheduleRequest(string? ScheduleAt);

/// <summary>The IETF Idempotency-Key draft's headers.</summary>
internal static class IdempotencyHeaders
{
    public const string Key = "Idempotency-Key";
    public const string Replayed = "Idempotent-Replayed";

    /// <summary>The key of a request: <c>local_id</c> in the body, else the <c>Idempotency-Key</c> header.</summary>
    public static string? KeyOf(string? localId, string? header) => string.IsNullOrEmpty(localId) ? header : localId;

    /// <summary>Sends the command and adds <c>Idempotent-Replayed: true</c> when the answer is the stored first answer.</summary>
    public static async Task<Result<T>> SendIdempotentAsync<T>(this ISender sender, ICommand<Result<T>> command, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await sender.Send(command, cancellationToken);
        if (http.RequestServices.GetRequiredService<IdempotencyContext>().Replayed)
        {
            http.Response.Headers[Replayed] = "true";
        }

        return result;
    }
}
