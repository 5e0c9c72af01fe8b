using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Users.GetUser;

public sealed record GetUserQuery(long Id) : IQuery<Result<UserResponse>>;

public sealed class GetUserHandler(IRepository<User> users) : IQueryHandler<GetUserQuery, Result<UserResponse>>
{
    public async ValueTask<Result<UserResponse>> Handle(GetUserQuery query, CancellationToken cancellationToken)
    {
        var user = await users.FirstOrDefaultAsync(new ByIdSpec<User>(query.Id), cancellationToken);
        return user is null ? Error.NotFound("user", query.Id) : UserResponse.From(user);
    }
}
