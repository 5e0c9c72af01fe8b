using System.Security.Cryptography;
using System.Text;

namespace Modular.Application.Webhooks;

/// <summary>
/// Standard Webhooks signing (https://www.standardwebhooks.com): a secret is <c>whsec_</c> and the
/// base64 of random bytes; a signature is <c>v1,</c> and the base64 HMAC-SHA256, keyed with those bytes,
/// of <c>{webhook-id}.{webhook-timestamp}.{body}</c>. Several signatures go in one header, space-separated.
/// </summary>
public static class WebhookSigning
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>webhook-signature</c> header: one <c>v1,</c> signature per secret.</summary>
    public static string Signature(IReadOnlyList<string> secrets, string webhookId, long timestamp, string body)
    {
        var content = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.{body}");
        return string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), content))));
    }

    private static byte[] Key(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
}
