using Modular.ArchitectureTests.Support;
using NetArchTest.Rules;

namespace Modular.ArchitectureTests;

/// <summary>Api → Application + Infrastructure; Infrastructure → Application; Application → Domain; Domain → nothing.</summary>
public sealed class DependencyRuleTests
{
    [Fact]
    public void Domain_depends_on_no_other_layer() =>
        ArchAssert.NoViolations(
            DependencyRules.UsesOfAny(Types.InAssembly(Layers.Domain).That().ResideInNamespaceStartingWith("Modular"), "Modular.Application", "Modular.Infrastructure", "Modular.Api"),
            "Modular.Domain uses no type of Modular.Application, Modular.Infrastructure or Modular.Api");

    [Fact]
    public void Application_depends_on_neither_Infrastructure_nor_Api() =>
        ArchAssert.NoViolations(
            DependencyRules.UsesOfAny(Types.InAssembly(Layers.Application).That().ResideInNamespaceStartingWith("Modular"), "Modular.Infrastructure", "Modular.Api"),
            "Modular.Application uses no type of Modular.Infrastructure or Modular.Api");

    [Fact]
    public void Infrastructure_does_not_depend_on_Api() =>
        ArchAssert.NoViolations(
            DependencyRules.UsesOfAny(Types.InAssembly(Layers.Infrastructure).That().ResideInNamespaceStartingWith("Modular"), "Modular.Api"),
            "Modular.Infrastructure uses no type of Modular.Api");

    [Theory]
    [InlineData("Modular.Domain")]
    [InlineData("Modular.Application", "Modular.Domain")]
    [InlineData("Modular.Infrastructure", "Modular.Application", "Modular.Domain")]
    [InlineData("Modular.Api", "Modular.Application", "Modular.Infrastructure", "Modular.Domain")]
    public void A_layer_references_only_the_assemblies_below_it(string layer, params string[] allowed)
    {
        var assembly = Layers.All.Single(a => a.GetName().Name == layer);

        var wrong = assembly.GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(name => name.StartsWith("Modular.", StringComparison.Ordinal) && !allowed.Contains(name));

        ArchAssert.NoViolations(wrong, $"{layer} references only {(allowed.Length == 0 ? "no Modular assembly" : string.Join(", ", allowed))}");
    }
}
