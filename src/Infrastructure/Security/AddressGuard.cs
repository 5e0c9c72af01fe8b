using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Modular.Infrastructure.Security;

/// <summary>
/// The address ranges the service never connects to on a tenant's behalf (attachment URLs, channel
/// relays, webhooks): everything that is not a public unicast address. Pure: no DNS, no interfaces.
/// </summary>
public static class AddressRanges
{
    private static readonly (IPNetwork Network, string Reason)[] RefusedV4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "\"this network\""),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation"),
        (IPNetwork.Parse("192.88.99.0/24"), "6to4 relay"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
    ];

    private static readonly IPNetwork GlobalUnicastV6 = IPNetwork.Parse("2000::/3");

    private static readonly (IPNetwork Network, string Reason)[] RefusedV6 =
    [
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("64:ff9b::/96"), "NAT64"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "NAT64"),
        (IPNetwork.Parse("2001::/23"), "IETF protocol assignments (Teredo, benchmarking, ORCHID)"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation"),
        (IPNetwork.Parse("2002::/16"), "6to4"),
        (IPNetwork.Parse("3fff::/20"), "documentation"),
        (IPNetwork.Parse("fc00::/7"), "unique local"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    /// <summary>Why <paramref name="address"/> is refused (such as "loopback"); null for a public unicast address.</summary>
    public static string? RefusalOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return RefusalOf(address.MapToIPv4()) is { } mapped ? $"{mapped}, IPv4-mapped" : null;
        }

        switch (address.AddressFamily)
        {
            case AddressFamily.InterNetwork:
                return RefusedV4.FirstOrDefault(r => r.Network.Contains(address)).Reason;
            case AddressFamily.InterNetworkV6:
                if (RefusedV6.FirstOrDefault(r => r.Network.Contains(address)).Reason is { } reason)
                {
                    return reason;
                }

                // Only 2000::/3 is handed out as global unicast; the rest (IPv4-compatible ::a.b.c.d,
                // discard-only 100::/64, ...) is reserved.
                return GlobalUnicastV6.Contains(address) ? null : "reserved";
            default:
                return "not an IP address";
        }
    }

    public static bool IsPublic(IPAddress address) => RefusalOf(address) is null;
}

/// <summary>A host the service must not connect to, or one that does not exist: a permanent refusal, never retried.</summary>
public sealed class AddressRefusedException(string message) : Exception(message);

/// <summary>
/// The one guard in front of every connection made on a tenant's behalf (attachment downloads, channel
/// relays, webhooks). It resolves the host itself, refuses the ranges of <see cref="AddressRanges"/> and
/// every address of this machine's own interfaces (its host name resolves to them, whatever their range),
/// and connects to an address it checked, so DNS cannot answer differently between check and connect.
/// A name that does not exist is refused at once, with the reason.
/// </summary>
public sealed class AddressGuard
{
    private static readonly TimeSpan LocalAddressesLifetime = TimeSpan.FromSeconds(30);

    private readonly Func<IReadOnlyCollection<IPAddress>> _localAddresses;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private (HashSet<IPAddress> Addresses, DateTimeOffset ReadAt)? _local;

    /// <summary>The guard of this machine: its interfaces, the system's resolver.</summary>
    public AddressGuard()
        : this(InterfaceAddresses, Dns.GetHostAddressesAsync, TimeProvider.System)
    {
    }

    /// <summary>A guard with given interfaces and resolver (for tests of the rules).</summary>
    public AddressGuard(Func<IReadOnlyCollection<IPAddress>> localAddresses, Func<string, CancellationToken, Task<IPAddress[]>> resolve, TimeProvider clock)
    {
        _localAddresses = localAddresses;
        _resolve = resolve;
        _clock = clock;
    }

    /// <summary>Why the service must not connect to <paramref name="address"/>; null when it may.</summary>
    public string? RefusalOf(IPAddress address)
    {
        if (AddressRanges.RefusalOf(address) is { } reason)
        {
            return reason;
        }

        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return LocalAddresses().Contains(plain) ? "an address of this machine" : null;
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> the service may connect to (all of them when
    /// <paramref name="allowInternal"/>). Throws <see cref="AddressRefusedException"/> when none may, or
    /// when the name does not exist; a resolver that cannot answer now throws its <see cref="SocketException"/>.
    /// </summary>
    public async Task<IPAddress[]> ResolveAsync(string host, bool allowInternal, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(host, cancellationToken);
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
            {
                throw new AddressRefusedException($"{host} does not exist (no address in DNS).");
            }
        }

        if (addresses.Length == 0)
        {
            throw new AddressRefusedException($"{host} does not exist (no address in DNS).");
        }

        if (allowInternal)
        {
            return addresses;
        }

        var allowed = addresses.Where(a => RefusalOf(a) is null).ToArray();
        if (allowed.Length == 0)
        {
            var refused = addresses[0];
            throw new AddressRefusedException(literal is not null
                ? $"{host} is not public ({RefusalOf(refused)})."
                : $"{host} resolves to {refused}, which is not public ({RefusalOf(refused)}).");
        }

        return allowed;
    }

    /// <summary>Resolves, checks and connects; the socket is connected to an address that passed the check.</summary>
    public async Task<Socket> ConnectAsync(string host, int port, bool allowInternal, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, allowInternal, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private HashSet<IPAddress> LocalAddresses()
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            if (_local is not { } local || now - local.ReadAt > LocalAddressesLifetime)
            {
                local = ([.. _localAddresses().Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a)], now);
                _local = local;
            }

            return local.Addresses;
        }
    }

    private static IReadOnlyCollection<IPAddress> InterfaceAddresses()
    {
        try
        {
            return [.. NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)];
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
