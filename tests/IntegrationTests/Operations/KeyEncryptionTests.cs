using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;
using Npgsql;

namespace Modular.IntegrationTests.Operations;

/// <summary>
/// The Data Protection key ring (which encrypts SMTP passwords) is stored encrypted to a certificate, and
/// outside Development the service refuses to start without one, saying why in one line.
/// </summary>
public sealed class KeyEncryptionTests
{
    [Theory]
    [InlineData("", "DataProtection:CertificatePath is not set")]
    [InlineData("/nonexistent/data-protection.pfx", "no certificate file at /nonexistent/data-protection.pfx")]
    public async Task Outside_development_the_service_refuses_to_start_without_a_usable_certificate(string path, string reason)
    {
        var (exitCode, output) = await ApiProcess.RunUntilExitAsync(TestDatabase.Own("_defaults"), new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DataProtection:CertificatePath"] = path,
        }, TimeSpan.FromSeconds(30));

        Assert.NotNull(exitCode);
        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(output, l => l.Length > 0);
        Assert.StartsWith("Modular cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_certificate_password_is_refused_with_its_reason()
    {
        var path = Path.Combine(Path.GetTempPath(), $"modular-dp-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(path, TestCertificate.NewPkcs12("right"));
        try
        {
            var (exitCode, output) = await ApiProcess.RunUntilExitAsync(TestDatabase.Own("_defaults"), new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DataProtection:CertificatePath"] = path,
                ["DataProtection:CertificatePassword"] = "wrong",
            }, TimeSpan.FromSeconds(30));

            Assert.NotEqual(0, exitCode ?? 0);
            Assert.Contains(output, l => l.StartsWith("Modular cannot start: DataProtection:CertificatePath: ", StringComparison.Ordinal)
                && l.Contains("cannot be read as PKCS#12", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task In_production_the_key_ring_is_stored_encrypted_and_a_restarted_service_decrypts_it()
    {
        var database = TestDatabase.Fresh("_keys");
        var production = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        var relay = new { Host = MailDev.SmtpHost, Port = MailDev.SmtpPort, Security = "none", Username = "relay-user", Password = "relay-secret-1" };
        await using (var first = await ApiProcess.StartAsync(database, production))
        {
            var organization = await first.CreateOrganizationAsync();
            await organization.CreateChannelAsync(smtp: relay);
        }

        var keys = await KeysAsync(database);
        var key = Assert.Single(keys);
        Assert.Contains("EncryptedData", key, StringComparison.Ordinal);
        Assert.Contains("X509Certificate", key, StringComparison.Ordinal);
        // An unencrypted key carries <masterKey ...><value>the key in base64</value></masterKey>.
        Assert.DoesNotContain("<masterKey", key, StringComparison.Ordinal);
        Assert.DoesNotContain("<value>", key, StringComparison.Ordinal);

        // A new process reads the key ring back (it must decrypt the key to protect with it): no second key.
        await using (var second = await ApiProcess.StartAsync(database, production))
        {
            var organization = await second.CreateOrganizationAsync();
            await organization.CreateChannelAsync(smtp: relay with { Password = "relay-secret-2" });
            Assert.DoesNotContain(second.Output, line => line.StartsWith("fail:", StringComparison.Ordinal));
        }

        Assert.Single(await KeysAsync(database));
    }

    private static async Task<List<string>> KeysAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT xml FROM data_protection_keys", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
