using Mediator;
using Modular.Application.Common.Idempotency;
using Modular.Application.Common.Persistence;
using Modular.Application.UnitTests.Common.Behaviors;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Common;

namespace Modular.Application.UnitTests.Common.Idempotency;

public sealed class IdempotencyBehaviorTests
{
    private const long OrganizationId = 7;

    private static readonly Sent Accepted = new(41, "queued", Clock.Now);

    private static readonly IdempotencyRetention Retention = new(TimeSpan.FromDays(7));

    private readonly MemoryIdempotencyStore _store = new();
    private readonly IdempotencyContext _context = new();
    private readonly CommittingUnitOfWork _unitOfWork;
    private readonly IdempotencyBehavior<Send, Result<Sent>> _behavior;

    public IdempotencyBehaviorTests()
    {
        _unitOfWork = new CommittingUnitOfWork(_store);
        _behavior = new IdempotencyBehavior<Send, Result<Sent>>(_store, _unitOfWork, _context, new Tenant(OrganizationId), Retention, new FixedClock());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Without_a_key_the_command_passes_through_untouched(string? key)
    {
        var next = new Next<Send, Result<Sent>>(Accepted);

        var result = await _behavior.Handle(new Send("ann@example.com", key), next.Delegate, CancellationToken.None);

        Assert.Same(Accepted, result.Value);
        Assert.Equal(1, next.Calls);
        Assert.Equal(0, _store.Finds);
        Assert.Equal(0, _store.Adds);
        Assert.Equal(0, _unitOfWork.Commits);
        Assert.False(_context.Replayed);
    }

    [Fact]
    public async Task A_new_key_runs_the_command_and_commits_its_answer_with_it_once()
    {
        var next = new Next<Send, Result<Sent>>(Accepted);

        var result = await _behavior.Handle(new Send("ann@example.com", "order-42"), next.Delegate, CancellationToken.None);

        Assert.Same(Accepted, result.Value);
        Assert.Equal(1, next.Calls);
        Assert.Equal(1, _unitOfWork.Commits);
        Assert.False(_context.Replayed);
        var record = Assert.Single(_store.Committed);
        Assert.Equal("order-42", record.Key);
        Assert.Equal(OrganizationId, record.OrganizationId);
        Assert.Equal(nameof(Send), record.Operation);
        Assert.Matches("^[0-9a-f]{64}$", record.Fingerprint);
        Assert.Equal(Clock.Now, record.CreatedAt);
        Assert.Contains("41", record.Response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_record_is_added_after_the_handler_and_before_the_commit()
    {
        var next = new Next<Send, Result<Sent>>(Accepted) { OnCall = () => _store.Log.Add("handler") };

        await _behavior.Handle(new Send("ann@example.com", "order-42"), next.Delegate, CancellationToken.None);

        Assert.Equal(["find", "handler", "add", "commit"], _store.Log);
    }

    [Fact]
    public async Task A_repeat_on_the_last_day_of_the_retention_window_still_replays()
    {
        await _behavior.Handle(new Send("ann@example.com", "order-42"), new Next<Send, Result<Sent>>(Accepted).Delegate, CancellationToken.None);
        var context = new IdempotencyContext();
        var repeat = new IdempotencyBehavior<Send, Result<Sent>>(_store, _unitOfWork, context, new Tenant(OrganizationId), Retention, new FixedClock(Clock.Now.AddDays(7)));
        var next = new Next<Send, Result<Sent>>(new Sent(99, "queued", Clock.Now));

        var result = await repeat.Handle(new Send("ann@example.com", "order-42"), next.Delegate, CancellationToken.None);

        Assert.Equal(0, next.Calls);
        Assert.True(context.Replayed);
        Assert.Equal(41, result.Value.Id);
    }

    [Fact]
    public async Task A_repeat_after_the_retention_window_is_a_new_request_that_replaces_the_old_record()
    {
        await _behavior.Handle(new Send("ann@example.com", "order-42"), new Next<Send, Result<Sent>>(Accepted).Delegate, CancellationToken.None);
        var later = Clock.Now.AddDays(7).AddSeconds(1);
        var context = new IdempotencyContext();
        var repeat = new IdempotencyBehavior<Send, Result<Sent>>(_store, _unitOfWork, context, new Tenant(OrganizationId), Retention, new FixedClock(later));
        var next = new Next<Send, Result<Sent>>(new Sent(99, "queued", later));

        // Even a different request may use the key again once its first answer has expired.
        var result = await repeat.Handle(new Send("bob@example.com", "order-42"), next.Delegate, CancellationToken.None);

        Assert.Equal(1, next.Calls);
        Assert.False(context.Replayed);
        Assert.Equal(99, result.Value.Id);
        var record = Assert.Single(_store.Committed);
        Assert.Equal(later, record.CreatedAt);
        Assert.Contains("remove expired", _store.Log);
    }

    [Fact]
    public async Task A_repeat_of_the_same_command_returns_the_first_answer_without_running_it()
    {
        var first = new Next<Send, Result<Sent>>(Accepted);
        await _behavior.Handle(new Send("ann@example.com", "order-42"), first.Delegate, CancellationToken.None);
        var context = new IdempotencyContext();
        var repeat = new IdempotencyBehavior<Send, Result<Sent>>(_store, _unitOfWork, context, new Tenant(OrganizationId), Retention, new FixedClock(Clock.Later(5)));
        var next = new Next<Send, Result<Sent>>(new Sent(99, "other", Clock.Later(5)));

        var result = await repeat.Handle(new Send("ann@example.com", "order-42"), next.Delegate, CancellationToken.None);

        Assert.Equal(0, next.Calls);
        Assert.True(result.IsSuccess);
        Assert.Equal(Accepted, result.Value);
        Assert.True(context.Replayed);
        Assert.Equal(1, _unitOfWork.Commits);
        Assert.Single(_store.Committed);
    }

    [Fact]
    public async Task A_repeat_of_a_plain_result_command_replays_its_success()
    {
        var context = new IdempotencyContext();
        var behavior = new IdempotencyBehavior<Archive, Result>(_store, _unitOfWork, context, new Tenant(OrganizationId), Retention, new FixedClock());
        var next = new Next<Archive, Result>(Result.Success());

        await behavior.Handle(new Archive(3, "archive-3"), next.Delegate, CancellationToken.None);
        var repeat = await behavior.Handle(new Archive(3, "archive-3"), next.Delegate, CancellationToken.None);

        Assert.True(repeat.IsSuccess);
        Assert.Equal(1, next.Calls);
        Assert.True(context.Replayed);
    }

    [Fact]
    public async Task The_same_key_with_a_different_command_is_a_validation_error_on_local_id()
    {
        await _behavior.Handle(new Send("ann@example.com", "order-42"), new Next<Send, Result<Sent>>(Accepted).Delegate, CancellationToken.None);
        var next = new Next<Send, Result<Sent>>(Accepted);

        var result = await _behavior.Handle(new Send("bob@example.com", "order-42"), next.Delegate, CancellationToken.None);

        Assert.Equal(0, next.Calls);
        Assert.True(result.IsFailure);
        Assert.Equal(ErrorType.Validation, result.Error!.Type);
        Assert.Equal(["local_id"], result.Error.Fields!.Keys);
        Assert.False(_context.Replayed);
        Assert.Equal(1, _unitOfWork.Commits);
    }

    [Fact]
    public async Task The_same_key_used_by_another_operation_is_a_validation_error_on_local_id()
    {
        _store.Committed.Add(IdempotencyRecord.Create(OrganizationId, "shared", "SendInboxEmailCommand", new string('0', 64), "{}", Clock.Now));
        var next = new Next<Send, Result<Sent>>(Accepted);

        var result = await _behavior.Handle(new Send("ann@example.com", "shared"), next.Delegate, CancellationToken.None);

        Assert.Equal(0, next.Calls);
        Assert.Equal(["local_id"], result.Error!.Fields!.Keys);
    }

    [Fact]
    public async Task Commands_that_differ_only_in_their_key_are_independent()
    {
        var next = new Next<Send, Result<Sent>>(Accepted);

        await _behavior.Handle(new Send("ann@example.com", "first"), next.Delegate, CancellationToken.None);
        await _behavior.Handle(new Send("ann@example.com", "second"), next.Delegate, CancellationToken.None);

        Assert.Equal(2, next.Calls);
        Assert.Equal(2, _unitOfWork.Commits);
        Assert.Equal(["first", "second"], _store.Committed.Select(r => r.Key));
        Assert.False(_context.Replayed);
    }

    [Fact]
    public async Task A_failed_answer_stores_nothing_and_commits_nothing()
    {
        var next = new Next<Send, Result<Sent>>(Error.Validation("from", "No such channel."));

        var result = await _behavior.Handle(new Send("ann@example.com", "order-42"), next.Delegate, CancellationToken.None);

        Assert.Equal("from", Assert.Single(result.Error!.Fields!.Keys));
        Assert.Equal(0, _store.Adds);
        Assert.Equal(0, _unitOfWork.Commits);
        Assert.False(_context.Replayed);
    }

    [Fact]
    public async Task After_a_failed_answer_the_key_can_be_used_again()
    {
        await _behavior.Handle(new Send("ann@example.com", "order-42"), new Next<Send, Result<Sent>>(Error.Validation("from", "No such channel.")).Delegate, CancellationToken.None);
        var next = new Next<Send, Result<Sent>>(Accepted);

        var result = await _behavior.Handle(new Send("ann@example.com", "order-42"), next.Delegate, CancellationToken.None);

        Assert.Equal(1, next.Calls);
        Assert.Same(Accepted, result.Value);
        Assert.Single(_store.Committed);
    }

    [Fact]
    public async Task A_handler_that_throws_stores_nothing_and_commits_nothing()
    {
        var next = new Next<Send, Result<Sent>> { OnCall = () => throw new InvalidOperationException("boom") };

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await _behavior.Handle(new Send("ann@example.com", "order-42"), next.Delegate, CancellationToken.None));

        Assert.Equal(0, _store.Adds);
        Assert.Equal(0, _unitOfWork.Commits);
    }

    [Fact]
    public async Task Losing_the_race_to_a_concurrent_first_request_returns_the_winners_answer()
    {
        var winner = new Sent(40, "scheduled", Clock.Later(60));
        var winnerStore = new MemoryIdempotencyStore();
        await new IdempotencyBehavior<Send, Result<Sent>>(winnerStore, new CommittingUnitOfWork(winnerStore), new IdempotencyContext(), new Tenant(OrganizationId), Retention, new FixedClock())
            .Handle(new Send("ann@example.com", "order-42"), new Next<Send, Result<Sent>>(winner).Delegate, CancellationToken.None);
        var winnerRecord = Assert.Single(winnerStore.Committed);
        _unitOfWork.LoseRaceTo(winnerRecord);
        var next = new Next<Send, Result<Sent>>(Accepted);

        var result = await _behavior.Handle(new Send("ann@example.com", "order-42"), next.Delegate, CancellationToken.None);

        Assert.Equal(1, next.Calls);
        Assert.True(result.IsSuccess);
        Assert.Equal(winner, result.Value);
        Assert.True(_context.Replayed);
        Assert.Same(winnerRecord, Assert.Single(_store.Committed));
        Assert.Empty(_store.Pending);
    }

    [Fact]
    public async Task Losing_the_race_to_a_different_command_with_the_same_key_is_a_validation_error_on_local_id()
    {
        _unitOfWork.LoseRaceTo(IdempotencyRecord.Create(OrganizationId, "order-42", nameof(Send), new string('a', 64), "{}", Clock.Now));

        var result = await _behavior.Handle(new Send("ann@example.com", "order-42"), new Next<Send, Result<Sent>>(Accepted).Delegate, CancellationToken.None);

        Assert.Equal(["local_id"], result.Error!.Fields!.Keys);
        Assert.False(_context.Replayed);
    }

    [Fact]
    public async Task A_unique_violation_without_a_winner_record_is_not_swallowed()
    {
        _unitOfWork.ThrowOnCommit = new UniqueConstraintException("ix_contacts_email", new InvalidOperationException("duplicate"));

        var thrown = await Assert.ThrowsAsync<UniqueConstraintException>(async () =>
            await _behavior.Handle(new Send("ann@example.com", "order-42"), new Next<Send, Result<Sent>>(Accepted).Delegate, CancellationToken.None));

        Assert.Equal("ix_contacts_email", thrown.Constraint);
        Assert.False(_context.Replayed);
    }

    [Fact]
    public async Task The_cancellation_token_reaches_the_handler_the_store_and_the_commit()
    {
        using var source = new CancellationTokenSource();
        var next = new Next<Send, Result<Sent>>(Accepted);

        await _behavior.Handle(new Send("ann@example.com", "order-42"), next.Delegate, source.Token);

        Assert.Equal(source.Token, next.LastToken);
        Assert.Equal(source.Token, _store.LastToken);
        Assert.Equal(source.Token, _unitOfWork.LastToken);
    }

    public sealed record Send(string To, string? LocalId) : ICommand<Result<Sent>>, IIdempotentCommand
    {
        public string? IdempotencyKey => LocalId;
    }

    public sealed record Sent(long Id, string Status, DateTimeOffset Date);

    public sealed record Archive(long Id, string? LocalId) : ICommand<Result>, IIdempotentCommand
    {
        public string? IdempotencyKey => LocalId;
    }

    private sealed class Tenant(long organizationId) : ICurrentTenant
    {
        public long OrganizationId { get; } = organizationId;
    }

    /// <summary>
    /// Records as the database holds them: <see cref="Add"/> stages a record in the unit of work, a commit
    /// makes it visible to <see cref="FindAsync"/>, a failed commit drops it (the transaction rolls back).
    /// </summary>
    private sealed class MemoryIdempotencyStore : IIdempotencyStore
    {
        public List<IdempotencyRecord> Committed { get; } = [];

        public List<IdempotencyRecord> Pending { get; } = [];

        public List<string> Log { get; } = [];

        public int Finds { get; private set; }

        public int Adds { get; private set; }

        public CancellationToken LastToken { get; private set; }

        public Task<IdempotencyRecord?> FindAsync(string key, CancellationToken cancellationToken)
        {
            Finds++;
            LastToken = cancellationToken;
            Log.Add("find");
            return Task.FromResult(Committed.SingleOrDefault(r => r.Key == key));
        }

        public void Add(IdempotencyRecord record)
        {
            Adds++;
            Log.Add("add");
            Pending.Add(record);
        }

        public Task RemoveExpiredAsync(string key, DateTimeOffset before, CancellationToken cancellationToken)
        {
            Log.Add("remove expired");
            Committed.RemoveAll(r => r.Key == key && r.CreatedAt < before);
            return Task.CompletedTask;
        }
    }

    /// <summary>Commits the store's staged records; can be told to lose a race once (a winner's record appears, the commit throws).</summary>
    private sealed class CommittingUnitOfWork(MemoryIdempotencyStore store) : IUnitOfWork
    {
        public void Forget(Modular.Domain.Common.AggregateRoot aggregate)
        {
        }

        private IdempotencyRecord? _winner;

        public int Commits { get; private set; }

        public CancellationToken LastToken { get; private set; }

        public Exception? ThrowOnCommit { get; set; }

        public void LoseRaceTo(IdempotencyRecord winner) => _winner = winner;

        public Task SaveChangesAsync(CancellationToken cancellationToken)
        {
            LastToken = cancellationToken;
            store.Log.Add("commit");
            if (_winner is { } winner)
            {
                _winner = null;
                store.Pending.Clear();
                store.Committed.Add(winner);
                throw new UniqueConstraintException("pk_idempotency_records", new InvalidOperationException("duplicate key"));
            }

            if (ThrowOnCommit is { } exception)
            {
                store.Pending.Clear();
                throw exception;
            }

            Commits++;
            store.Committed.AddRange(store.Pending);
            store.Pending.Clear();
            return Task.CompletedTask;
        }
    }
}
