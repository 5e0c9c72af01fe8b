using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Organizations.RevokeApiKey;

/// <summary>
/// Revokes a key of the organization, the one in use included. Every instance refuses it within a
/// second of the commit (the revocation is announced in the same transaction; see the authentication).
/// A revoked key is gone from the API: revoking it again is 404.
/// </summary>
public sealed record RevokeApiKeyCommand(long Id) : ICommand<Result>;

public sealed class UnrevokedApiKeySpec : Specification<ApiKey>
{
    public UnrevokedApiKeySpec(long id) => Query.Where(k => k.Id == id && k.RevokedAt == null);
}

public sealed class RevokeApiKeyHandler(IRepository<ApiKey> keys, TimeProvider clock) : ICommandHandler<RevokeApiKeyCommand, Result>
{
    public async ValueTask<Result> Handle(RevokeApiKeyCommand command, CancellationToken cancellationToken)
    {
        var key = await keys.FirstOrDefaultAsync(new UnrevokedApiKeySpec(command.Id), cancellationToken);
        return key is null ? Error.NotFound("api_key", command.Id) : key.Revoke(clock.GetUtcNow());
    }
}
