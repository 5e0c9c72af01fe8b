using Mediator;
using Modular.Api.Common;
using Modular.Application.Common.Validation;
using Modular.Application.Webhooks;
using Modular.Application.Webhooks.CreateWebhook;
using Modular.Application.Webhooks.DeleteWebhook;
using Modular.Application.Webhooks.GetWebhook;
using Modular.Application.Webhooks.ListWebhookDeliveries;
using Modular.Application.Webhooks.ListWebhooks;
using Modular.Application.Webhooks.Ports;
using Modular.Application.Webhooks.ReplayWebhookDelivery;
using Modular.Application.Webhooks.RotateWebhookSecret;
using Modular.Application.Webhooks.UpdateWebhook;
using Modular.Domain.Webhooks;

namespace Modular.Api.Webhooks;

internal static class WebhookEndpoints
{
    public static void MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/v1/webhooks").WithTags("Webhooks");

        webhooks.MapPost("/", async (CreateWebhookCommand body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body, ct)).ToCreated(w => $"/v1/webhooks/{w.Id}"))
            .WithSummary("Add a webhook endpoint (its secret is in this answer only)")
            .WithDescription(WebhookEndpointsCatalog.Signing)
            .Produces<WebhookResponse>(StatusCodes.Status201Created);

        webhooks.MapGet("/", async ([AsParameters] ListWebhooksQuery query, ISender sender, CancellationToken ct) =>
                (await sender.Send(query, ct)).ToOk())
            .WithSummary("List webhook endpoints")
            .Produces<ListResponse<WebhookResponse>>();

        webhooks.MapGet("/event_types", () => TypedResults.Ok(WebhookEndpointsCatalog.EventTypes))
            .WithSummary("The event types and the shape of their data")
            .WithDescription("The body of every request is a WebhookEnvelope; message.* events carry MessageEventData as data (message.bounced and message.complained: MessageReportEventData), contact.* events ContactEventData (see the components and the webhooks section of this document).")
            .Produces<IReadOnlyList<WebhookEventTypeResponse>>();

        webhooks.MapGet("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new GetWebhookQuery(id), ct)).ToOk())
            .WithSummary("Show a webhook endpoint")
            .Produces<WebhookResponse>();

        webhooks.MapPatch("/{id:long}", async (long id, UpdateWebhookRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body.ToCommand(id), ct)).ToOk())
            .WithSummary("Change a webhook endpoint's url, events, description or enabled")
            .Produces<WebhookResponse>();

        webhooks.MapDelete("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new DeleteWebhookCommand(id), ct)) is { IsFailure: true } failed ? failed.Error!.ToProblem() : TypedResults.NoContent())
            .WithSummary("Delete a webhook endpoint with its pending deliveries and log")
            .Produces(StatusCodes.Status204NoContent);

        webhooks.MapPost("/{id:long}/rotate_secret", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new RotateWebhookSecretCommand(id), ct)).ToOk())
            .WithSummary("Issue a new signing secret; the old one keeps signing alongside it for 24 hours")
            .Produces<WebhookResponse>();

        webhooks.MapGet("/{id:long}/deliveries", async (long id, int? limit, int? offset, ISender sender, CancellationToken ct) =>
                (await sender.Send(new ListWebhookDeliveriesQuery(id, limit, offset), ct)).ToOk())
            .WithSummary("The endpoint's delivery attempts, newest first")
            .Produces<ListResponse<WebhookAttemptResponse>>();

        webhooks.MapPost("/{id:long}/deliveries/{attemptId:long}/replay", async (long id, long attemptId, ISender sender, CancellationToken ct) =>
            {
                var replayed = await sender.Send(new ReplayWebhookDeliveryCommand(id, attemptId), ct);
                return replayed.IsSuccess ? TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", replayed.Value) : replayed.Error!.ToProblem();
            })
            .WithSummary("Send that attempt's event again (same webhook-id)")
            .Produces<ReplayResponse>(StatusCodes.Status202Accepted);
    }
}

/// <summary>The event types with their meaning, and how requests are signed: for the API and the OpenAPI document.</summary>
internal static class WebhookEndpointsCatalog
{
    public const string Signing =
        "Each request is a POST of a JSON body { id, type, timestamp, data } signed as Standard Webhooks: headers webhook-id (the event id, the same on every retry), " +
        "webhook-timestamp (Unix seconds) and webhook-signature (v1,<base64 HMAC-SHA256 of \"{id}.{timestamp}.{body}\"> keyed with the base64-decoded part of the secret after whsec_; " +
        "two signatures, space-separated, for 24 h after a rotation). A 2xx within 15 s is success; anything else, redirects included, is retried for about 27 hours.";

    public static readonly IReadOnlyList<WebhookEventTypeResponse> EventTypes =
    [
        new(WebhookEventTypes.MessageSent, "The server accepted the message (for the recipients it took).", "MessageEventData"),
        new(WebhookEventTypes.MessageFailed, "The message failed for good: a permanent refusal, or no retry left.", "MessageEventData"),
        new(WebhookEventTypes.MessageUncertain, "The connection broke after the handover: the server may have the message.", "MessageEventData"),
        new(WebhookEventTypes.MessageBlocked, "No recipient may be sent to (opted out), at acceptance or at send time.", "MessageEventData"),
        new(WebhookEventTypes.MessageCanceled, "A scheduled message was canceled (reason: canceled_by_request, contact_replied for a follow-up the contact answered first, or contact_erased).", "MessageEventData"),
        new(WebhookEventTypes.MessageReceived, "An inbound email was stored in its conversation (a reply or a new email; auto_reply says whether it was automatic).", "MessageEventData"),
        new(WebhookEventTypes.MessageBounced, "A recipient of a sent message was reported undeliverable (an RFC 3464 bounce).", "MessageReportEventData"),
        new(WebhookEventTypes.MessageComplained, "A recipient of a sent message complained about it (an RFC 5965 feedback report).", "MessageReportEventData"),
        new(WebhookEventTypes.ContactOptedIn, "A contact opted in to a channel.", "ContactEventData"),
        new(WebhookEventTypes.ContactOptedOut, "A contact opted out of a channel (source: api, unsubscribe_link, unsubscribe_email, complaint…).", "ContactEventData"),
        new(WebhookEventTypes.ContactUnsubscribed, "A contact unsubscribed through a message's List-Unsubscribe link or mailto address (also sent as contact.opted_out).", "ContactEventData"),
        new(WebhookEventTypes.ContactErased, "A contact was erased (DELETE /v1/contacts/{id}); only its id is sent, so a receiver can erase its own copy.", "ContactErasedEventData"),
    ];

    public static IEnumerable<(string Type, string Data)> Types => EventTypes.Select(t => (t.Type, t.DataSchema));
}

/// <summary>An event type, what it means and the schema of its <c>data</c>.</summary>
internal sealed record WebhookEventTypeResponse(string Type, string Description, string DataSchema);

/// <summary>The body of <c>PATCH /v1/webhooks/{id}</c>: only the fields given change.</summary>
internal sealed record UpdateWebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description, bool? Enabled)
{
    public UpdateWebhookCommand ToCommand(long id) => new(id, Url, Events, Description, Enabled);
}
