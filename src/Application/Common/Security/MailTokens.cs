using System.Security.Cryptography;
using System.Text;

namespace Modular.Application.Common.Security;

/// <summary>Computes a MAC with the service's own secret key (the same on every instance, never in code).</summary>
public interface ITokenKey
{
    /// <summary>HMAC-SHA256 of <paramref name="data"/> with the server secret.</summary>
    byte[] Mac(byte[] data);
}

/// <summary>What an unsubscribe token names: the organization, the contact, the channel and the message it came with.</summary>
public sealed record UnsubscribeToken(long OrganizationId, long ContactId, long ChannelId, long MessageId);

/// <summary>What a VERP return-path token names: the organization and the message it was the envelope sender of.</summary>
public sealed record BounceToken(long OrganizationId, long MessageId);

/// <summary>
/// Signed tokens that go out in email and come back (in a link, a mailto address or a return path). A
/// token is the ids it names, in base 36, and an 80-bit HMAC of them and of its purpose, in lower-case
/// base 32, all joined by hyphens (<c>2s-9ix-3-9iz-k5e3m2yq7v4hxw1a</c>): short enough for the local part
/// of an address, and the same whatever the case a mail system gives it. Any change to a token (an id,
/// the MAC, its purpose) makes it unreadable.
/// </summary>
public sealed class MailTokens(ITokenKey key)
{
    private const int MacBytes = 10;
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";
    private const string Base36 = "0123456789abcdefghijklmnopqrstuvwxyz";

    public string Unsubscribe(UnsubscribeToken token) =>
        Create("unsubscribe", [token.OrganizationId, token.ContactId, token.ChannelId, token.MessageId]);

    public UnsubscribeToken? ReadUnsubscribe(string? token) =>
        Read("unsubscribe", token, 4) is { } ids ? new UnsubscribeToken(ids[0], ids[1], ids[2], ids[3]) : null;

    public string Bounce(BounceToken token) => Create("bounce", [token.OrganizationId, token.MessageId]);

    public BounceToken? ReadBounce(string? token) =>
        Read("bounce", token, 2) is { } ids ? new BounceToken(ids[0], ids[1]) : null;

    private string Create(string purpose, long[] ids)
    {
        var payload = string.Join('-', ids.Select(ToBase36));
        return payload + "-" + MacOf(purpose, payload);
    }

    private long[]? Read(string purpose, string? token, int count)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            return null;
        }

        var parts = token.ToLowerInvariant().Split('-');
        if (parts.Length != count + 1)
        {
            return null;
        }

        var payload = string.Join('-', parts[..count]);
        var expected = Encoding.ASCII.GetBytes(MacOf(purpose, payload));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[count])))
        {
            return null;
        }

        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            if (FromBase36(parts[i]) is not { } id)
            {
                return null;
            }

            ids[i] = id;
        }

        return ids;
    }

    private string MacOf(string purpose, string payload)
    {
        var mac = key.Mac(Encoding.ASCII.GetBytes($"modular.{purpose}.v1:{payload}"));
        return ToBase32(mac.AsSpan(0, MacBytes));
    }

    private static string ToBase36(long value)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "Ids are not negative.");
        }

        if (value == 0)
        {
            return "0";
        }

        var builder = new StringBuilder();
        while (value > 0)
        {
            builder.Insert(0, Base36[(int)(value % 36)]);
            value /= 36;
        }

        return builder.ToString();
    }

    private static long? FromBase36(string text)
    {
        if (text.Length is 0 or > 13 || (text.Length > 1 && text[0] == '0'))
        {
            return null;
        }

        long value = 0;
        foreach (var c in text)
        {
            var digit = Base36.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0)
            {
                return null;
            }

            if (value > (long.MaxValue - digit) / 36)
            {
                return null;
            }

            value = (value * 36) + digit;
        }

        return value;
    }

    private static string ToBase32(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder((bytes.Length * 8 / 5) + 1);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                builder.Append(Base32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            builder.Append(Base32[(buffer << (5 - bits)) & 31]);
        }

        return builder.ToString();
    }
}

/// <summary>
/// The addresses tokens travel in: the <c>mailto:</c> of <c>List-Unsubscribe</c>,
/// <c>&lt;local&gt;+unsubscribe-{token}@&lt;domain&gt;</c>, and the VERP return path, <c>bounces+{token}@&lt;domain&gt;</c>.
/// </summary>
public static class TokenAddresses
{
    private const string UnsubscribeTag = "+unsubscribe-";
    private const string BouncePrefix = "bounces+";

    public static string Unsubscribe(string localPart, string domain, string token) => $"{localPart}{UnsubscribeTag}{token}@{domain}";

    public static string Bounce(string domain, string token) => $"{BouncePrefix}{token}@{domain}";

    /// <summary>The token of an unsubscribe address, or null when the address is not one.</summary>
    public static string? UnsubscribeTokenOf(string? address)
    {
        var local = LocalPart(address);
        var at = local?.LastIndexOf(UnsubscribeTag, StringComparison.OrdinalIgnoreCase) ?? -1;
        return at < 0 ? null : local![(at + UnsubscribeTag.Length)..];
    }

    /// <summary>The token of a VERP return path, or null when the address is not one.</summary>
    public static string? BounceTokenOf(string? address)
    {
        var local = LocalPart(address);
        return local is not null && local.StartsWith(BouncePrefix, StringComparison.OrdinalIgnoreCase) ? local[BouncePrefix.Length..] : null;
    }

    private static string? LocalPart(string? address)
    {
        var trimmed = address?.Trim().Trim('<', '>');
        var at = trimmed?.LastIndexOf('@') ?? -1;
        return at <= 0 ? null : trimmed![..at];
    }
}
