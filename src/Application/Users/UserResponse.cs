using Modular.Domain.Organizations;

namespace Modular.Application.Users;

public sealed record UserResponse(long Id, string Name, string Email, DateTimeOffset CreatedAt)
{
    public static UserResponse From(User user) => new(user.Id, user.Name, user.Email, user.CreatedAt);
}
