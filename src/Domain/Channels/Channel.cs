using Modular.Domain.Common;

namespace Modular.Domain.Channels;

public enum SmtpSecurity
{
    None,
    StartTls,
    Ssl,
}

/// <summary>
/// The relay a channel sends through. The password is held only in its protected (encrypted) form;
/// protecting and unprotecting it is the application's job.
/// </summary>
public sealed record SmtpSettings(string Host, int Port, SmtpSecurity Security, string? Username, string? ProtectedPassword, int MaxConnections = SmtpSettings.DefaultMaxConnections)
{
    /// <summary>Connections a channel's own relay is given at most, unless it says otherwise.</summary>
    public const int DefaultMaxConnections = 4;

    /// <summary>The most connections a channel may ask for.</summary>
    public const int MaxMaxConnections = 100;

    public static Result<SmtpSettings> Create(string host, int port, SmtpSecurity security, string? username, string? protectedPassword, int? maxConnections = null)
    {
        if (string.IsNullOrWhiteSpace(host) || host.Length > 255 || host.Any(char.IsWhiteSpace))
        {
            return Error.Validation("smtp.host", "A host name without spaces is required.");
        }

        if (port is < 1 or > 65535)
        {
            return Error.Validation("smtp.port", "The port must be between 1 and 65535.");
        }

        if (maxConnections is < 1 or > MaxMaxConnections)
        {
            return Error.Validation("smtp.max_connections", $"The number of connections must be between 1 and {MaxMaxConnections}.");
        }

        return new SmtpSettings(host.Trim(), port, security, string.IsNullOrEmpty(username) ? null : username, protectedPassword, maxConnections ?? DefaultMaxConnections);
    }
}

/// <summary>
/// The IMAP mailbox a channel receives on: the service watches <see cref="Folder"/> and takes each new
/// message once. The password is held only in its protected (encrypted) form.
/// </summary>
public sealed record ImapSettings(string Host, int Port, SmtpSecurity Security, string Username, string? ProtectedPassword, string Folder)
{
    public const string DefaultFolder = "INBOX";

    public static Result<ImapSettings> Create(string host, int port, SmtpSecurity security, string username, string? protectedPassword, string? folder)
    {
        if (string.IsNullOrWhiteSpace(host) || host.Length > 255 || host.Any(char.IsWhiteSpace))
        {
            return Error.Validation("imap.host", "A host name without spaces is required.");
        }

        if (port is < 1 or > 65535)
        {
            return Error.Validation("imap.port", "The port must be between 1 and 65535.");
        }

        if (string.IsNullOrWhiteSpace(username) || HeaderText.HasLineBreak(username))
        {
            return Error.Validation("imap.username", "A user name without line breaks is required.");
        }

        var name = string.IsNullOrWhiteSpace(folder) ? DefaultFolder : folder.Trim();
        if (HeaderText.HasLineBreak(name) || name.Length > 255)
        {
            return Error.Validation("imap.folder", "A folder name has at most 255 characters and no line break.");
        }

        return new ImapSettings(host.Trim(), port, security, username, protectedPassword, name);
    }
}

/// <summary>Which messages of a channel carry <c>List-Unsubscribe</c> (RFC 2369) and one-click unsubscribe (RFC 8058).</summary>
public enum ListUnsubscribePolicy
{
    /// <summary>Messages in <c>automated</c> conversations (the default).</summary>
    Automated,

    /// <summary>Every message.</summary>
    Always,

    /// <summary>No message.</summary>
    Never,
}

/// <summary>
/// A channel's DKIM key: the selector it is published under, the RSA private key in its protected
/// (encrypted) form and the public key (base64 SubjectPublicKeyInfo, the <c>p=</c> of the DNS record).
/// </summary>
public sealed record DkimKey(string Selector, string ProtectedPrivateKey, string PublicKey, DateTimeOffset CreatedAt)
{
    public const int SelectorMaxLength = 63;

    /// <summary>The DNS name the record is published at: <c>selector._domainkey.domain</c>.</summary>
    public string DnsName(string domain) => $"{Selector}._domainkey.{domain}";

    /// <summary>The TXT record's value.</summary>
    public string DnsValue => $"v=DKIM1; k=rsa; p={PublicKey}";

    /// <summary>A selector is one DNS label: letters, digits and inner hyphens, at most 63 characters.</summary>
    public static bool IsValidSelector(string? selector) =>
        !string.IsNullOrEmpty(selector) && selector.Length <= SelectorMaxLength
        && selector.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
        && selector[0] != '-' && selector[^1] != '-';
}

/// <summary>An address the organization sends from, with its transport (its own relay or the default one).</summary>
public sealed class Channel : AggregateRoot, ITenantOwned
{
    public const int NameMaxLength = 200;

    private Channel()
    {
        Name = string.Empty;
        Email = string.Empty;
        NormalizedEmail = string.Empty;
    }

    public long OrganizationId { get; private set; }

    public string Name { get; private set; }

    public string Email { get; private set; }

    /// <summary>The address lower-cased; unique within the organization.</summary>
    public string NormalizedEmail { get; private set; }

    /// <summary>The display name of <c>From</c> when a send gives none.</summary>
    public string? SenderName { get; private set; }

    /// <summary>The channel's own relay; null means the default relay from configuration.</summary>
    public SmtpSettings? Smtp { get; private set; }

    /// <summary>The mailbox the channel receives on; null when mail comes in only over HTTP.</summary>
    public ImapSettings? Imap { get; private set; }
    /// <summary>The key every outbound email of the channel is DKIM-signed with; null when none is.</summary>
    public DkimKey? Dkim { get; private set; }

    /// <summary>Which messages carry the unsubscribe headers.</summary>
    public ListUnsubscribePolicy ListUnsubscribe { get; private set; }

    /// <summary>
    /// When true the SMTP envelope sender is a VERP address, <c>bounces+{token}@domain</c>, naming the
    /// message, so a bounce finds its message by the address it is sent to.
    /// </summary>
    public bool VerpReturnPath { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>
    /// When the channel was archived (<c>DELETE /v1/channels/{id}</c>); null while it is in use. An archived
    /// channel accepts no new sends; its history stays readable and what it accepted before is delivered.
    /// </summary>
    public DateTimeOffset? ArchivedAt { get; private set; }

    public bool IsArchived => ArchivedAt is not null;

    /// <summary>The part of the address before the <c>@</c>.</summary>
    public string LocalPart => Email[..Email.LastIndexOf('@')];

    /// <summary>The domain used for Message-IDs of this channel's email.</summary>
    public string Domain => Email[(Email.LastIndexOf('@') + 1)..];

    public static Result<Channel> Create(long organizationId, string name, EmailAddress email, string? senderName, SmtpSettings? smtp, DateTimeOffset now)
    {
        var channel = new Channel
        {
            OrganizationId = organizationId,
            Email = email.Value,
            NormalizedEmail = email.Normalized,
            Smtp = smtp,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var named = channel.Rename(name, now);
        if (named.IsFailure)
        {
            return named.Error!;
        }

        var sender = channel.ChangeSenderName(senderName, now);
        return sender.IsFailure ? sender.Error! : channel;
    }

    public Result Rename(string name, DateTimeOffset now)
    {
        if (HeaderText.HasLineBreak(name))
        {
            return Error.Validation("name", "A name cannot contain a line break.");
        }

        var trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length is 0 or > NameMaxLength)
        {
            return Error.Validation("name", $"A name of 1 to {NameMaxLength} characters is required.");
        }

        Name = trimmed;
        UpdatedAt = now;
        return Result.Success();
    }

    /// <summary>Stops new sends from the channel; archiving it again is a conflict.</summary>
    public Result Archive(DateTimeOffset now)
    {
        if (ArchivedAt is not null)
        {
            return Error.Conflict("channel.archived", $"Channel {Id} is already archived.");
        }

        ArchivedAt = now;
        UpdatedAt = now;
        return Result.Success();
    }

    public Result ChangeSenderName(string? senderName, DateTimeOffset now)
    {
        if (HeaderText.HasLineBreak(senderName))
        {
            return Error.Validation("sender_name", "A sender name cannot contain a line break.");
        }

        SenderName = string.IsNullOrWhiteSpace(senderName) ? null : senderName.Trim();
        UpdatedAt = now;
        return Result.Success();
    }

    public Result ChangeAddress(EmailAddress email, DateTimeOffset now)
    {
        Email = email.Value;
        NormalizedEmail = email.Normalized;
        UpdatedAt = now;
        return Result.Success();
    }

    /// <summary>Sends through <paramref name="smtp"/>, or through the default relay when it is null.</summary>
    public void UseRelay(SmtpSettings? smtp, DateTimeOffset now)
    {
        Smtp = smtp;
        UpdatedAt = now;
    }

    /// <summary>Receives from the IMAP mailbox <paramref name="imap"/>, or from none when it is null.</summary>
    public void UseMailbox(ImapSettings? imap, DateTimeOffset now)
    {
        Imap = imap;
        UpdatedAt = now;
    }

    /// <summary>Signs the channel's email with <paramref name="key"/> from now on (replacing any key it had).</summary>
    public void UseDkimKey(DkimKey key, DateTimeOffset now)
    {
        Dkim = key;
        UpdatedAt = now;
    }

    /// <summary>Stops signing; a not-found error when the channel has no key.</summary>
    public Result StopDkimSigning(DateTimeOffset now)
    {
        if (Dkim is null)
        {
            return new Error("dkim.not_found", $"Channel {Id} has no DKIM key.", ErrorType.NotFound);
        }

        Dkim = null;
        UpdatedAt = now;
        return Result.Success();
    }

    public void ChangeListUnsubscribe(ListUnsubscribePolicy policy, DateTimeOffset now)
    {
        ListUnsubscribe = policy;
        UpdatedAt = now;
    }

    public void UseVerpReturnPath(bool enabled, DateTimeOffset now)
    {
        VerpReturnPath = enabled;
        UpdatedAt = now;
    }
}
