using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

// Deliberately bad types: each breaks one rule, and CanaryTests expects the rule helpers to say so.
namespace Modular.ArchitectureTests.Canary.Application;

/// <summary>Breaks "Application never touches EF Core" (and so "touches nothing but System").</summary>
public sealed class ContactStore(DbContext db)
{
    public DbContext Db { get; } = db;
}

public sealed record PingCommand(string? Text) : ICommand<int>;

/// <summary>Breaks the handler convention twice: not sealed, and not named …Handler.</summary>
public class PingProcessor : ICommandHandler<PingCommand, int>
{
    public ValueTask<int> Handle(PingCommand command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(command.Text?.Length ?? 0);
}

/// <summary>Keeps the handler convention.</summary>
public sealed class PingHandler : ICommandHandler<PingCommand, int>
{
    public ValueTask<int> Handle(PingCommand command, CancellationToken cancellationToken) => ValueTask.FromResult(0);
}

/// <summary>Breaks the validator convention: not named …Validator.</summary>
public sealed class PingRules : AbstractValidator<PingCommand>
{
    public PingRules() => RuleFor(x => x.Text).NotEmpty();
}
