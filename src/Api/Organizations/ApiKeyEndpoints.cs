using Mediator;
using Modular.Api.Common;
using Modular.Application.Common.Validation;
using Modular.Application.Organizations;
using Modular.Application.Organizations.CreateApiKey;
using Modular.Application.Organizations.ListApiKeys;
using Modular.Application.Organizations.RevokeApiKey;

namespace Modular.Api.Organizations;

internal static class ApiKeyEndpoints
{
    public static void MapApiKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/v1/api_keys").WithTags("API keys");

        keys.MapGet("/", async ([AsParameters] ListApiKeysQuery query, ISender sender, CancellationToken ct) =>
                (await sender.Send(query, ct)).ToOk())
            .WithSummary("List the organization's keys (prefix, created, last used, expiry; never the key)")
            .Produces<ListResponse<ApiKeyResponse>>();

        keys.MapPost("/", async (CreateApiKeyCommand body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body, ct)).ToCreated(k => $"/v1/api_keys/{k.Id}"))
            .WithSummary("Issue another key, with an optional name and expiry (the key is shown this once)")
            .Produces<CreatedApiKeyResponse>(StatusCodes.Status201Created);

        keys.MapDelete("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new RevokeApiKeyCommand(id), ct)).ToNoContent())
            .WithSummary("Revoke a key (the one in use too); refused on every instance within a second")
            .Produces(StatusCodes.Status204NoContent);
    }
}
