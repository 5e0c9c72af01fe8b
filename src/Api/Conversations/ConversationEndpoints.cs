using Mediator;
using Microsoft.AspNetCore.Mvc;
using Modular.Api.Common;
using Modular.Application.Common.Validation;
using Modular.Application.Conversations;
using Modular.Application.Conversations.GetConversation;
using Modular.Application.Conversations.ListConversationMessages;
using Modular.Application.Conversations.ListConversations;
using Modular.Application.Conversations.UpdateConversation;
using Modular.Application.Messaging;

namespace Modular.Api.Conversations;

internal static class ConversationEndpoints
{
    public static void MapConversationEndpoints(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/v1/conversations").WithTags("Conversations");

        conversations.MapGet("/", async (
                [FromQuery(Name = "status[]")] string[]? statusList,
                [FromQuery(Name = "status")] string[]? status,
                [FromQuery(Name = "channel_id")] long? channelId,
                [FromQuery(Name = "inbox_id")] long? inboxId,
                [FromQuery(Name = "contact_id")] long? contactId,
                int? limit,
                int? offset,
                string? order,
                ISender sender,
                CancellationToken ct) =>
            {
                // status[]=open&status[]=closed (also plain status=open).
                string[] statuses = [.. statusList ?? [], .. status ?? []];
                var query = new ListConversationsQuery(statuses, channelId, inboxId, contactId, limit, offset, order);
                return (await sender.Send(query, ct)).ToOk();
            })
            .WithSummary("List conversations, most recently active first (order=-last_message_at), or by order=last_message_at, -created_at, created_at")
            .Produces<ListResponse<ConversationResponse>>();

        conversations.MapGet("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new GetConversationQuery(id), ct)).ToOk())
            .WithSummary("Show a conversation with its participants and latest messages")
            .Produces<ConversationResponse>();

        conversations.MapGet("/{id:long}/messages", async (long id, int? limit, int? offset, ISender sender, CancellationToken ct) =>
                (await sender.Send(new ListConversationMessagesQuery(id, limit, offset), ct)).ToOk())
            .WithSummary("List a conversation's messages, oldest first")
            .Produces<ListResponse<MessageResponse>>();

        conversations.MapPut("/{id:long}", async (long id, UpdateConversationRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(new UpdateConversationCommand(id, body.Status), ct)).ToOk())
            .WithSummary("Change a conversation's status (open, closed, automated, spam)")
            .Produces<ConversationResponse>();
    }
}

internal sealed record UpdateConversationRequest(string? Status);
