using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// The certificate that encrypts the Data Protection key ring in every service the tests start (it is
/// required outside Development). Made once, self-signed, and kept under the repository's
/// <c>.local/</c>, so databases that outlive a run stay readable by the next one.
/// </summary>
public static class TestCertificate
{
    public const string Password = "modular-tests";

    private static readonly Lazy<string> File = new(Create);

    /// <summary>The PKCS#12 file (<c>DataProtection:CertificatePath</c>).</summary>
    public static string Path => File.Value;

    /// <summary>A new self-signed certificate with its RSA key, for tests that need another one.</summary>
    public static byte[] NewPkcs12(string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Modular Data Protection (tests)", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(20));
        return certificate.Export(X509ContentType.Pkcs12, password);
    }

    private static string Create()
    {
        // tests/IntegrationTests/bin/<Configuration>/<tfm>/ → the repository root
        var root = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var folder = System.IO.Path.Combine(root, ".local");
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, "test-data-protection.pfx");
        if (!System.IO.File.Exists(path))
        {
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            System.IO.File.WriteAllBytes(temporary, NewPkcs12(Password));
            if (!OperatingSystem.IsWindows())
            {
                System.IO.File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            try
            {
                System.IO.File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (System.IO.File.Exists(path))
            {
                // Another test process made it first: use that one.
                System.IO.File.Delete(temporary);
            }
        }

        return path;
    }
}
