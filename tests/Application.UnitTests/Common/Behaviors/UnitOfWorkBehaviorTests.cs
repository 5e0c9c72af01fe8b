using Mediator;
using Modular.Application.Common.Behaviors;
using Modular.Application.Common.Idempotency;
using Modular.Application.Common.Persistence;
using Modular.Domain.Common;

namespace Modular.Application.UnitTests.Common.Behaviors;

public sealed class UnitOfWorkBehaviorTests
{
    private readonly CountingUnitOfWork _unitOfWork = new();

    [Fact]
    public async Task A_successful_command_commits_once_after_its_handler()
    {
        var log = _unitOfWork.Log;
        var next = new Next<Rename, Result<string>>(Result.Success("renamed")) { OnCall = () => log.Add("handler") };
        var behavior = new UnitOfWorkBehavior<Rename, Result<string>>(_unitOfWork);

        var result = await behavior.Handle(new Rename("Ann"), next.Delegate, CancellationToken.None);

        Assert.Equal("renamed", result.Value);
        Assert.Equal(1, _unitOfWork.Commits);
        Assert.Equal(["handler", "commit"], log);
    }

    [Fact]
    public async Task A_failed_result_commits_nothing()
    {
        var next = new Next<Rename, Result<string>>(Error.Validation("name", "A name is required."));
        var behavior = new UnitOfWorkBehavior<Rename, Result<string>>(_unitOfWork);

        var result = await behavior.Handle(new Rename(""), next.Delegate, CancellationToken.None);

        Assert.True(result.IsFailure);
        Assert.Equal(1, next.Calls);
        Assert.Equal(0, _unitOfWork.Commits);
    }

    [Theory]
    [InlineData(ErrorType.NotFound)]
    [InlineData(ErrorType.Conflict)]
    public async Task A_failed_plain_result_of_any_kind_commits_nothing(ErrorType type)
    {
        var error = new Error("refused", "Refused.", type);
        var next = new Next<Archive, Result>(Result.Failure(error));
        var behavior = new UnitOfWorkBehavior<Archive, Result>(_unitOfWork);

        var result = await behavior.Handle(new Archive(7), next.Delegate, CancellationToken.None);

        Assert.Same(error, result.Error);
        Assert.Equal(0, _unitOfWork.Commits);
    }

    [Fact]
    public async Task A_successful_plain_result_commits_once()
    {
        var next = new Next<Archive, Result>(Result.Success());
        var behavior = new UnitOfWorkBehavior<Archive, Result>(_unitOfWork);

        await behavior.Handle(new Archive(7), next.Delegate, CancellationToken.None);

        Assert.Equal(1, _unitOfWork.Commits);
    }

    [Fact]
    public async Task A_handler_that_throws_commits_nothing()
    {
        var next = new Next<Rename, Result<string>> { OnCall = () => throw new InvalidOperationException("boom") };
        var behavior = new UnitOfWorkBehavior<Rename, Result<string>>(_unitOfWork);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await behavior.Handle(new Rename("Ann"), next.Delegate, CancellationToken.None));

        Assert.Equal(0, _unitOfWork.Commits);
    }

    [Fact]
    public async Task Each_command_commits_separately()
    {
        var next = new Next<Rename, Result<string>>(Result.Success("ok"));
        var behavior = new UnitOfWorkBehavior<Rename, Result<string>>(_unitOfWork);

        await behavior.Handle(new Rename("Ann"), next.Delegate, CancellationToken.None);
        await behavior.Handle(new Rename("Bob"), next.Delegate, CancellationToken.None);

        Assert.Equal(2, _unitOfWork.Commits);
    }

    [Fact]
    public async Task The_commit_gets_the_commands_cancellation_token()
    {
        using var source = new CancellationTokenSource();
        var next = new Next<Rename, Result<string>>(Result.Success("ok"));
        var behavior = new UnitOfWorkBehavior<Rename, Result<string>>(_unitOfWork);

        await behavior.Handle(new Rename("Ann"), next.Delegate, source.Token);

        Assert.Equal(source.Token, _unitOfWork.LastToken);
        Assert.Equal(source.Token, next.LastToken);
    }

    [Theory]
    [InlineData("order-42")]
    [InlineData(" ")]
    public async Task A_command_with_an_idempotency_key_is_left_to_the_idempotency_behavior_to_commit(string key)
    {
        var next = new Next<Send, Result<string>>(Result.Success("sent"));
        var behavior = new UnitOfWorkBehavior<Send, Result<string>>(_unitOfWork);

        var result = await behavior.Handle(new Send(key), next.Delegate, CancellationToken.None);

        Assert.Equal("sent", result.Value);
        Assert.Equal(1, next.Calls);
        Assert.Equal(0, _unitOfWork.Commits);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_command_that_could_carry_a_key_but_has_none_commits_as_usual(string? key)
    {
        var next = new Next<Send, Result<string>>(Result.Success("sent"));
        var behavior = new UnitOfWorkBehavior<Send, Result<string>>(_unitOfWork);

        await behavior.Handle(new Send(key), next.Delegate, CancellationToken.None);

        Assert.Equal(1, _unitOfWork.Commits);
    }

    [Fact]
    public async Task A_failed_command_without_a_key_still_commits_nothing()
    {
        var next = new Next<Send, Result<string>>(Error.Validation("to", "A recipient is required."));
        var behavior = new UnitOfWorkBehavior<Send, Result<string>>(_unitOfWork);

        await behavior.Handle(new Send(null), next.Delegate, CancellationToken.None);

        Assert.Equal(0, _unitOfWork.Commits);
    }

    public sealed record Rename(string Name) : ICommand<Result<string>>;

    public sealed record Send(string? LocalId) : ICommand<Result<string>>, IIdempotentCommand
    {
        public string? IdempotencyKey => LocalId;
    }

    public sealed record Archive(long Id) : ICommand<Result>;

    /// <summary>A unit of work that only counts its commits (the real one is covered by integration tests).</summary>
    private sealed class CountingUnitOfWork : IUnitOfWork
    {
        public void Forget(Modular.Domain.Common.AggregateRoot aggregate)
        {
        }

        public int Commits { get; private set; }

        public CancellationToken LastToken { get; private set; }

        public List<string> Log { get; } = [];

        public Task SaveChangesAsync(CancellationToken cancellationToken)
        {
            Commits++;
            LastToken = cancellationToken;
            Log.Add("commit");
            return Task.CompletedTask;
        }
    }
}
