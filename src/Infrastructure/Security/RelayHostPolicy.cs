using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Modular.Application.Channels.Ports;

namespace Modular.Infrastructure.Security;

/// <summary>The relay settings of the <c>Smtp</c> section that the address guard needs.</summary>
public sealed class RelayGuardOptions
{
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1025;

    /// <summary>
    /// Lets channels name relays on loopback, private and other internal addresses. Off by default; the
    /// integration tests turn it on (their relays run on 127.0.0.1).
    /// </summary>
    public bool AllowPrivateRelays { get; set; }

    /// <summary>The default relay of the configuration is the operator's choice, trusted wherever it is.</summary>
    public bool IsTrusted(string host, int port) =>
        AllowPrivateRelays || (string.Equals(host.Trim(), Host.Trim(), StringComparison.OrdinalIgnoreCase) && port == Port);
}

/// <summary>A channel's relay is checked by the address guard when it is set (and again at every connection).</summary>
internal sealed class RelayHostPolicy(AddressGuard guard, IOptions<RelayGuardOptions> options) : IRelayHostPolicy
{
    public async Task<string?> RefusalAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (options.Value.IsTrusted(host, port))
        {
            return null;
        }

        try
        {
            await guard.ResolveAsync(host, allowInternal: false, cancellationToken);
            return null;
        }
        catch (AddressRefusedException refused)
        {
            return $"This relay may not be used: {refused.Message}";
        }
        catch (SocketException)
        {
            // DNS cannot answer now: the relay is checked again when a delivery connects to it.
            return null;
        }
    }
}
