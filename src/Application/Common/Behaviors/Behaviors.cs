using System.Diagnostics;
using System.Text;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Domain.Common;

namespace Modular.Application.Common.Behaviors;

/// <summary>Outermost: logs which use case ran, how long it took and how it ended (never its content).</summary>
public sealed partial class LoggingBehavior<TMessage, TResponse>(ILogger<LoggingBehavior<TMessage, TResponse>> logger, IFailureClassifier failures)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next(message, cancellationToken);
            if (response is Result { Error: { } error })
            {
                LogFailed(logger, typeof(TMessage).Name, error.Code, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                LogHandled(logger, typeof(TMessage).Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return response;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            switch (failures.Classify(exception))
            {
                case FailureKind.Race:
                    LogLostRace(logger, typeof(TMessage).Name, exception.Message, elapsed);
                    break;
                case FailureKind.Unavailable:
                    // The caller answers 503 and logs the outage once per interval, not once per request.
                    LogUnavailable(logger, typeof(TMessage).Name, elapsed);
                    break;
                default:
                    LogThrew(logger, exception, typeof(TMessage).Name, elapsed);
                    break;
            }

            throw;
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "{UseCase} handled in {ElapsedMs:0.0} ms")]
    private static partial void LogHandled(ILogger logger, string useCase, double elapsedMs);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "{UseCase} refused ({ErrorCode}) in {ElapsedMs:0.0} ms")]
    private static partial void LogFailed(ILogger logger, string useCase, string errorCode, double elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "{UseCase} threw after {ElapsedMs:0.0} ms")]
    private static partial void LogThrew(ILogger logger, Exception exception, string useCase, double elapsedMs);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "{UseCase} lost a race after {ElapsedMs:0.0} ms: {Reason}")]
    private static partial void LogLostRace(ILogger logger, string useCase, string reason, double elapsedMs);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "{UseCase} found the database unavailable after {ElapsedMs:0.0} ms")]
    private static partial void LogUnavailable(ILogger logger, string useCase, double elapsedMs);
}

/// <summary>Runs every validator of the request; a failure never reaches the handler and becomes a 422.</summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
    where TResponse : IFailable<TResponse>
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        Dictionary<string, List<string>>? failures = null;
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(message, cancellationToken);
            foreach (var failure in result.Errors)
            {
                failures ??= [];
                var field = FieldNames.ToSnakeCase(failure.PropertyName);
                if (!failures.TryGetValue(field, out var messages))
                {
                    failures[field] = messages = [];
                }

                messages.Add(failure.ErrorMessage);
            }
        }

        if (failures is null)
        {
            return await next(message, cancellationToken);
        }

        return TResponse.Fail(Error.Validation(failures.ToDictionary(f => f.Key, f => f.Value.ToArray())));
    }
}

/// <summary>
/// Innermost: commits what a successful command changed, once; a failed command commits nothing.
/// A command with an idempotency key is committed by <see cref="Idempotency.IdempotencyBehavior{TMessage, TResponse}"/>
/// instead, together with its idempotency record.
/// </summary>
public sealed class UnitOfWorkBehavior<TMessage, TResponse>(IUnitOfWork unitOfWork)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IBaseCommand
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken);
        if (message is Idempotency.IIdempotentCommand { IdempotencyKey.Length: > 0 } or IDryRunCommand { DryRun: true })
        {
            return response;
        }

        if (response is not Result { IsFailure: true })
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }

        return response;
    }
}

/// <summary>
/// A command that can be tried without effect (<c>dry_run=true</c>): the handler runs as usual, and
/// nothing it changed is saved (the unit of work does not commit, so no event is raised either).
/// </summary>
public interface IDryRunCommand
{
    bool DryRun { get; }
}

/// <summary>Field names as clients see them: <c>Smtp.Host</c> → <c>smtp.host</c>, <c>Cc[0]</c> → <c>cc[0]</c>.</summary>
public static class FieldNames
{
    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] is not ('.' or '[') && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                    || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
