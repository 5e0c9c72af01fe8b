using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Modular.Application.Messaging.Ports;
using Modular.Infrastructure.Security;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>
/// Opens the TCP connection to a relay through the address guard: a channel's relay on a refused address
/// (one that was set before the rule, or whose name now resolves elsewhere) is never connected to,
/// unless <c>Smtp:AllowPrivateRelays</c>; the default relay of the configuration is trusted. MailKit then
/// speaks SMTP (and TLS) over the connected socket.
/// </summary>
internal sealed class RelayConnector(AddressGuard guard, IOptions<RelayGuardOptions> guardOptions, IOptions<SmtpOptions> smtpOptions)
{
    /// <summary>A connected socket; throws <see cref="AddressRefusedException"/> for a refused or unknown relay.</summary>
    public async Task<Socket> ConnectAsync(SmtpRoute relay, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(smtpOptions.Value.Timeout);
        try
        {
            return await guard.ConnectAsync(relay.Host, relay.Port, guardOptions.Value.IsTrusted(relay.Host, relay.Port), timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No connection to {relay.Host}:{relay.Port} within {smtpOptions.Value.Timeout.TotalSeconds:0} s.");
        }
    }
}
