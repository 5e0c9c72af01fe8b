using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Modular.Application.Webhooks.Ports;
using Modular.Infrastructure.Security;

namespace Modular.Infrastructure.Webhooks;

/// <summary>
/// A webhook URL at creation: an IP literal in a refused range, or a name that resolves to a refused
/// address, is refused; a name that does not resolve (yet) is accepted, since every connection is
/// checked again by the guard when events are sent.
/// </summary>
internal sealed class WebhookUrlPolicy(AddressGuard guard, IOptions<WebhookOptions> options) : IWebhookUrlPolicy
{
    public async Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken)
    {
        if (options.Value.AllowPrivateNetworks)
        {
            return null;
        }

        var host = url.IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
        {
            return guard.RefusalOf(literal) is { } reason ? $"{host} is not public ({reason})." : null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return null;
        }

        var refused = addresses.Select(a => (Address: a, Reason: guard.RefusalOf(a))).FirstOrDefault(a => a.Reason is not null);
        return refused.Reason is { } why ? $"{host} resolves to {refused.Address}, which is not public ({why})." : null;
    }
}
