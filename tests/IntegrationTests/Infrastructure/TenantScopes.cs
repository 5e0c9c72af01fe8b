using Microsoft.Extensions.DependencyInjection;
using Modular.Infrastructure.Persistence;

namespace Modular.IntegrationTests.Infrastructure;

/// <summary>The service's own database context in a test's scope, acting for one organization (its query filters on).</summary>
internal static class TenantScopes
{
    public static ModularDbContext TenantDb(this AsyncServiceScope scope, long organizationId)
    {
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(organizationId);
        return scope.ServiceProvider.GetRequiredService<ModularDbContext>();
    }
}
