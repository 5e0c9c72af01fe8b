using Modular.Domain.Organizations;

namespace Modular.Application.Organizations;

/// <summary>A key as the organization sees it afterwards: never the key or its hash, only its prefix.</summary>
public sealed record ApiKeyResponse(long Id, string? Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt)
{
    public static ApiKeyResponse From(ApiKey key) => new(key.Id, key.Name, key.Prefix, key.CreatedAt, key.LastUsedAt, key.ExpiresAt);
}

/// <summary>A new key, with the key itself: the only time it is shown.</summary>
public sealed record CreatedApiKeyResponse(
    long Id, string? Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt, string ApiKey);
