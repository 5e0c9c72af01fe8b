using Mediator;
using Modular.Api.Common;
using Modular.Application.Common.Validation;
using Modular.Application.Users;
using Modular.Application.Users.CreateUser;
using Modular.Application.Users.GetUser;
using Modular.Application.Users.ListUsers;
using Modular.Application.Users.UpdateUser;

namespace Modular.Api.Users;

internal static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/v1/users").WithTags("Users");

        users.MapPost("/", async (CreateUserCommand body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body, ct)).ToCreated(u => $"/v1/users/{u.Id}"))
            .WithSummary("Create a user (a person who sends)")
            .Produces<UserResponse>(StatusCodes.Status201Created);

        users.MapGet("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new GetUserQuery(id), ct)).ToOk())
            .WithSummary("Show a user")
            .Produces<UserResponse>();

        users.MapPatch("/{id:long}", async (long id, UpdateUserRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(new UpdateUserCommand(id, body.Name, body.Email), ct)).ToOk())
            .WithSummary("Change a user's name or email")
            .Produces<UserResponse>();

        users.MapGet("/", async ([AsParameters] ListUsersQuery query, ISender sender, CancellationToken ct) =>
                (await sender.Send(query, ct)).ToOk())
            .WithSummary("List users")
            .Produces<ListResponse<UserResponse>>();
    }
}

/// <summary>The body of PATCH /v1/users/{id}: what is given changes.</summary>
internal sealed record UpdateUserRequest(string? Name, string? Email);
