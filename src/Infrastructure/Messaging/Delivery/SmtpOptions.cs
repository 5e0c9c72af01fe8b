using Modular.Application.Channels;
using Modular.Application.Messaging.Ports;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>
/// The default relay (<c>Smtp</c> section), used by channels without relay settings of their own, and
/// the connection rules of every relay's pool.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1025;

    public string Security { get; set; } = "none";

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>How long one SMTP command may take before the connection counts as broken.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many connections the default relay may have open at once (busy and idle).</summary>
    public int MaxConnections { get; set; } = 16;

    /// <summary>A connection is closed and replaced after this many messages (on every relay).</summary>
    public int MaxMessagesPerConnection { get; set; } = 100;

    /// <summary>An idle connection unused for this long is closed (servers close idle sessions on their own).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a relay that asked for fewer connections (421, "too many connections", a rate limit) gets
    /// no new one; doubled each time it asks again, up to <see cref="MaxThrottleBackoff"/>, reset when a
    /// message goes through.
    /// </summary>
    public TimeSpan ThrottleBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a throttled relay's pool waits before it opens a connection again.</summary>
    public TimeSpan MaxThrottleBackoff { get; set; } = TimeSpan.FromSeconds(60);

    public SmtpRoute ToRoute() => new(Host, Port, SmtpInput.ParseSecurity(Security), Username, Password, MaxConnections);
}
