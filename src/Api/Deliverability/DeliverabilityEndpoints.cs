using System.Net;
using Mediator;
using Modular.Api.Common;
using Modular.Application.Common.Validation;
using Modular.Application.Deliverability;
using Modular.Application.Deliverability.AddSuppression;
using Modular.Application.Deliverability.ListSuppressions;
using Modular.Application.Deliverability.RemoveSuppression;
using Modular.Application.Deliverability.Unsubscribe;

namespace Modular.Api.Deliverability;

internal static class DeliverabilityEndpoints
{
    public static void MapDeliverabilityEndpoints(this IEndpointRouteBuilder app)
    {
        var suppressions = app.MapGroup("/v1/suppressions").WithTags("Suppressions");

        suppressions.MapGet("/", async ([AsParameters] ListSuppressionsQuery query, ISender sender, CancellationToken ct) =>
                (await sender.Send(query, ct)).ToOk())
            .WithSummary("List suppressed addresses, optionally by email or reason (hard_bounce, soft_bounce, complaint, manual)")
            .Produces<ListResponse<SuppressionResponse>>();

        suppressions.MapPost("/", async (AddSuppressionCommand body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body, ct)).ToCreated(s => $"/v1/suppressions?email={Uri.EscapeDataString(s.Email)}"))
            .WithSummary("Suppress an address by hand: nothing is sent to it on any channel")
            .Produces<SuppressionResponse>(StatusCodes.Status201Created);

        suppressions.MapDelete("/{email}", async (string email, ISender sender, CancellationToken ct) =>
                (await sender.Send(new RemoveSuppressionCommand(email), ct)).ToNoContent())
            .WithSummary("Take an address off the suppression list")
            .Produces(StatusCodes.Status204NoContent);

        // One-click unsubscribe (RFC 8058): no API key; the signed token is the authority. A GET (which
        // link scanners follow) only shows a page whose button posts.
        var unsubscribe = app.MapGroup("/u").WithTags("Unsubscribe").AllowAnonymous().ExcludeFromDescription();

        unsubscribe.MapPost("/{token}", async (string token, ISender sender, CancellationToken ct) =>
            (await sender.Send(new UnsubscribeCommand(token, Apply: true), ct)) is { IsSuccess: true } done
                ? Results.Content(UnsubscribePage.Done(done.Value), "text/html; charset=utf-8")
                : UnsubscribePage.NotFound());

        unsubscribe.MapGet("/{token}", async (string token, ISender sender, CancellationToken ct) =>
            (await sender.Send(new UnsubscribeCommand(token, Apply: false), ct)) is { IsSuccess: true } found
                ? Results.Content(found.Value.OptedOut ? UnsubscribePage.Done(found.Value) : UnsubscribePage.Confirm(token, found.Value), "text/html; charset=utf-8")
                : UnsubscribePage.NotFound());
    }
}

/// <summary>The small pages of the unsubscribe link.</summary>
internal static class UnsubscribePage
{
    public static IResult NotFound() =>
        Results.Content(Page("Link not valid", "<p>This unsubscribe link is not valid.</p>"), "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);

    public static string Confirm(string token, UnsubscribeResponse who) => Page(
        "Unsubscribe",
        $"""
        <p>Stop email from <strong>{Encode(who.ChannelName)}</strong> to {Encode(who.Email)}?</p>
        <form method="post" action="/u/{Encode(Uri.EscapeDataString(token))}">
          <input type="hidden" name="List-Unsubscribe" value="One-Click">
          <button type="submit">Unsubscribe</button>
        </form>
        """);

    public static string Done(UnsubscribeResponse who) => Page(
        "Unsubscribed",
        $"<p>{Encode(who.Email)} will get no more email from <strong>{Encode(who.ChannelName)}</strong>.</p>");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Page(string title, string body) => $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>{Encode(title)}</title></head>
        <body style="font-family: sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
        <h1>{Encode(title)}</h1>
        {body}
        </body></html>
        """;
}
