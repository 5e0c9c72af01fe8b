using Modular.Domain.Channels;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Channels;

public sealed class SmtpSettingsTests
{
    [Fact]
    public void Settings_keep_host_port_security_and_credentials()
    {
        var settings = ResultAssert.Success(SmtpSettings.Create("smtp.example.com", 587, SmtpSecurity.StartTls, "ann", "protected-secret"));

        Assert.Equal("smtp.example.com", settings.Host);
        Assert.Equal(587, settings.Port);
        Assert.Equal(SmtpSecurity.StartTls, settings.Security);
        Assert.Equal("ann", settings.Username);
        Assert.Equal("protected-secret", settings.ProtectedPassword);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Empty_username_means_no_authentication(string? username)
    {
        var settings = ResultAssert.Success(SmtpSettings.Create("smtp.example.com", 25, SmtpSecurity.None, username, null));

        Assert.Null(settings.Username);
        Assert.Null(settings.ProtectedPassword);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("smtp example.com")]
    [InlineData("smtp.example.com\r\n")]
    [InlineData("\tsmtp.example.com")]
    public void Host_must_be_a_name_without_spaces(string? host)
    {
        ResultAssert.ValidationError(SmtpSettings.Create(host!, 25, SmtpSecurity.None, null, null), "smtp.host");
    }

    [Fact]
    public void Host_of_255_characters_is_accepted()
    {
        ResultAssert.Success(SmtpSettings.Create(new string('h', 255), 25, SmtpSecurity.None, null, null));
    }

    [Fact]
    public void Host_longer_than_255_characters_is_refused()
    {
        ResultAssert.ValidationError(SmtpSettings.Create(new string('h', 256), 25, SmtpSecurity.None, null, null), "smtp.host");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(25)]
    [InlineData(465)]
    [InlineData(65535)]
    public void Port_in_range_is_accepted(int port)
    {
        var settings = ResultAssert.Success(SmtpSettings.Create("smtp.example.com", port, SmtpSecurity.Ssl, null, null));

        Assert.Equal(port, settings.Port);
    }

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(65536)]
    public void Port_out_of_range_is_refused(int port)
    {
        ResultAssert.ValidationError(SmtpSettings.Create("smtp.example.com", port, SmtpSecurity.Ssl, null, null), "smtp.port");
    }

    [Fact]
    public void Max_connections_defaults_to_four()
    {
        var settings = ResultAssert.Success(SmtpSettings.Create("smtp.example.com", 587, SmtpSecurity.StartTls, null, null));

        Assert.Equal(4, settings.MaxConnections);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(100)]
    public void Max_connections_from_1_to_100_is_accepted(int maxConnections)
    {
        var settings = ResultAssert.Success(SmtpSettings.Create("smtp.example.com", 587, SmtpSecurity.StartTls, null, null, maxConnections));

        Assert.Equal(maxConnections, settings.MaxConnections);
    }

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    [InlineData(101)]
    public void Max_connections_out_of_range_is_refused(int maxConnections)
    {
        ResultAssert.ValidationError(SmtpSettings.Create("smtp.example.com", 587, SmtpSecurity.StartTls, null, null, maxConnections), "smtp.max_connections");
    }
}
