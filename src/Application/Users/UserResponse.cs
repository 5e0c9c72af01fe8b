using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Users;

public sealed record UserResponse(long Id, string Name, string Email, DateTimeOffset CreatedAt)
{
    public static UserResponse From(User user) => new(user.Id, user.Name, user.Email, user.CreatedAt);
}

/// <summary>The user of the organization with this address (compared case-insensitively).</summary>
public sealed class UserByEmailSpec : Specification<User>
{
    public UserByEmailSpec(EmailAddress email) => Query.Where(u => u.NormalizedEmail == email.Normalized);
}
