using Modular.Domain.Channels;

namespace Modular.Application.Channels;

/// <summary>A channel as clients see it. The SMTP password never leaves the service.</summary>
public sealed record ChannelResponse(
    long Id,
    string Name,
    string Email,
    string? SenderName,
    SmtpResponse? Smtp,
    ImapResponse? Imap,
    string ListUnsubscribe,
    bool VerpReturnPath,
    string? DkimSelector,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ArchivedAt)
{
    /// <summary>The values of <c>list_unsubscribe</c>.</summary>
    public static readonly string[] ListUnsubscribeValues = ["automated", "always", "never"];

    public static string Format(ListUnsubscribePolicy policy) => policy switch
    {
        ListUnsubscribePolicy.Always => "always",
        ListUnsubscribePolicy.Never => "never",
        _ => "automated",
    };

    public static ListUnsubscribePolicy ParseListUnsubscribe(string value) => value.ToLowerInvariant() switch
    {
        "always" => ListUnsubscribePolicy.Always,
        "never" => ListUnsubscribePolicy.Never,
        _ => ListUnsubscribePolicy.Automated,
    };

    public static ChannelResponse From(Channel channel) => new(
        channel.Id,
        channel.Name,
        channel.Email,
        channel.SenderName,
        channel.Smtp is { } smtp
            ? new SmtpResponse(smtp.Host, smtp.Port, SmtpInput.Format(smtp.Security), smtp.Username, smtp.ProtectedPassword is not null, smtp.MaxConnections)
            : null,
        channel.Imap is { } imap
            ? new ImapResponse(imap.Host, imap.Port, SmtpInput.Format(imap.Security), imap.Username, imap.ProtectedPassword is not null, imap.Folder)
            : null,
        Format(channel.ListUnsubscribe),
        channel.VerpReturnPath,
        channel.Dkim?.Selector,
        channel.CreatedAt,
        channel.UpdatedAt,
        channel.ArchivedAt);
}

/// <summary>A channel's relay; <c>max_connections</c> is how many connections it may have open at once.</summary>
public sealed record SmtpResponse(string Host, int Port, string Security, string? Username, bool PasswordSet, int MaxConnections);

/// <summary>
/// The relay settings a client gives for a channel; <c>max_connections</c> (1 to 100, default 4) caps the
/// connections the service opens to it at once.
/// </summary>
public sealed record SmtpInput(string? Host, int? Port, string? Security, string? Username, string? Password, int? MaxConnections = null)
{
    public static readonly string[] SecurityValues = ["none", "starttls", "ssl"];

    public static SmtpSecurity ParseSecurity(string? value) => value?.ToLowerInvariant() switch
    {
        "ssl" => SmtpSecurity.Ssl,
        "none" => SmtpSecurity.None,
        _ => SmtpSecurity.StartTls,
    };

    public static string Format(SmtpSecurity security) => security switch
    {
        SmtpSecurity.Ssl => "ssl",
        SmtpSecurity.None => "none",
        _ => "starttls",
    };

    /// <summary>The default port for the security mode: 465 for SSL, 587 otherwise (25 for none).</summary>
    public int PortOrDefault => Port ?? ParseSecurity(Security) switch
    {
        SmtpSecurity.Ssl => 465,
        SmtpSecurity.None => 25,
        _ => 587,
    };
}

/// <summary>The mailbox a channel receives on (the password is never returned).</summary>
public sealed record ImapResponse(string Host, int Port, string Security, string Username, bool PasswordSet, string Folder);

/// <summary>The IMAP mailbox settings a client gives for a channel; security defaults to <c>ssl</c> (port 993), folder to <c>INBOX</c>.</summary>
public sealed record ImapInput(string? Host, int? Port, string? Security, string? Username, string? Password, string? Folder)
{
    /// <summary>993 for SSL, 143 otherwise.</summary>
    public int PortOrDefault => Port ?? (SmtpInput.ParseSecurity(Security ?? "ssl") == SmtpSecurity.Ssl ? 993 : 143);
}
