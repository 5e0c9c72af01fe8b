using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Modular.Application.Common.Persistence;
using Modular.Domain.Common;

namespace Modular.Api.Common;

/// <summary>
/// Turns what no handler expected into problem details: unreadable JSON is a 422 naming the field, a
/// uniqueness race or a row changed by another writer meanwhile is a 409, the database being away a 503
/// with Retry-After (logged once per interval), anything else a 500 that reveals nothing of the server.
/// </summary>
internal sealed partial class ExceptionHandler(
    IProblemDetailsService problemDetails, IFailureClassifier failures, DatabaseOutage outage, ILogger<ExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case BadHttpRequestException { InnerException: JsonException json }:
                return await WriteResult(httpContext, Error.Validation(FieldOf(json.Path), "The value is missing or has the wrong type.").ToProblem());
            case BadHttpRequestException bad when BoundParameter().Match(bad.Message) is { Success: true } parameter:
                return await WriteResult(httpContext, Error.Validation(
                    Application.Common.Behaviors.FieldNames.ToSnakeCase(parameter.Groups[1].Value), $"'{parameter.Groups[2].Value}' is not a valid value.").ToProblem());
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return await WriteProblem(httpContext, StatusCodes.Status413PayloadTooLarge, "Request too large", "The request body is larger than this service accepts (Limits:MaxRequestBytes).");
            case BadHttpRequestException bad:
                return await WriteProblem(httpContext, bad.StatusCode == StatusCodes.Status400BadRequest ? StatusCodes.Status422UnprocessableEntity : bad.StatusCode, "The request could not be read.", bad.Message);
            case UniqueConstraintException unique:
                LogConflict(logger, unique.Constraint);
                return await WriteProblem(httpContext, StatusCodes.Status409Conflict, "Conflict", "The resource already exists.");
            case ConcurrencyConflictException conflict:
                // Nothing was saved (the whole transaction went back): the request can be sent again as it is.
                LogChangedMeanwhile(logger, conflict.InnerException, httpContext.Request.Path);
                return await WriteProblem(httpContext, StatusCodes.Status409Conflict, "Conflict",
                    "The resource changed while this request was being processed (for example, one of its messages was being delivered). Nothing was changed; send the request again.");
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                return true;
            case var _ when failures.Classify(exception) == FailureKind.Unavailable:
                outage.Record(exception);
                httpContext.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return await WriteProblem(httpContext, StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                    "The database cannot be reached at the moment. Retry after the time in Retry-After.");
            default:
                LogUnhandled(logger, exception, httpContext.Request.Path);
                return await WriteProblem(httpContext, StatusCodes.Status500InternalServerError, "An unexpected error occurred.", null);
        }
    }

    /// <summary><c>$.cc[1]</c> → <c>cc[1]</c>; the whole body when there is no path.</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    private static async ValueTask<bool> WriteResult(HttpContext context, IResult result)
    {
        await result.ExecuteAsync(context);
        return true;
    }

    private async ValueTask<bool> WriteProblem(HttpContext context, int status, string title, string? detail)
    {
        context.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>Minimal APIs' message for a query or route value that does not convert.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("""Failed to bind parameter "[^"]*?(\w+)" from "(.*)"\.""")]
    private static partial System.Text.RegularExpressions.Regex BoundParameter();

    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "Unhandled exception on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Unique constraint {Constraint} refused a concurrent write")]
    private static partial void LogConflict(ILogger logger, string constraint);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "A row changed while {Path} was being processed; nothing was saved")]
    private static partial void LogChangedMeanwhile(ILogger logger, Exception? exception, string path);
}
