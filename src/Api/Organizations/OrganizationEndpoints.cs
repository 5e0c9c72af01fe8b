using Mediator;
using Modular.Api.Authentication;
using Modular.Api.Common;
using Modular.Application.Organizations.CreateOrganization;
using Modular.Application.Organizations.GetOrganization;

namespace Modular.Api.Organizations;

internal static class OrganizationEndpoints
{
    public static void MapOrganizationEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin").WithTags("Administration").RequireAuthorization(ApiKeyDefaults.AdminPolicy);

        admin.MapPost("/organizations", async (CreateOrganizationCommand body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body, ct)).ToCreated(o => $"/v1/admin/organizations/{o.Id}"))
            .WithSummary("Create an organization and its first API key (shown once)")
            .Produces<CreatedOrganizationResponse>(StatusCodes.Status201Created);

        admin.MapGet("/organizations/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new GetOrganizationQuery(id), ct)).ToOk())
            .WithSummary("Show an organization")
            .Produces<OrganizationResponse>();
    }
}
