using Modular.ArchitectureTests.Support;
using Modular.Domain.Common;

namespace Modular.ArchitectureTests;

/// <summary>Names and shapes every use case, event and aggregate keeps (STYLE.md sections 2 and 3).</summary>
public sealed class ConventionTests
{
    private static IEnumerable<Type> OwnTypes => Layers.All.SelectMany(Layers.OwnTypes);

    [Fact]
    public void Mediator_handlers_end_with_Handler_and_are_sealed()
    {
        Assert.NotEmpty(ConventionRules.Handlers(OwnTypes));

        ArchAssert.NoViolations(ConventionRules.HandlerViolations(OwnTypes), "command and query handlers are sealed and named …Handler");
    }

    [Fact]
    public void Validators_end_with_Validator()
    {
        Assert.NotEmpty(ConventionRules.Validators(OwnTypes));

        ArchAssert.NoViolations(ConventionRules.ValidatorViolations(OwnTypes), "FluentValidation validators are named …Validator");
    }

    [Fact]
    public void Domain_events_are_immutable()
    {
        var events = OwnTypes.Where(t => typeof(IDomainEvent).IsAssignableFrom(t) && t != typeof(IDomainEvent)).ToList();
        Assert.NotEmpty(events);

        ArchAssert.NoViolations(ConventionRules.PublicMutableMembers(events), "domain events have no public setter (init only) and no writable public field");
    }

    [Fact]
    public void Aggregates_and_entities_have_no_public_setters()
    {
        var entities = OwnTypes.Where(t => t.IsSubclassOf(typeof(Entity))).ToList();
        Assert.Contains(entities, t => t.IsSubclassOf(typeof(AggregateRoot)));

        ArchAssert.NoViolations(ConventionRules.PublicMutableMembers(entities), "aggregates and entities change only through their methods");
    }
}
