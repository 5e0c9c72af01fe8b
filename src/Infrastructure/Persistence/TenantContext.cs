using Modular.Application.Common.Persistence;

namespace Modular.Infrastructure.Persistence;

/// <summary>
/// The organization of the current scope, set once by authentication (a request) or by a job that
/// acts for the organization owning its message. Until it is set, tenant-filtered queries match nothing.
/// </summary>
public sealed class TenantContext : ICurrentTenant
{
    private long? _organizationId;

    public long OrganizationId => _organizationId ?? throw new InvalidOperationException("No organization is set for this scope.");

    /// <summary>The id tenant filters compare with; -1 (matches no row) when none is set.</summary>
    public long FilterId => _organizationId ?? -1;

    public bool IsSet => _organizationId is not null;

    public void Set(long organizationId)
    {
        if (_organizationId is { } current && current != organizationId)
        {
            throw new InvalidOperationException("The organization of a scope cannot change.");
        }

        _organizationId = organizationId;
    }
}
