using System.Security.Cryptography;
using System.Text.Json;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Domain.Common;

namespace Modular.Application.Common.Idempotency;

/// <summary>
/// A command that may carry an idempotency key (<c>local_id</c>, or the <c>Idempotency-Key</c> header).
/// The first request with a key is stored with a fingerprint of the request and its answer, in the
/// transaction that accepts it; a repeat gets that answer and creates nothing.
/// </summary>
public interface IIdempotentCommand
{
    /// <summary>The client's key; null when the request has none.</summary>
    string? IdempotencyKey { get; }
}

/// <summary>A stored first answer to an idempotency key.</summary>
public sealed class IdempotencyRecord : ITenantOwned
{
    private IdempotencyRecord()
    {
        Key = string.Empty;
        Operation = string.Empty;
        Fingerprint = string.Empty;
        Response = string.Empty;
    }

    public long OrganizationId { get; private set; }

    public string Key { get; private set; }

    /// <summary>The use case the key was used with (a key is per organization, across both send endpoints).</summary>
    public string Operation { get; private set; }

    /// <summary>Hex SHA-256 of the request as the use case received it.</summary>
    public string Fingerprint { get; private set; }

    /// <summary>The first answer, as JSON.</summary>
    public string Response { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static IdempotencyRecord Create(long organizationId, string key, string operation, string fingerprint, string response, DateTimeOffset now) =>
        new() { OrganizationId = organizationId, Key = key, Operation = operation, Fingerprint = fingerprint, Response = response, CreatedAt = now };
}

/// <summary>Where idempotency records live: added in the accepting unit of work, found without tracking.</summary>
public interface IIdempotencyStore
{
    Task<IdempotencyRecord?> FindAsync(string key, CancellationToken cancellationToken);

    void Add(IdempotencyRecord record);

    /// <summary>Removes this organization's record of <paramref name="key"/> if it was created before <paramref name="before"/>.</summary>
    Task RemoveExpiredAsync(string key, DateTimeOffset before, CancellationToken cancellationToken);
}

/// <summary>
/// How long a first answer is kept (<c>Idempotency:Retention</c>, 7 days by default). After that the key
/// is free again: a request with it is a new request, whether or not the expiry job has removed the row yet.
/// </summary>
public sealed record IdempotencyRetention(TimeSpan Period)
{
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(7);

    public DateTimeOffset ExpiredBefore(DateTimeOffset now) => now - Period;
}

/// <summary>Tells the endpoint that the answer of this request is a replay of the first one.</summary>
public sealed class IdempotencyContext
{
    public bool Replayed { get; private set; }

    internal void MarkReplayed() => Replayed = true;
}

/// <summary>
/// Between validation and the unit of work. A known key replays the stored answer (or, with another
/// request, is a 422); a new key stores the answer and commits it in the same transaction as the
/// command's changes (the unit-of-work behavior leaves such commands to this one).
/// Concurrent first requests race on the primary key of the records table: the losers' transactions
/// roll back whole (nothing they did is kept) and they replay the winner's answer.
/// </summary>
public sealed class IdempotencyBehavior<TMessage, TResponse>(
    IIdempotencyStore store,
    IUnitOfWork unitOfWork,
    IdempotencyContext context,
    ICurrentTenant tenant,
    IdempotencyRetention retention,
    TimeProvider clock) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IIdempotentCommand, IBaseCommand
    where TResponse : IFailable<TResponse>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var key = message.IdempotencyKey;
        if (string.IsNullOrEmpty(key))
        {
            return await next(message, cancellationToken);
        }

        var operation = typeof(TMessage).Name;
        var fingerprint = Fingerprint(message);
        if (await store.FindAsync(key, cancellationToken) is { } existing)
        {
            var expiredBefore = retention.ExpiredBefore(clock.GetUtcNow());
            if (existing.CreatedAt >= expiredBefore)
            {
                return Replay(existing, operation, fingerprint);
            }

            // Past the retention window the key is new again; its old row goes first so ours can take its place.
            await store.RemoveExpiredAsync(key, expiredBefore, cancellationToken);
        }

        var response = await next(message, cancellationToken);
        if (response is Result { IsFailure: true })
        {
            return response;
        }

        store.Add(IdempotencyRecord.Create(
            tenant.OrganizationId, key, operation, fingerprint, JsonSerializer.Serialize(Value(response), Json), clock.GetUtcNow()));
        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        catch (UniqueConstraintException)
        {
            // A concurrent request with the same key committed first (its row exists once ours fails).
            if (await store.FindAsync(key, cancellationToken) is { } winner)
            {
                return Replay(winner, operation, fingerprint);
            }

            throw;
        }

        return response;
    }

    private TResponse Replay(IdempotencyRecord record, string operation, string fingerprint)
    {
        if (record.Operation != operation || record.Fingerprint != fingerprint)
        {
            return TResponse.Fail(Error.Validation(
                "local_id", "This idempotency key was already used with a different request; use a new key for a new request."));
        }

        context.MarkReplayed();
        var valueType = typeof(TResponse).IsGenericType ? typeof(TResponse).GetGenericArguments()[0] : null;
        if (valueType is null)
        {
            return (TResponse)(object)Result.Success();
        }

        var value = JsonSerializer.Deserialize(record.Response, valueType, Json)!;
        return (TResponse)typeof(Result<>).MakeGenericType(valueType).GetMethod(nameof(Result<object>.Success))!.Invoke(null, [value])!;
    }

    private static object? Value(TResponse response) =>
        response.GetType().IsGenericType ? response.GetType().GetProperty(nameof(Result<object>.Value))!.GetValue(response) : null;

    private static string Fingerprint(TMessage message) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(message, Json)));
}
