using Modular.Domain.Common;

namespace Modular.Domain.UnitTests.Common;

public sealed class ErrorTests
{
    [Fact]
    public void Validation_error_names_the_field_at_fault()
    {
        var error = Error.Validation("subject", "Too long.");

        Assert.Equal("validation", error.Code);
        Assert.Equal("Too long.", error.Message);
        Assert.Equal(ErrorType.Validation, error.Type);
        Assert.NotNull(error.Fields);
        Assert.Equal(["Too long."], error.Fields["subject"]);
    }

    [Fact]
    public void Validation_error_can_name_several_fields()
    {
        var fields = new Dictionary<string, string[]>
        {
            ["to"] = ["Required."],
            ["subject"] = ["Too long."],
        };

        var error = Error.Validation(fields);

        Assert.Equal("validation", error.Code);
        Assert.Equal(ErrorType.Validation, error.Type);
        Assert.Same(fields, error.Fields);
    }

    [Fact]
    public void Not_found_error_names_what_was_missing()
    {
        var error = Error.NotFound("conversation", 12);

        Assert.Equal("conversation.not_found", error.Code);
        Assert.Equal("Conversation 12 was not found.", error.Message);
        Assert.Equal(ErrorType.NotFound, error.Type);
        Assert.Null(error.Fields);
    }

    [Fact]
    public void Not_found_error_accepts_an_empty_name()
    {
        var error = Error.NotFound(string.Empty, 1);

        Assert.Equal(".not_found", error.Code);
        Assert.Equal(" 1 was not found.", error.Message);
    }

    [Fact]
    public void Conflict_error_keeps_its_code_and_message()
    {
        var error = Error.Conflict("message.not_scheduled", "Not scheduled.");

        Assert.Equal("message.not_scheduled", error.Code);
        Assert.Equal("Not scheduled.", error.Message);
        Assert.Equal(ErrorType.Conflict, error.Type);
        Assert.Null(error.Fields);
    }
}
