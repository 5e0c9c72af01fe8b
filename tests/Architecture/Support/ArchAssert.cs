using NetArchTest.Rules;

namespace Modular.ArchitectureTests.Support;

/// <summary>Assertions that name every type breaking a rule.</summary>
internal static class ArchAssert
{
    public static void Passes(TestResult result, string rule) =>
        NoViolations(result.IsSuccessful ? [] : FailingTypeNames(result), rule);

    public static void NoViolations(IEnumerable<string> violations, string rule)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, $"Rule broken: {rule}{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", list)}");
    }

    /// <summary>The names of the failing types; a failure that names none still counts as one.</summary>
    public static IReadOnlyList<string> FailingTypeNames(TestResult result) =>
        result.IsSuccessful ? [] : [.. result.FailingTypeNames ?? ["(NetArchTest reported a failure without type names)"]];
}
