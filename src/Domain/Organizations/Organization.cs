using Modular.Domain.Common;

namespace Modular.Domain.Organizations;

/// <summary>A tenant. Owns every other aggregate; nothing crosses organizations.</summary>
public sealed class Organization : AggregateRoot
{
    public const int NameMaxLength = 200;

    private Organization()
    {
        Name = string.Empty;
    }

    public string Name { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

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
