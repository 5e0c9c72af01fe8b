using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Modular.Infrastructure.Security;

/// <summary>
/// The certificate that encrypts the Data Protection key ring at rest (the keys that encrypt SMTP
/// passwords and, later, IMAP passwords and DKIM keys): <c>DataProtection:CertificatePath</c>, a PKCS#12
/// file with its private key, and <c>DataProtection:CertificatePassword</c>. The key ring lives in the
/// same database as what it protects, so without this a copy of the database is a copy of the secrets.
/// Certificates named in <c>DataProtection:PreviousCertificatePaths</c> still decrypt keys written
/// before a rotation.
/// </summary>
public sealed record KeyEncryption(X509Certificate2? Certificate, IReadOnlyList<X509Certificate2> Previous)
{
    /// <summary>
    /// Reads the certificates. With <paramref name="required"/> (every environment but Development) a
    /// missing certificate is a reason not to start; a certificate that is named but cannot be used is one
    /// in every environment.
    /// </summary>
    public static (KeyEncryption? Encryption, string? Problem) Load(IConfiguration configuration, bool required)
    {
        var path = configuration["DataProtection:CertificatePath"];
        var password = configuration["DataProtection:CertificatePassword"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return required
                ? (null, "DataProtection:CertificatePath is not set: outside Development the keys that encrypt secrets must be encrypted at rest "
                    + "(a PKCS#12 certificate with its private key; ./run.sh makes one under .local/, docs/security.md says how).")
                : (new KeyEncryption(null, []), null);
        }

        var current = Read(path, password, "DataProtection:CertificatePath");
        if (current.Problem is not null)
        {
            return (null, current.Problem);
        }

        var previous = new List<X509Certificate2>();
        foreach (var (old, index) in (configuration.GetSection("DataProtection:PreviousCertificatePaths").Get<string[]>() ?? []).Select((p, i) => (p, i)))
        {
            var read = Read(old, configuration[$"DataProtection:PreviousCertificatePasswords:{index}"] ?? password, $"DataProtection:PreviousCertificatePaths:{index}");
            if (read.Problem is not null)
            {
                return (null, read.Problem);
            }

            previous.Add(read.Certificate!);
        }

        return (new KeyEncryption(current.Certificate, previous), null);
    }

    private static (X509Certificate2? Certificate, string? Problem) Read(string path, string? password, string setting)
    {
        if (!File.Exists(path))
        {
            return (null, $"{setting}: no certificate file at {path}.");
        }

        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
            if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
            {
                certificate.Dispose();
                return (null, $"{setting}: {path} has no RSA private key (the key ring is encrypted to it and decrypted with it).");
            }

            return (certificate, null);
        }
        catch (CryptographicException exception)
        {
            return (null, $"{setting}: {path} cannot be read as PKCS#12 with the given password ({exception.Message.TrimEnd('.')}).");
        }
    }
}
