namespace Modular.Application.Channels.Ports;

/// <summary>
/// Whether the service may connect to the SMTP relay a tenant names for a channel: a tenant must not
/// make the service connect to loopback, private or other internal addresses of the server's network.
/// </summary>
public interface IRelayHostPolicy
{
    /// <summary>Null when the relay may be used; else why not, for the client (a 422 on <c>smtp.host</c>).</summary>
    Task<string?> RefusalAsync(string host, int port, CancellationToken cancellationToken);
}
