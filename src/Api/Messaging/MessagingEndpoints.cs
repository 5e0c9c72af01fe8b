using Mediator;
using Modular.Api.Common;
using Modular.Application.Messaging;
using Modular.Application.Messaging.GetMessage;
using Modular.Application.Messaging.RetryMessage;
using Modular.Application.Messaging.SendChannelEmail;

namespace Modular.Api.Messaging;

internal static class MessagingEndpoints
{
    public static void MapMessagingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/messaging/email", async (SendChannelEmailCommand body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body, ct)).ToCreated(r => $"/v1/messages/{r.Data.Id}"))
            .WithTags("Messaging")
            .WithSummary("Send an email from a channel (now, or at schedule_at)")
            .WithDescription("Creates the contact and conversation when needed, threads the email into the contact's latest conversation on the channel, and queues its delivery.")
            .Produces<SendChannelEmailResponse>(StatusCodes.Status201Created);

        var messages = app.MapGroup("/v1/messages").WithTags("Messages");

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
