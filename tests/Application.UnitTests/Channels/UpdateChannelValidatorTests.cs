using Modular.Application.Channels;
using Modular.Application.Channels.UpdateChannel;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Channels;

public sealed class UpdateChannelValidatorTests
{
    private static readonly SmtpInput Relay = new("smtp.example.com", 465, "ssl", "mailer", null);

    private static readonly UpdateChannelCommand Nothing = new(7, null, null, null, null, null);

    private readonly UpdateChannelValidator _validator = new();

    [Fact]
    public void A_change_of_nothing_is_valid() => ValidationAssert.Valid(_validator.Validate(Nothing));

    [Fact]
    public void Every_field_may_change_at_once() =>
        ValidationAssert.Valid(_validator.Validate(new UpdateChannelCommand(7, "Sales", "sales@example.com", "Sales", Relay, null)));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_name_given_cannot_be_blank(string name) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Nothing with { Name = name }), "Name");

    [Fact]
    public void A_name_given_has_at_most_200_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Nothing with { Name = new string('n', 200) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Nothing with { Name = new string('n', 201) }), "Name");
    }

    [Theory]
    [InlineData("")]
    [InlineData("sales")]
    [InlineData("invalid@something")]
    [InlineData("sales@example.com\nBcc: x@example.com")]
    public void An_address_given_must_be_valid(string email) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Nothing with { Email = email }), "Email");

    [Fact]
    public void A_sender_name_given_is_one_line_of_at_most_200_characters()
    {
        ValidationAssert.FailsOnlyOn(_validator.Validate(Nothing with { SenderName = "Sales\r\nX-Evil: 1" }), "SenderName");
        ValidationAssert.FailsOnlyOn(_validator.Validate(Nothing with { SenderName = new string('s', 201) }), "SenderName");
        ValidationAssert.Valid(_validator.Validate(Nothing with { SenderName = "" }));
    }

    [Fact]
    public void New_relay_settings_are_checked_like_on_create()
    {
        var result = _validator.Validate(Nothing with { Smtp = new SmtpInput("smtp example", 0, "tls", "a\nb", null) });

        Assert.Equal(
            ["Smtp.Host", "Smtp.Port", "Smtp.Security", "Smtp.Username"],
            result.Errors.Select(e => e.PropertyName).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Relay_settings_and_the_default_relay_are_exclusive()
    {
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(Nothing with { Smtp = Relay, UseDefaultRelay = true }), "UseDefaultRelay"));

        Assert.Equal("Give either smtp or use_default_relay, not both.", failure.ErrorMessage);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_default_relay_flag_alone_is_valid(bool useDefault) =>
        ValidationAssert.Valid(_validator.Validate(Nothing with { UseDefaultRelay = useDefault }));

    [Fact]
    public void Relay_settings_with_the_flag_off_are_valid() =>
        ValidationAssert.Valid(_validator.Validate(Nothing with { Smtp = Relay, UseDefaultRelay = false }));
}
