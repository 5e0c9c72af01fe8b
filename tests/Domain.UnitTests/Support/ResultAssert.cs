using Modular.Domain.Common;

namespace Modular.Domain.UnitTests.Support;

/// <summary>Assertions on <see cref="Result"/> outcomes.</summary>
internal static class ResultAssert
{
    public static void Success(Result result)
    {
        Assert.True(result.IsSuccess, result.Error is null ? null : $"{result.Error.Code}: {result.Error.Message}");
        Assert.False(result.IsFailure);
        Assert.Null(result.Error);
    }

    public static T Success<T>(Result<T> result)
    {
        Success((Result)result);
        return result.Value;
    }

    public static Error ValidationError(Result result, string field)
    {
        Assert.True(result.IsFailure, $"Expected a validation error on '{field}', but the result succeeded.");
        var error = result.Error!;
        Assert.Equal(ErrorType.Validation, error.Type);
        Assert.Equal("validation", error.Code);
        Assert.NotNull(error.Fields);
        Assert.Contains(field, error.Fields.Keys);
        Assert.NotEmpty(error.Fields[field]);
        return error;
    }

    public static Error Conflict(Result result, string code)
    {
        Assert.True(result.IsFailure, $"Expected a conflict '{code}', but the result succeeded.");
        var error = result.Error!;
        Assert.Equal(ErrorType.Conflict, error.Type);
        Assert.Equal(code, error.Code);
        return error;
    }
}
