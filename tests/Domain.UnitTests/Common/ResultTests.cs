using Modular.Domain.Common;

namespace Modular.Domain.UnitTests.Common;

public sealed class ResultTests
{
    [Fact]
    public void Success_has_no_error()
    {
        var result = Result.Success();

        Assert.True(result.IsSuccess);
        Assert.False(result.IsFailure);
        Assert.Null(result.Error);
    }

    [Fact]
    public void Failure_carries_its_error()
    {
        var error = Error.Conflict("thing.busy", "The thing is busy.");

        var result = Result.Failure(error);

        Assert.False(result.IsSuccess);
        Assert.True(result.IsFailure);
        Assert.Same(error, result.Error);
    }

    [Fact]
    public void An_error_converts_to_a_failed_result()
    {
        var error = Error.Conflict("thing.busy", "The thing is busy.");

        Result result = error;

        Assert.Same(error, result.Error);
    }

    [Fact]
    public void Success_with_a_value_exposes_the_value()
    {
        var result = Result.Success(42);

        Assert.True(result.IsSuccess);
        Assert.Equal(42, result.Value);
    }

    [Fact]
    public void A_value_converts_to_a_successful_result()
    {
        Result<string> result = "hello";

        Assert.True(result.IsSuccess);
        Assert.Equal("hello", result.Value);
    }

    [Fact]
    public void An_error_converts_to_a_failed_result_with_a_value_type()
    {
        var error = Error.NotFound("contact", 7);

        Result<int> result = error;

        Assert.True(result.IsFailure);
        Assert.Same(error, result.Error);
    }

    [Fact]
    public void Reading_the_value_of_a_failure_throws()
    {
        var result = Result<int>.Failure(Error.NotFound("contact", 7));

        var thrown = Assert.Throws<InvalidOperationException>(() => result.Value);
        Assert.Contains("contact.not_found", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_result_can_be_made_from_an_error_without_knowing_its_type()
    {
        var error = Error.Conflict("thing.busy", "The thing is busy.");

        var result = Fail<Result>(error);

        Assert.True(result.IsFailure);
        Assert.Same(error, result.Error);
    }

    [Fact]
    public void Result_with_a_value_can_be_made_from_an_error_without_knowing_its_type()
    {
        var error = Error.NotFound("channel", 4);

        var result = Fail<Result<string>>(error);

        Assert.True(result.IsFailure);
        Assert.Same(error, result.Error);
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }

    private static TResult Fail<TResult>(Error error)
        where TResult : IFailable<TResult> => TResult.Fail(error);
}
