using Modular.Domain.Common;

// Deliberately bad types: each breaks one rule, and CanaryTests expects the rule helpers to say so.
namespace Modular.ArchitectureTests.Canary.Domain;

/// <summary>Breaks "no public setters": anyone can rename it without a method that checks a rule.</summary>
public sealed class LeakyAggregate : AggregateRoot
{
    public string Name { get; set; } = string.Empty;

    public string Code { get; init; } = string.Empty;
}

/// <summary>Breaks "domain events are immutable".</summary>
public sealed class MutableEvent : IDomainEvent
{
    public long ContactId { get; set; }
}

/// <summary>Keeps the rules: a positional record has only init-only setters.</summary>
public sealed record WellBehavedEvent(long ContactId) : IDomainEvent;
