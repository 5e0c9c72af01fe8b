using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Users.ListUsers;

public sealed record ListUsersQuery(int? Limit, int? Offset) : IQuery<Result<ListResponse<UserResponse>>>;

public sealed class ListUsersValidator : AbstractValidator<ListUsersQuery>
{
    public ListUsersValidator() => this.Paging(x => x.Limit, x => x.Offset);
}

public sealed class UsersPageSpec(int? skip = null, int? take = null) : PageSpec<User>(skip, take);

public sealed class ListUsersHandler(IRepository<User> users) : IQueryHandler<ListUsersQuery, Result<ListResponse<UserResponse>>>
{
    public async ValueTask<Result<ListResponse<UserResponse>>> Handle(ListUsersQuery query, CancellationToken cancellationToken)
    {
        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var page = await users.ListAsync(new UsersPageSpec(offset, limit), cancellationToken);
        var total = await users.CountAsync(new UsersPageSpec(), cancellationToken);
        return new ListResponse<UserResponse>([.. page.Select(UserResponse.From)], total, limit, offset);
    }
}
