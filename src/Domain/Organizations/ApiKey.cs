using Modular.Domain.Common;

namespace Modular.Domain.Organizations;

/// <summary>
/// A credential of an organization, a record of its own: an organization has one or more. Only a
/// hash of the key is kept; the key itself is shown once, when it is issued. A key works until it
/// is revoked or its expiry passes.
/// </summary>
public sealed class ApiKey : AggregateRoot, ITenantOwned
{
    public const int NameMaxLength = 100;

    /// <summary>How often the time a key was last used is written at most: a write per request would cost more than it tells.</summary>
    public static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    private ApiKey()
    {
        Prefix = string.Empty;
        Hash = string.Empty;
    }

    public long OrganizationId { get; private set; }

    /// <summary>What the organization calls the key (<c>ci</c>, <c>billing service</c>); optional.</summary>
    public string? Name { get; private set; }

    /// <summary>The first characters of the key, enough for a person to tell keys apart.</summary>
    public string Prefix { get; private set; }

    /// <summary>Hex SHA-256 of the key.</summary>
    public string Hash { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When the key stops working on its own; null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>When the key last authenticated a request, to within <see cref="LastUsedPrecision"/>; null for never.</summary>
    public DateTimeOffset? LastUsedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>Whether the key authenticates requests at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    /// <summary>Issues a key of <paramref name="organizationId"/>; <paramref name="hash"/> is the only trace of the key that is kept.</summary>
    public static Result<ApiKey> Issue(
        long organizationId, string? name, string prefix, string hash, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        if (HeaderText.HasLineBreak(name))
        {
            return Error.Validation("name", "A name cannot contain a line break.");
        }

        var trimmed = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        if (trimmed is { Length: > NameMaxLength })
        {
            return Error.Validation("name", $"A name has at most {NameMaxLength} characters.");
        }

        if (expiresAt is { } expiry && expiry <= now)
        {
            return Error.Validation("expires_at", "The expiry must be in the future.");
        }

        return new ApiKey
        {
            OrganizationId = organizationId,
            Name = trimmed,
            Prefix = prefix,
            Hash = hash,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
    }

    public Result Revoke(DateTimeOffset now)
    {
        if (RevokedAt is not null)
        {
            return Error.Conflict("api_key.already_revoked", "The key is already revoked.");
        }

        RevokedAt = now;
        return Result.Success();
    }
}
