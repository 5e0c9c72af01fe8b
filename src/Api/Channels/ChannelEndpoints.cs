using Mediator;
using Modular.Api.Common;
using Modular.Application.Channels;
using Modular.Application.Channels.CreateChannel;
using Modular.Application.Channels.GetChannel;
using Modular.Application.Channels.ListChannels;
using Modular.Application.Channels.UpdateChannel;
using Modular.Application.Common.Validation;

namespace Modular.Api.Channels;

internal static class ChannelEndpoints
{
    public static void MapChannelEndpoints(this IEndpointRouteBuilder app)
    {
        var channels = app.MapGroup("/v1/channels").WithTags("Channels");

        channels.MapPost("/", async (CreateChannelCommand body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body, ct)).ToCreated(c => $"/v1/channels/{c.Id}"))
            .WithSummary("Create a channel (an address to send from, with its SMTP relay, and optionally an IMAP mailbox it receives on)")
            .Produces<ChannelResponse>(StatusCodes.Status201Created);

        channels.MapGet("/", async ([AsParameters] ListChannelsQuery query, ISender sender, CancellationToken ct) =>
                (await sender.Send(query, ct)).ToOk())
            .WithSummary("List channels")
            .Produces<ListResponse<ChannelResponse>>();

        channels.MapGet("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new GetChannelQuery(id), ct)).ToOk())
            .WithSummary("Show a channel")
            .Produces<ChannelResponse>();

        channels.MapPatch("/{id:long}", async (long id, UpdateChannelRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body.ToCommand(id), ct)).ToOk())
            .WithSummary("Change a channel's name, address, sender name or relay")
            .Produces<ChannelResponse>();
    }
}

/// <summary>The body of <c>PATCH /v1/channels/{id}</c>: only the fields given change.</summary>
internal sealed record UpdateChannelRequest(string? Name, string? Email, string? SenderName, SmtpInput? Smtp, bool? UseDefaultRelay, ImapInput? Imap = null, bool? RemoveImap = null)
{
    public UpdateChannelCommand ToCommand(long id) => new(id, Name, Email, SenderName, Smtp, UseDefaultRelay, Imap, RemoveImap);
}
