using Mediator;
using Modular.Api.Common;
using Modular.Application.Common.Validation;
using Modular.Application.Inboxes;
using Modular.Application.Inboxes.CreateInbox;
using Modular.Application.Inboxes.GetInbox;
using Modular.Application.Inboxes.ListInboxes;
using Modular.Application.Inboxes.UpdateInbox;

namespace Modular.Api.Inboxes;

internal static class InboxEndpoints
{
    public static void MapInboxEndpoints(this IEndpointRouteBuilder app)
    {
        var inboxes = app.MapGroup("/v1/inboxes").WithTags("Inboxes");

        inboxes.MapPost("/", async (CreateInboxCommand body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body, ct)).ToCreated(i => $"/v1/inboxes/{i.Id}"))
            .WithSummary("Create an inbox backed by a channel")
            .Produces<InboxResponse>(StatusCodes.Status201Created);

        inboxes.MapGet("/", async ([AsParameters] ListInboxesQuery query, ISender sender, CancellationToken ct) =>
                (await sender.Send(query, ct)).ToOk())
            .WithSummary("List inboxes")
            .Produces<ListResponse<InboxResponse>>();

        inboxes.MapPatch("/{id:long}", async (long id, UpdateInboxRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(new UpdateInboxCommand(id, body.Name, body.ChannelId), ct)).ToOk())
            .WithSummary("Rename an inbox (its channel cannot change)")
            .Produces<InboxResponse>();

        inboxes.MapGet("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new GetInboxQuery(id), ct)).ToOk())
            .WithSummary("Show an inbox")
            .Produces<InboxResponse>();
    }
}

/// <summary>The body of PATCH /v1/inboxes/{id}; <c>channel_id</c> is refused (an inbox keeps its channel).</summary>
internal sealed record UpdateInboxRequest(string? Name, long? ChannelId);
