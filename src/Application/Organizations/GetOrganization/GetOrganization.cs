using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Organizations.GetOrganization;

/// <summary>An organization as administrators see it (never its keys).</summary>
public sealed record GetOrganizationQuery(long Id) : IQuery<Result<OrganizationResponse>>;

public sealed record OrganizationResponse(long Id, string Name, DateTimeOffset CreatedAt);

public sealed class GetOrganizationHandler(IRepository<Organization> organizations)
    : IQueryHandler<GetOrganizationQuery, Result<OrganizationResponse>>
{
    public async ValueTask<Result<OrganizationResponse>> Handle(GetOrganizationQuery query, CancellationToken cancellationToken)
    {
        var organization = await organizations.FirstOrDefaultAsync(new ByIdSpec<Organization>(query.Id), cancellationToken);
        return organization is null
            ? Error.NotFound("organization", query.Id)
            : new OrganizationResponse(organization.Id, organization.Name, organization.CreatedAt);
    }
}
