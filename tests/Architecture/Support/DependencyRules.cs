using System.Reflection;
using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace Modular.ArchitectureTests.Support;

/// <summary>
/// Dependency rules as functions of a selection of types, so the same rule runs over the service and
/// over the deliberately bad types of the canary tests. Each returns the names of the types breaking it.
/// </summary>
internal static class DependencyRules
{
    /// <summary>Types of <paramref name="types"/> that use any of <paramref name="namespaces"/>.</summary>
    public static IReadOnlyList<string> UsesOfAny(PredicateList types, params string[] namespaces) =>
        ArchAssert.FailingTypeNames(types.ShouldNot().HaveDependencyOnAny(namespaces).GetResult());

    /// <summary>Types of <paramref name="types"/> that use anything outside <paramref name="allowed"/>.</summary>
    public static IReadOnlyList<string> UsesOfAnythingBut(PredicateList types, params string[] allowed) =>
        ArchAssert.FailingTypeNames(types.ShouldNot().HaveDependenciesOtherThan(allowed).GetResult());

    /// <summary>
    /// Types in another module's folder of any of <paramref name="layers"/> that use the
    /// <paramref name="module"/> folder of <paramref name="targetLayer"/> (for example a type under
    /// <c>Modular.Infrastructure.Contacts</c> using <c>Modular.Infrastructure.Channels</c>). Code outside
    /// module folders (shared persistence, the composition root) may use every module.
    /// </summary>
    public static IReadOnlyList<string> CrossModuleUses(
        IEnumerable<Assembly> assemblies, string root, IReadOnlyList<string> layers, string targetLayer, string module, IReadOnlyList<string> modules)
    {
        var others = modules.Where(m => m != module).Select(Regex.Escape);
        var pattern = $@"^{Regex.Escape(root)}\.({string.Join('|', layers.Select(Regex.Escape))})\.({string.Join('|', others)})(\.|$)";
        var result = Types.InAssemblies(assemblies)
            .That().ResideInNamespaceMatching(pattern)
            .ShouldNot().HaveDependencyOn($"{root}.{targetLayer}.{module}")
            .GetResult();
        return ArchAssert.FailingTypeNames(result);
    }

    /// <summary>The modules that have at least one type in <c>{root}.{layer}.{module}</c>; the others are skipped.</summary>
    public static IReadOnlyList<string> ModulesWithTypes(IEnumerable<Assembly> assemblies, string root, string layer, IReadOnlyList<string> modules)
    {
        var namespaces = assemblies.SelectMany(a => a.GetTypes()).Select(t => t.Namespace).OfType<string>().Distinct().ToList();
        return [.. modules.Where(m => namespaces.Any(ns => IsInside(ns, $"{root}.{layer}.{m}")))];
    }

    public static bool IsInside(string @namespace, string container) =>
        @namespace == container || @namespace.StartsWith(container + ".", StringComparison.Ordinal);

    /// <summary>
    /// The use-case namespaces of a layer: <c>{root}.{layer}.{module}.{UseCase}</c>, one folder per use
    /// case (a module's root and its <c>Ports</c> are shared, not use cases).
    /// </summary>
    public static IReadOnlyList<string> UseCaseNamespaces(Assembly assembly, string root, string layer, IReadOnlyList<string> modules) =>
        [.. assembly.GetTypes().Select(t => t.Namespace).OfType<string>().Distinct()
            .Select(ns => ns.Split('.'))
            .Where(parts => parts.Length >= 4 && parts[0] == root && parts[1] == layer && modules.Contains(parts[2]) && parts[3] != "Ports")
            .Select(parts => string.Join('.', parts[..4]))
            .Distinct()
            .Order(StringComparer.Ordinal)];

    /// <summary>Types of the use case <paramref name="useCase"/> that use another of <paramref name="useCases"/>.</summary>
    public static IReadOnlyList<string> UsesOfOtherUseCases(Assembly assembly, string useCase, IReadOnlyList<string> useCases) =>
        ArchAssert.FailingTypeNames(Types.InAssembly(assembly)
            .That().ResideInNamespaceMatching($@"^{Regex.Escape(useCase)}(\.|$)")
            .ShouldNot().HaveDependencyOnAny([.. useCases.Where(u => u != useCase)])
            .GetResult());

    /// <summary>Types under <c>{root}.{layer}.Common</c> that use any module of the layer.</summary>
    public static IReadOnlyList<string> CommonUsesOfModules(Assembly assembly, string root, string layer, IReadOnlyList<string> modules) =>
        ArchAssert.FailingTypeNames(Types.InAssembly(assembly)
            .That().ResideInNamespaceStartingWith($"{root}.{layer}.Common")
            .ShouldNot().HaveDependencyOnAny([.. modules.Select(m => $"{root}.{layer}.{m}")])
            .GetResult());
}
