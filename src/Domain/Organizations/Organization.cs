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
        var user = new User { OrganizationId = organizationId, CreatedAt = now };
        var named = user.Rename(name);
        if (named.IsFailure)
        {
            return named.Error!;
        }

        user.ChangeEmail(email);
        return user;
    }

    public Result Rename(string name)
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

        Name = trimmed;
        return Result.Success();
    }

    /// <summary>Changes the user's address; the caller has checked that no other user of the organization has it.</summary>
    public void ChangeEmail(EmailAddress email)
    {
        Email = email.Value;
        NormalizedEmail = email.Normalized;
    }
}
