using Modular.Domain.Common;

namespace Modular.Domain.Organizations;

/// <summary>A tenant. Owns every other aggregate; nothing crosses organizations.</summary>
public sealed class Organization : AggregateRoot
{
    public const int NameMaxLength = 200;

    private readonly List<ApiKey> _apiKeys = [];

    private Organization()
    {
        Name = string.Empty;
    }

    public string Name { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public IReadOnlyList<ApiKey> ApiKeys => _apiKeys;

    public static Result<Organization> Create(string name, DateTimeOffset now)
    {
        if (HeaderText.HasLineBreak(name))
        {
            return Error.Validation("name", "A name cannot contain a line break.");
        }

        var trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length is 0 or > NameMaxLength)
        {
            return Error.Validation("name", $"A name of 1 to {NameMaxLength} characters is required.");
        }

        return new Organization { Name = trimmed, CreatedAt = now };
    }

    /// <summary>Adds a credential; <paramref name="hash"/> is the only trace of the key that is kept.</summary>
    public ApiKey IssueApiKey(string prefix, string hash, DateTimeOffset now)
    {
        var key = ApiKey.Issue(Id, prefix, hash, now);
        _apiKeys.Add(key);
        return key;
    }
}

/// <summary>
/// A credential of an organization. Only a hash of the key is kept; the key itself is shown once,
/// when it is issued.
/// </summary>
public sealed class ApiKey : Entity, ITenantOwned
{
    private ApiKey()
    {
        Prefix = string.Empty;
        Hash = string.Empty;
    }

    public long OrganizationId { get; private set; }

    /// <summary>The first characters of the key, enough for a person to tell keys apart.</summary>
    public string Prefix { get; private set; }

    /// <summary>Hex SHA-256 of the key.</summary>
    public string Hash { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsActive => RevokedAt is null;

    internal static ApiKey Issue(long organizationId, string prefix, string hash, DateTimeOffset now) =>
        new() { OrganizationId = organizationId, Prefix = prefix, Hash = hash, CreatedAt = now };

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

/// <summary>A person of the organization who sends email (the inbox-style <c>creator_id</c>).</summary>
public sealed class User : AggregateRoot, ITenantOwned
{
    public const int NameMaxLength = 200;

    private User()
    {
        Name = string.Empty;
        Email = string.Empty;
        NormalizedEmail = string.Empty;
    }

    public long OrganizationId { get; private set; }

    public string Name { get; private set; }

    public string Email { get; private set; }

    /// <summary>The email lower-cased; unique within the organization.</summary>
    public string NormalizedEmail { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static Result<User> Create(long organizationId, string name, EmailAddress email, DateTimeOffset now)
    {
        if (HeaderText.HasLineBreak(name))
        {
            return Error.Validation("name", "A name cannot contain a line break.");
        }

        var trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length is 0 or > NameMaxLength)
        {
            return Error.Validation("name", $"A name of 1 to {NameMaxLength} characters is required.");
        }

        return new User
        {
            OrganizationId = organizationId,
            Name = trimmed,
            Email = email.Value,
            NormalizedEmail = email.Normalized,
            CreatedAt = now,
        };
    }
}
