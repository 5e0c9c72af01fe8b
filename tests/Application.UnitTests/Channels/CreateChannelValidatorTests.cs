using Modular.Application.Channels;
using Modular.Application.Channels.CreateChannel;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Channels;

public sealed class CreateChannelValidatorTests
{
    private static readonly SmtpInput Relay = new("smtp.example.com", 587, "starttls", "mailer", "secret");

    private static readonly CreateChannelCommand Valid = new("Support", "support@example.com", "Support Team", Relay);

    private readonly CreateChannelValidator _validator = new();

    [Fact]
    public void A_complete_channel_is_valid() => ValidationAssert.Valid(_validator.Validate(Valid));

    [Fact]
    public void A_channel_on_the_default_relay_needs_only_a_name_and_an_address() =>
        ValidationAssert.Valid(_validator.Validate(new CreateChannelCommand("Support", "support@example.com", null, null)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_name_is_required(string? name) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Name = name }), "Name");

    [Fact]
    public void A_name_has_at_most_200_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { Name = new string('n', 200) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Name = new string('n', 201) }), "Name");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("support")]
    [InlineData("invalid@something")]
    [InlineData("support@example.com\r\nBcc: victim@example.com")]
    [InlineData("Support <support@example.com>")]
    public void The_address_must_be_an_addr_spec_with_a_dotted_domain(string? email)
    {
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Email = email }), "Email"));

        Assert.False(string.IsNullOrWhiteSpace(failure.ErrorMessage));
    }

    [Theory]
    [InlineData("Support@Example.COM")]
    [InlineData("support+news@mail.example.co.uk")]
    [InlineData("support@[192.0.2.1]")]
    public void Common_address_forms_are_accepted(string email) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { Email = email }));

    [Theory]
    [InlineData("Support\r\nBcc: victim@example.com")]
    [InlineData("Support\nTeam")]
    public void A_sender_name_is_one_line(string senderName) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { SenderName = senderName }), "SenderName");

    [Fact]
    public void A_sender_name_has_at_most_200_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { SenderName = new string('s', 200) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { SenderName = new string('s', 201) }), "SenderName");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("smtp example com")]
    [InlineData("smtp.example.com\t")]
    public void The_relay_needs_a_host_without_spaces(string? host) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Smtp = Relay with { Host = host } }), "Smtp.Host");

    [Fact]
    public void The_relay_host_has_at_most_255_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { Smtp = Relay with { Host = new string('h', 255) } }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Smtp = Relay with { Host = new string('h', 256) } }), "Smtp.Host");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-25)]
    [InlineData(65536)]
    public void The_relay_port_is_between_1_and_65535(int port) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Smtp = Relay with { Port = port } }), "Smtp.Port");

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    [InlineData(25)]
    [InlineData(65535)]
    public void A_relay_port_in_range_or_none_for_the_default_is_accepted(int? port) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { Smtp = Relay with { Port = port } }));

    [Theory]
    [InlineData("tls")]
    [InlineData("starttls ")]
    [InlineData("")]
    public void The_relay_security_is_none_starttls_or_ssl(string security) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Smtp = Relay with { Security = security } }), "Smtp.Security");

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    [InlineData("starttls")]
    [InlineData("ssl")]
    [InlineData("SSL")]
    [InlineData("StartTLS")]
    public void The_relay_security_is_accepted_in_any_case_or_left_out(string? security) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { Smtp = Relay with { Security = security } }));

    [Fact]
    public void The_relay_user_is_one_line_of_at_most_255_characters()
    {
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Smtp = Relay with { Username = "mailer\r\nRCPT TO:<x@example.com>" } }), "Smtp.Username");
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Smtp = Relay with { Username = new string('u', 256) } }), "Smtp.Username");
        ValidationAssert.Valid(_validator.Validate(Valid with { Smtp = Relay with { Username = new string('u', 255) } }));
        ValidationAssert.Valid(_validator.Validate(Valid with { Smtp = Relay with { Username = null, Password = null } }));
    }

    [Fact]
    public void The_relay_password_has_at_most_1024_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { Smtp = Relay with { Password = new string('p', 1024) } }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Smtp = Relay with { Password = new string('p', 1025) } }), "Smtp.Password");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    [InlineData(100)]
    public void The_relay_max_connections_is_absent_or_from_1_to_100(int? maxConnections)
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { Smtp = Relay with { MaxConnections = maxConnections } }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void The_relay_max_connections_outside_1_to_100_is_refused(int maxConnections)
    {
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Smtp = Relay with { MaxConnections = maxConnections } }), "Smtp.MaxConnections");
    }

    [Fact]
    public void Every_broken_field_is_reported_at_once()
    {
        var result = _validator.Validate(new CreateChannelCommand("", "nope", "a\nb", new SmtpInput(" ", 70000, "tls", "x\ny", new string('p', 1025))));

        Assert.Equal(
            ["Email", "Name", "SenderName", "Smtp.Host", "Smtp.Password", "Smtp.Port", "Smtp.Security", "Smtp.Username"],
            result.Errors.Select(e => e.PropertyName).Distinct().Order(StringComparer.Ordinal));
    }
}
