using Microsoft.AspNetCore.Http.HttpResults;
using Modular.Domain.Common;

namespace Modular.Api.Common;

/// <summary>The one place where an expected failure becomes an HTTP answer (RFC 9457 problem details).</summary>
public static class ResultHttpExtensions
{
    public static IResult ToOk<T>(this Result<T> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();

    public static IResult ToCreated<T>(this Result<T> result, Func<T, string> location) =>
        result.IsSuccess ? TypedResults.Created(location(result.Value), result.Value) : result.Error!.ToProblem();

    public static IResult ToNoContent(this Result result) =>
        result.IsSuccess ? TypedResults.NoContent() : result.Error!.ToProblem();

    public static IResult ToProblem(this Error error) => error.Type switch
    {
        ErrorType.Validation => TypedResults.Problem(
            title: "One or more fields are invalid.",
            detail: error.Fields is { Count: > 0 } ? null : error.Message,
            statusCode: StatusCodes.Status422UnprocessableEntity,
            type: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21",
            extensions: new Dictionary<string, object?>
            {
                ["code"] = error.Code,
                ["errors"] = error.Fields ?? new Dictionary<string, string[]>(),
            }),
        ErrorType.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", error),
        ErrorType.Conflict => Problem(StatusCodes.Status409Conflict, "Conflict", error),
        _ => throw new InvalidOperationException($"Unknown error type {error.Type}."),
    };

    private static ProblemHttpResult Problem(int status, string title, Error error) =>
        TypedResults.Problem(
            title: title,
            detail: error.Message,
            statusCode: status,
            extensions: new Dictionary<string, object?> { ["code"] = error.Code });
}
