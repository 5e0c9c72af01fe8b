using FluentValidation.Results;

namespace Modular.Application.UnitTests.Support;

/// <summary>Assertions on FluentValidation results that name what failed.</summary>
internal static class ValidationAssert
{
    public static void Valid(ValidationResult result) =>
        Assert.True(result.IsValid, $"Expected no failure, got: {Describe(result)}");

    /// <summary>The result fails on <paramref name="property"/> (the C# property path, such as <c>Smtp.Host</c>).</summary>
    public static IReadOnlyList<ValidationFailure> FailsOn(ValidationResult result, string property)
    {
        var failures = result.Errors.Where(e => e.PropertyName == property).ToList();
        Assert.True(failures.Count > 0, $"Expected a failure on '{property}', got: {Describe(result)}");
        return failures;
    }

    /// <summary>The result fails on <paramref name="property"/> and nothing else.</summary>
    public static IReadOnlyList<ValidationFailure> FailsOnlyOn(ValidationResult result, string property)
    {
        var failures = FailsOn(result, property);
        Assert.True(result.Errors.All(e => e.PropertyName == property), $"Expected failures on '{property}' only, got: {Describe(result)}");
        return failures;
    }

    public static void PassesOn(ValidationResult result, string property) =>
        Assert.True(result.Errors.All(e => e.PropertyName != property), $"Expected no failure on '{property}', got: {Describe(result)}");

    private static string Describe(ValidationResult result) =>
        result.IsValid ? "(valid)" : string.Join("; ", result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}"));
}
