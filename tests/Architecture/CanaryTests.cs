using System.Reflection;
using Modular.ArchitectureTests.Canary.Application;
using Modular.ArchitectureTests.Canary.Domain;
using Modular.ArchitectureTests.Canary.Infrastructure.Contacts;
using Modular.ArchitectureTests.Support;
using Modular.Domain.Common;
using NetArchTest.Rules;

namespace Modular.ArchitectureTests;

/// <summary>
/// Architecture tests that cannot fail prove nothing. Each rule helper is run here over deliberately
/// bad types of this project (namespace <c>Modular.ArchitectureTests.Canary</c>) and must name them.
/// </summary>
public sealed class CanaryTests
{
    private const string CanaryRoot = "Modular.ArchitectureTests.Canary";

    private static readonly Assembly Tests = typeof(CanaryTests).Assembly;

    private static IEnumerable<Type> CanaryTypes =>
        Tests.GetTypes().Where(t => t.Namespace is { } ns && DependencyRules.IsInside(ns, CanaryRoot));

    private static PredicateList CanaryNamespace(string suffix) =>
        Types.InAssembly(Tests).That().ResideInNamespaceStartingWith($"{CanaryRoot}.{suffix}");

    [Fact]
    public void The_forbidden_namespace_rule_catches_a_type_using_EF_Core()
    {
        var violations = DependencyRules.UsesOfAny(CanaryNamespace("Application"), Layers.ForbiddenInApplication);

        Assert.Equal([typeof(ContactStore).FullName!], violations);
    }

    [Fact]
    public void The_layer_rule_catches_a_type_using_a_layer_it_must_not()
    {
        var violations = DependencyRules.UsesOfAny(CanaryNamespace("Domain"), "Modular.Domain");

        Assert.Contains(typeof(LeakyAggregate).FullName!, violations);
    }

    [Fact]
    public void The_System_only_rule_catches_a_type_using_a_library()
    {
        var violations = DependencyRules.UsesOfAnythingBut(CanaryNamespace("Application"), "System", $"{CanaryRoot}.Application");

        Assert.Contains(typeof(ContactStore).FullName!, violations);
    }

    [Fact]
    public void The_module_rule_catches_one_module_using_another_modules_Infrastructure()
    {
        var violations = DependencyRules.CrossModuleUses([Tests], CanaryRoot, ["Infrastructure"], "Infrastructure", "Channels", Layers.Modules);

        Assert.Equal([typeof(ContactImporter).FullName!], violations);
    }

    [Fact]
    public void The_module_rule_skips_modules_without_types()
    {
        var modules = DependencyRules.ModulesWithTypes([Tests], CanaryRoot, "Infrastructure", Layers.Modules);

        Assert.Equal(["Channels", "Contacts"], modules);
    }

    [Fact]
    public void The_handler_rule_catches_an_unsealed_handler_with_another_name()
    {
        var violations = ConventionRules.HandlerViolations(CanaryTypes).ToList();

        Assert.Equal(
            [
                $"{typeof(PingProcessor).FullName}: the name does not end with 'Handler'",
                $"{typeof(PingProcessor).FullName}: not sealed",
            ],
            violations);
    }

    [Fact]
    public void The_validator_rule_catches_a_validator_with_another_name()
    {
        var violations = ConventionRules.ValidatorViolations(CanaryTypes);

        Assert.Equal([$"{typeof(PingRules).FullName}: the name does not end with 'Validator'"], violations);
    }

    [Fact]
    public void The_immutability_rule_catches_a_domain_event_with_a_public_setter()
    {
        var events = CanaryTypes.Where(t => typeof(IDomainEvent).IsAssignableFrom(t));

        var violations = ConventionRules.PublicMutableMembers(events);

        Assert.Equal([$"{typeof(MutableEvent).FullName}.{nameof(MutableEvent.ContactId)}: public setter"], violations);
    }

    [Fact]
    public void The_setter_rule_catches_an_aggregate_with_a_public_setter_but_allows_init()
    {
        var entities = CanaryTypes.Where(t => t.IsSubclassOf(typeof(Entity)));

        var violations = ConventionRules.PublicMutableMembers(entities);

        Assert.Equal([$"{typeof(LeakyAggregate).FullName}.{nameof(LeakyAggregate.Name)}: public setter"], violations);
    }

    [Fact]
    public void A_broken_rule_fails_with_the_names_of_the_types_that_break_it()
    {
        var result = Types.InAssembly(Tests).That().ResideInNamespaceStartingWith($"{CanaryRoot}.Application")
            .ShouldNot().HaveDependencyOn("Microsoft.EntityFrameworkCore").GetResult();

        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ArchAssert.Passes(result, "canary"));

        Assert.Contains(typeof(ContactStore).FullName!, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rules_see_the_services_own_types()
    {
        // The other side of the canaries: the selections over the service are not empty, so a rule
        // that passes there passes because the code keeps it.
        Assert.Contains(
            "Modular.Infrastructure.Persistence.ModularDbContext",
            DependencyRules.UsesOfAny(Types.InAssembly(Layers.Infrastructure).That().ResideInNamespaceStartingWith("Modular"), "Microsoft.EntityFrameworkCore"));
        Assert.Contains(
            "Modular.Application.Common.Behaviors.ValidationBehavior`2",
            DependencyRules.UsesOfAnythingBut(Types.InAssembly(Layers.Application).That().ResideInNamespaceStartingWith("Modular"), "System", "Modular"));

        // A module may use another module's Domain types; the query that forbids it for Infrastructure finds them.
        Assert.Contains(
            "Modular.Infrastructure.Conversations.Persistence.ConversationConfiguration",
            DependencyRules.CrossModuleUses(Layers.All, Layers.Root, Layers.ModuleLayers, "Domain", "Channels", Layers.Modules));
    }

    [Fact]
    public void The_use_case_rule_catches_one_use_case_using_another()
    {
        var messaging = $"{CanaryRoot}.Application.Messaging";
        string[] useCases = [$"{messaging}.SendEmail", $"{messaging}.Reschedule"];

        Assert.Contains($"{messaging}.Reschedule.Rescheduler", DependencyRules.UsesOfOtherUseCases(Tests, $"{messaging}.Reschedule", useCases));
        Assert.Empty(DependencyRules.UsesOfOtherUseCases(Tests, $"{messaging}.SendEmail", useCases));
    }

    [Fact]
    public void The_use_case_namespaces_are_the_folders_below_a_module()
    {
        var useCases = DependencyRules.UseCaseNamespaces(Layers.Application, Layers.Root, "Application", Layers.Modules);

        Assert.Contains("Modular.Application.Messaging.SendChannelEmail", useCases);
        Assert.DoesNotContain("Modular.Application.Messaging.Ports", useCases);
        Assert.DoesNotContain("Modular.Application.Messaging", useCases);
    }

    [Fact]
    public void The_common_rule_catches_Common_using_a_module()
    {
        var violations = DependencyRules.CommonUsesOfModules(Tests, CanaryRoot, "Application", ["Messaging"]);
        Assert.Contains($"{CanaryRoot}.Application.Common.SharedThing", violations);
    }
}
