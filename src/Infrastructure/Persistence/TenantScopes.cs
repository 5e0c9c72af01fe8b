using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Application.Common.Persistence;

namespace Modular.Infrastructure.Persistence;

/// <summary>Runs a request in a new scope acting for one organization (its own context, tenant filters and unit of work).</summary>
internal sealed class TenantScopes(IServiceScopeFactory scopes) : ITenantScopes
{
    public async Task<TResponse> SendAsync<TResponse>(long organizationId, IRequest<TResponse> request, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(organizationId);
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(request, cancellationToken);
    }

    public async Task<TResponse> SendAsync<TResponse>(long organizationId, ICommand<TResponse> command, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(organizationId);
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command, cancellationToken);
    }
}
