using System.Security.Cryptography;
using System.Text;

namespace Modular.Application.Common.Security;

/// <summary>Encrypts secrets at rest (channel SMTP passwords) so any instance of the service can read them.</summary>
public interface ISecretProtector
{
    string Protect(string plaintext);

    string Unprotect(string protectedText);
}

/// <summary>A freshly issued API key: the key is shown once; only its hash is stored.</summary>
public sealed record IssuedApiKey(string Key, string Prefix, string Hash);

/// <summary>Makes and hashes API keys. Keys carry 256 random bits, so one SHA-256 is enough to store them.</summary>
public static class ApiKeys
{
    private const string KeyPrefix = "mod_";

    public static IssuedApiKey Generate()
    {
        var key = KeyPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return FromKey(key);
    }

    /// <summary>Wraps a key that was chosen elsewhere (the demo key from configuration).</summary>
    public static IssuedApiKey FromKey(string key) => new(key, key[..Math.Min(12, key.Length)], Hash(key));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
