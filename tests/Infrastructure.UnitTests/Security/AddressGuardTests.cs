using System.Net;
using System.Net.Sockets;
using Modular.Infrastructure.Security;

namespace Modular.Infrastructure.UnitTests.Security;

public sealed class AddressGuardTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("127.0.0.1")]
    [InlineData("127.5.6.7")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.1")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.255")]
    [InlineData("192.88.99.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("::127.0.0.1")]
    [InlineData("fe80::1")]
    [InlineData("fec0::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("100::1")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("64:ff9b:1::1")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("2002:808:808::1")]
    [InlineData("2001::1")]
    [InlineData("2001:2::1")]
    [InlineData("2001:db8::1")]
    [InlineData("3fff::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:192.0.2.1")]
    [InlineData("::ffff:198.18.0.1")]
    [InlineData("::ffff:100.64.0.1")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("::ffff:224.0.0.1")]
    public void Internal_and_special_purpose_addresses_are_refused_with_a_reason(string address)
    {
        Assert.False(AddressRanges.IsPublic(IPAddress.Parse(address)));
        Assert.False(string.IsNullOrWhiteSpace(AddressRanges.RefusalOf(IPAddress.Parse(address))));
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("192.0.3.1")]
    [InlineData("198.20.0.1")]
    [InlineData("203.0.114.1")]
    [InlineData("223.255.255.254")]
    [InlineData("2606:4700::1111")]
    [InlineData("2a00:1450:4001::200e")]
    [InlineData("::ffff:8.8.8.8")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(AddressRanges.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("64:ff9b::a00:1", "NAT64")]
    [InlineData("2002:a00:1::1", "6to4")]
    [InlineData("::ffff:10.0.0.1", "private, IPv4-mapped")]
    public void The_reason_names_the_range(string address, string reason) =>
        Assert.Equal(reason, AddressRanges.RefusalOf(IPAddress.Parse(address)));

    [Fact]
    public void An_address_of_this_machine_is_refused_even_when_public()
    {
        var guard = Guard(local: [IPAddress.Parse("8.8.4.4")]);

        Assert.Equal("an address of this machine", guard.RefusalOf(IPAddress.Parse("8.8.4.4")));
        Assert.Equal("an address of this machine", guard.RefusalOf(IPAddress.Parse("::ffff:8.8.4.4")));
        Assert.Null(guard.RefusalOf(IPAddress.Parse("8.8.8.8")));
    }

    [Fact]
    public async Task A_name_is_refused_when_every_address_it_resolves_to_is()
    {
        var guard = Guard(resolve: ["10.0.0.5", "192.0.2.9"]);

        var refused = await Assert.ThrowsAsync<AddressRefusedException>(() => guard.ResolveAsync("files.example.com", allowInternal: false, CancellationToken.None));

        Assert.Contains("files.example.com resolves to 10.0.0.5, which is not public (private)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_allowed_addresses_of_a_name_are_returned()
    {
        var guard = Guard(resolve: ["10.0.0.5", "8.8.8.8"]);

        Assert.Equal([IPAddress.Parse("8.8.8.8")], await guard.ResolveAsync("files.example.com", allowInternal: false, CancellationToken.None));
        Assert.Equal(2, (await guard.ResolveAsync("files.example.com", allowInternal: true, CancellationToken.None)).Length);
    }

    [Fact]
    public async Task A_name_that_does_not_exist_is_refused_at_once_even_when_internal_addresses_are_allowed()
    {
        var guard = new AddressGuard(() => [], (_, _) => throw new SocketException((int)SocketError.HostNotFound), TimeProvider.System);

        var refused = await Assert.ThrowsAsync<AddressRefusedException>(() => guard.ResolveAsync("no-such-host.invalid", allowInternal: true, CancellationToken.None));

        Assert.Equal("no-such-host.invalid does not exist (no address in DNS).", refused.Message);
    }

    [Fact]
    public async Task A_resolver_that_cannot_answer_now_is_not_a_refusal()
    {
        var guard = new AddressGuard(() => [], (_, _) => throw new SocketException((int)SocketError.TryAgain), TimeProvider.System);

        await Assert.ThrowsAsync<SocketException>(() => guard.ResolveAsync("files.example.com", allowInternal: false, CancellationToken.None));
    }

    [Fact]
    public async Task Address_literals_are_checked_without_dns()
    {
        var guard = new AddressGuard(() => [], (_, _) => throw new InvalidOperationException("no DNS for a literal"), TimeProvider.System);

        await Assert.ThrowsAsync<AddressRefusedException>(() => guard.ResolveAsync("[::1]", allowInternal: false, CancellationToken.None));
        Assert.Equal([IPAddress.Parse("8.8.8.8")], await guard.ResolveAsync("8.8.8.8", allowInternal: false, CancellationToken.None));
    }

    [Fact]
    public async Task This_machines_own_host_name_is_refused()
    {
        var guard = new AddressGuard();

        await Assert.ThrowsAsync<AddressRefusedException>(() => guard.ResolveAsync(Dns.GetHostName(), allowInternal: false, CancellationToken.None));
    }

    private static AddressGuard Guard(IPAddress[]? local = null, string[]? resolve = null) => new(
        () => local ?? [],
        (_, _) => Task.FromResult((resolve ?? []).Select(IPAddress.Parse).ToArray()),
        TimeProvider.System);
}
