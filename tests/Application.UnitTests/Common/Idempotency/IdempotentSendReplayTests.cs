using Modular.Application.Common.Idempotency;
using Modular.Application.Common.Persistence;
using Modular.Application.Contacts;
using Modular.Application.Messaging.SendChannelEmail;
using Modular.Application.Messaging.SendInboxEmail;
using Modular.Application.UnitTests.Common.Behaviors;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Common;

namespace Modular.Application.UnitTests.Common.Idempotency;

/// <summary>The behavior over the real send commands: their answers survive the round trip through the stored JSON.</summary>
public sealed class IdempotentSendReplayTests
{
    [Fact]
    public async Task A_repeated_channel_send_replays_the_first_answer()
    {
        var command = new SendChannelEmailCommand(
            "support@example.com", "Ann <ann@example.com>", "Your order", "<p>Hi</p>", ["https://files.example.com/a.pdf"], ["bob@example.com"], null,
            null, "Support", null, "2025-06-02T09:00:00Z", "open", [new ChannelRef(1)], false, "order-42");
        var first = new SendChannelEmailResponse(new SentEmail(41, 3, 9, "scheduled"));

        // The repeat arrives as a new request: equal lists, not the same instances.
        var (replayed, calls, context) = await SendTwice(
            command, first, c => c with { Attachments = ["https://files.example.com/a.pdf"], Cc = ["bob@example.com"], OptInTo = [new ChannelRef(1)] });

        Assert.Equal(1, calls);
        Assert.True(context.Replayed);
        Assert.Equal(first, replayed.Value);
    }

    [Fact]
    public async Task A_repeated_inbox_send_replays_the_first_answer_with_its_compliance_results()
    {
        var command = new SendInboxEmailCommand(1, 2, "<p>Hi</p>", "Hi", "order-42", "Your order", ["to:ann@example.com", "cc:bob@example.com"], null, null);
        var first = new SendInboxEmailResponse(41, 9, true, Clock.Now, new Dictionary<string, string> { ["bob@example.com"] = "opted_out" });

        var (replayed, calls, context) = await SendTwice(command, first, c => c with { });

        Assert.Equal(1, calls);
        Assert.True(context.Replayed);
        Assert.Equal((41L, 9L, true, Clock.Now), (replayed.Value.Id, replayed.Value.ConvoId, replayed.Value.Queued, replayed.Value.Date));
        Assert.Equal("opted_out", Assert.Single(replayed.Value.ComplianceResults).Value);
    }

    [Fact]
    public async Task An_inbox_send_with_the_same_key_but_other_targets_is_refused()
    {
        var command = new SendInboxEmailCommand(1, 2, "<p>Hi</p>", null, "order-42", null, ["to:ann@example.com"], null, null);
        var first = new SendInboxEmailResponse(41, 9, true, Clock.Now, new Dictionary<string, string>());

        var (replayed, calls, context) = await SendTwice(command, first, c => c with { Targets = ["to:bob@example.com"] });

        Assert.Equal(1, calls);
        Assert.False(context.Replayed);
        Assert.Equal(["local_id"], replayed.Error!.Fields!.Keys);
    }

    private static async Task<(Result<TResponse> Second, int Calls, IdempotencyContext Context)> SendTwice<TCommand, TResponse>(
        TCommand command, TResponse first, Func<TCommand, TCommand> repeat)
        where TCommand : Mediator.ICommand<Result<TResponse>>, IIdempotentCommand
    {
        var store = new SingleRecordStore();
        var unitOfWork = new NoOpUnitOfWork();
        var next = new Next<TCommand, Result<TResponse>>(Result.Success(first));
        await new IdempotencyBehavior<TCommand, Result<TResponse>>(store, unitOfWork, new IdempotencyContext(), new OneTenant(), Retention, new FixedClock())
            .Handle(command, next.Delegate, CancellationToken.None);

        var context = new IdempotencyContext();
        var second = await new IdempotencyBehavior<TCommand, Result<TResponse>>(store, unitOfWork, context, new OneTenant(), Retention, new FixedClock())
            .Handle(repeat(command), next.Delegate, CancellationToken.None);
        return (second, next.Calls, context);
    }

    private static readonly IdempotencyRetention Retention = new(IdempotencyRetention.DefaultPeriod);

    private sealed class OneTenant : ICurrentTenant
    {
        public long OrganizationId => 1;
    }

    private sealed class SingleRecordStore : IIdempotencyStore
    {
        private IdempotencyRecord? _record;

        public Task<IdempotencyRecord?> FindAsync(string key, CancellationToken cancellationToken) =>
            Task.FromResult(_record?.Key == key ? _record : null);

        public void Add(IdempotencyRecord record) => _record = record;

        public Task RemoveExpiredAsync(string key, DateTimeOffset before, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class NoOpUnitOfWork : IUnitOfWork
    {
        public void Forget(Modular.Domain.Common.AggregateRoot aggregate)
        {
        }

        public Task SaveChangesAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
