namespace Modular.Domain.Common;

/// <summary>
/// An addr-spec (<c>local@domain</c>) whose domain is a dotted host name or an address literal.
/// Display names are carried beside it, never inside it. Comparison ignores case.
/// </summary>
public sealed record EmailAddress
{
    private const int MaxLength = 254;

    private EmailAddress(string value)
    {
        Value = value;
        Normalized = value.ToLowerInvariant();
    }

    public string Value { get; }

    /// <summary>The part after the last <c>@</c>.</summary>
    public string Domain => Value[(Value.LastIndexOf('@') + 1)..];

    /// <summary>The address lower-cased, as used for uniqueness and look-ups.</summary>
    public string Normalized { get; }

    public static Result<EmailAddress> Parse(string? input, string field)
    {
        if (TryParse(input, out var address, out var reason))
        {
            return address;
        }

        return Error.Validation(field, reason);
    }

    public static bool TryParse(string? input, out EmailAddress address, out string reason)
    {
        address = null!;
        // Before trimming: a trailing CR/LF is refused, not trimmed away.
        if (input is not null && HeaderText.HasLineBreak(input))
        {
            reason = "An email address cannot contain a line break.";
            return false;
        }

        var value = input?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            reason = "An email address is required.";
            return false;
        }

        if (value.Length > MaxLength)
        {
            reason = $"An email address has at most {MaxLength} characters.";
            return false;
        }

        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1)
        {
            reason = $"'{value}' is not an email address.";
            return false;
        }

        if (!IsValidLocalPart(value[..at]))
        {
            reason = $"'{value}' has an invalid local part.";
            return false;
        }

        if (!IsValidDomain(value[(at + 1)..]))
        {
            reason = $"'{value}' needs a domain such as example.com.";
            return false;
        }

        address = new EmailAddress(value);
        reason = string.Empty;
        return true;
    }

    public bool Equals(EmailAddress? other) =>
        other is not null && string.Equals(Normalized, other.Normalized, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Normalized);

    public override string ToString() => Value;

    private static bool IsValidLocalPart(string local)
    {
        if (local.Length > 64)
        {
            return false;
        }

        if (local.Length >= 2 && local[0] == '"' && local[^1] == '"')
        {
            var quoted = local.AsSpan(1, local.Length - 2);
            return quoted.IndexOfAny('"', '\\') < 0 && !quoted.ContainsAnyInRange('\0', '\u001f') && !quoted.Contains('\u007f');
        }

        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsLetterOrDigit(c) || c > 127 || "!#$%&'*+-/=?^_`{|}~.".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidDomain(string domain)
    {
        if (domain.StartsWith('[') && domain.EndsWith(']'))
        {
            var literal = domain[1..^1];
            if (literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                return System.Net.IPAddress.TryParse(literal[5..], out var v6)
                    && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            }

            // Four decimal octets only: IPAddress.TryParse would also take hex and shortened forms.
            var octets = literal.Split('.');
            return octets.Length == 4
                && octets.All(o => o.Length is > 0 and <= 3 && o.All(char.IsAsciiDigit) && int.Parse(o) <= 255);
        }

        if (domain.Length > 253)
        {
            return false;
        }

        var labels = domain.Split('.');
        if (labels.Length < 2)
        {
            return false;
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }
        }

        // A top-level domain is never all digits ("1.2.3.4" is not a host name).
        return !labels[^1].All(char.IsAsciiDigit);
    }
}

/// <summary>An address with an optional display name, such as <c>Ann &lt;ann@example.com&gt;</c>.</summary>
public sealed record Mailbox(EmailAddress Address, string? Name = null)
{
    /// <summary>Parses <c>addr</c>, <c>&lt;addr&gt;</c> or <c>Name &lt;addr&gt;</c> (the name may be quoted).</summary>
    public static Result<Mailbox> Parse(string? input, string field)
    {
        var value = input?.Trim() ?? string.Empty;
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            return Error.Validation(field, "An address cannot contain a line break.");
        }

        string? name = null;
        var addressPart = value;
        var open = value.LastIndexOf('<');
        if (open >= 0 && value.EndsWith('>'))
        {
            addressPart = value[(open + 1)..^1];
            name = value[..open].Trim().Trim('"').Trim();
            if (name.Length == 0)
            {
                name = null;
            }
        }

        var address = EmailAddress.Parse(addressPart, field);
        return address.IsSuccess ? new Mailbox(address.Value, name) : address.Error!;
    }

    public override string ToString() => Name is null ? Address.Value : $"{Name} <{Address.Value}>";
}
