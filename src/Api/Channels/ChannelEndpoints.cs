using Mediator;
using Modular.Api.Common;
using Modular.Application.Channels;
using Modular.Application.Channels.ArchiveChannel;
using Modular.Application.Channels.CreateChannel;
using Modular.Application.Channels.CreateDkimKey;
using Modular.Application.Channels.DeleteDkimKey;
using Modular.Application.Channels.GetDkimKey;
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

        channels.MapDelete("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new ArchiveChannelCommand(id), ct)).ToOk())
            .WithSummary("Archive a channel: new sends from it are refused (422), its history stays readable, what it accepted is delivered")
            .Produces<ChannelResponse>();

        channels.MapPatch("/{id:long}", async (long id, UpdateChannelRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body.ToCommand(id), ct)).ToOk())
            .WithSummary("Change a channel's name, address, sender name, relay, list_unsubscribe or verp_return_path")
            .Produces<ChannelResponse>();

        channels.MapPost("/{id:long}/dkim", async (long id, DkimRequest? body, ISender sender, CancellationToken ct) =>
                (await sender.Send(new CreateDkimKeyCommand(id, body?.Selector), ct)).ToCreated(_ => $"/v1/channels/{id}/dkim"))
            .WithSummary("Make a new RSA-2048 DKIM key for the channel (replacing any) and sign its email with it; answers the DNS record to publish")
            .Produces<DkimResponse>(StatusCodes.Status201Created);

        channels.MapGet("/{id:long}/dkim", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new GetDkimKeyQuery(id), ct)).ToOk())
            .WithSummary("Show the channel's DKIM selector and DNS record")
            .Produces<DkimResponse>();

        channels.MapDelete("/{id:long}/dkim", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new DeleteDkimKeyCommand(id), ct)).ToNoContent())
            .WithSummary("Stop signing the channel's email and forget its key")
            .Produces(StatusCodes.Status204NoContent);
    }
}

/// <summary>The body of <c>POST /v1/channels/{id}/dkim</c>: the selector, else <c>modular&lt;yyyyMM&gt;</c>.</summary>
internal sealed record DkimRequest(string? Selector);

/// <summary>The body of <c>PATCH /v1/channels/{id}</c>: only the fields given change.</summary>
internal sealed record UpdateChannelRequest(string? Name, string? Email, string? SenderName, SmtpInput? Smtp, bool? UseDefaultRelay, ImapInput? Imap = null, bool? RemoveImap = null, string? ListUnsubscribe = null, bool? VerpReturnPath = null)
{
    public UpdateChannelCommand ToCommand(long id) => new(id, Name, Email, SenderName, Smtp, UseDefaultRelay, Imap, RemoveImap, ListUnsubscribe, VerpReturnPath);
}
