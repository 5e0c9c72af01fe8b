using Modular.ArchitectureTests.Support;
using NetArchTest.Rules;

namespace Modular.ArchitectureTests;

/// <summary>What each layer may use inside, and that no module reaches into another module's adapters or endpoints.</summary>
public sealed class NamespaceRuleTests
{
    public static TheoryData<string> ForbiddenInApplication => [.. Layers.ForbiddenInApplication];

    public static TheoryData<string> InfrastructureModules =>
        [.. DependencyRules.ModulesWithTypes(Layers.All, Layers.Root, "Infrastructure", Layers.Modules)];

    public static TheoryData<string> ApiModules =>
        [.. DependencyRules.ModulesWithTypes(Layers.All, Layers.Root, "Api", Layers.Modules)];

    [Theory]
    [MemberData(nameof(ForbiddenInApplication))]
    public void Application_never_touches_adapters_or_the_web_host(string forbidden) =>
        ArchAssert.NoViolations(
            DependencyRules.UsesOfAny(Types.InAssembly(Layers.Application).That().ResideInNamespaceStartingWith("Modular"), forbidden),
            $"Modular.Application uses nothing of {forbidden}");

    [Fact]
    public void Domain_touches_nothing_but_System() =>
        ArchAssert.NoViolations(
            DependencyRules.UsesOfAnythingBut(Types.InAssembly(Layers.Domain).That().ResideInNamespaceStartingWith("Modular.Domain"), "System", "Modular.Domain"),
            "Modular.Domain uses only System.* and itself");

    [Theory]
    [MemberData(nameof(InfrastructureModules))]
    public void No_other_module_uses_a_modules_Infrastructure(string module) =>
        ArchAssert.NoViolations(
            DependencyRules.CrossModuleUses(Layers.All, Layers.Root, Layers.ModuleLayers, "Infrastructure", module, Layers.Modules),
            $"no other module's code uses Modular.Infrastructure.{module}");

    [Theory]
    [MemberData(nameof(ApiModules))]
    public void No_other_module_uses_a_modules_Api(string module) =>
        ArchAssert.NoViolations(
            DependencyRules.CrossModuleUses(Layers.All, Layers.Root, Layers.ModuleLayers, "Api", module, Layers.Modules),
            $"no other module's code uses Modular.Api.{module}");

    public static TheoryData<string> ApplicationUseCases =>
        [.. DependencyRules.UseCaseNamespaces(Layers.Application, Layers.Root, "Application", Layers.Modules)];

    [Theory]
    [MemberData(nameof(ApplicationUseCases))]
    public void A_use_case_uses_no_other_use_case(string useCase) =>
        ArchAssert.NoViolations(
            DependencyRules.UsesOfOtherUseCases(Layers.Application, useCase, DependencyRules.UseCaseNamespaces(Layers.Application, Layers.Root, "Application", Layers.Modules)),
            $"{useCase} uses no other use case's namespace (shared pieces live in the module's root or in Common)");

    [Fact]
    public void Application_Common_uses_no_module() =>
        ArchAssert.NoViolations(
            DependencyRules.CommonUsesOfModules(Layers.Application, Layers.Root, "Application", Layers.Modules),
            "Modular.Application.Common uses no module");

    [Fact]
    public void Delivery_is_one_use_case_of_Messaging() =>
        Assert.Contains("Modular.Application.Messaging.Delivery", DependencyRules.UseCaseNamespaces(Layers.Application, Layers.Root, "Application", Layers.Modules));

    [Fact]
    public void The_module_rules_have_modules_to_check()
    {
        // Modules without types in a layer are skipped; if none had any, the rules above would prove nothing.
        Assert.NotEmpty(DependencyRules.ModulesWithTypes(Layers.All, Layers.Root, "Infrastructure", Layers.Modules));
        Assert.NotEmpty(DependencyRules.ModulesWithTypes(Layers.All, Layers.Root, "Api", Layers.Modules));
    }
}
