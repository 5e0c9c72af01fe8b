using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Messaging;
using Modular.Infrastructure.Messaging.Delivery;
using Modular.Infrastructure.Security;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Messaging;

/// <summary>The MailKit transport and its per-relay pools against real sockets (scripted SMTP servers).</summary>
public sealed class SmtpTransportTests
{
    private static readonly Func<CancellationToken, Task> Nothing = _ => Task.CompletedTask;

    [Fact]
    public async Task One_refused_recipient_of_three_is_dropped_and_the_others_get_the_message_once()
    {
        await using var server = new ScriptedSmtpServer();
        server.RecipientReplies["bob@example.com"] = "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown";
        using var transport = Transport();

        var outcome = await transport.SendAsync(Email("ann@example.com", "bob@example.com", "cat@example.com"), Route(server), Nothing, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Sent, outcome.Outcome);
        Assert.Equal(DeliveryPhase.Completed, outcome.Phase);
        Assert.Equal(["ann@example.com", "bob@example.com", "cat@example.com"], outcome.Recipients.Select(r => r.Address));
        Assert.Equal([250, 550, 250], outcome.Recipients.Select(r => r.Reply.Code));
        Assert.Equal("5.1.1", outcome.Recipients[1].Reply.EnhancedStatus);
        var received = Assert.Single(server.Received);
        Assert.Equal(["ann@example.com", "cat@example.com"], received.Recipients);
    }

    [Fact]
    public async Task Every_recipient_refused_for_good_is_permanent_and_nothing_is_sent()
    {
        await using var server = new ScriptedSmtpServer { RecipientReply = "550 5.1.1 No such user here" };
        using var transport = Transport();

        var outcome = await transport.SendAsync(Email("ann@example.com", "bob@example.com"), Route(server), Nothing, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Permanent, outcome.Outcome);
        Assert.Equal(DeliveryPhase.Envelope, outcome.Phase);
        Assert.Equal(550, outcome.Reply?.Code);
        Assert.Equal([550, 550], outcome.Recipients.Select(r => r.Reply.Code));
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task Every_recipient_refused_with_a_4xx_among_them_is_transient()
    {
        await using var server = new ScriptedSmtpServer();
        server.RecipientReplies["ann@example.com"] = "550 5.1.1 No such user here";
        server.RecipientReplies["bob@example.com"] = "450 4.2.1 Mailbox busy, try later";
        using var transport = Transport();

        var outcome = await transport.SendAsync(Email("ann@example.com", "bob@example.com"), Route(server), Nothing, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Transient, outcome.Outcome);
        Assert.Equal(DeliveryPhase.Envelope, outcome.Phase);
        Assert.Equal(450, outcome.Reply?.Code);
        Assert.Equal(2, outcome.Recipients.Count);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task The_servers_reply_to_the_message_is_recorded_with_its_queue_id()
    {
        await using var server = new ScriptedSmtpServer { DataReply = "250 2.0.0 Ok: queued as ABC123" };
        using var transport = Transport();

        var outcome = await transport.SendAsync(Email("ann@example.com"), Route(server), Nothing, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Sent, outcome.Outcome);
        Assert.NotNull(outcome.Reply);
        Assert.Equal(250, outcome.Reply.Code);
        Assert.Equal("2.0.0", outcome.Reply.EnhancedStatus);
        Assert.Equal("ABC123", outcome.Reply.QueueId);
        Assert.Equal("Ok: queued as ABC123", outcome.Reply.Text);
    }

    [Fact]
    public async Task A_relay_never_gets_more_connections_than_its_max_connections()
    {
        const int max = 3;
        await using var server = new ScriptedSmtpServer { ReplyDelay = TimeSpan.FromMilliseconds(20) };
        using var transport = Transport();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 3 * max).Select(i =>
            transport.SendAsync(Email($"user{i}@example.com"), Route(server, max), Nothing, CancellationToken.None)));

        Assert.All(outcomes, o => Assert.Equal(AttemptOutcome.Sent, o.Outcome));
        Assert.Equal(3 * max, server.Received.Count);
        Assert.Equal(max, server.MaxOpenConnections);
        Assert.InRange(server.Connections, 1, max);
    }

    [Fact]
    public async Task A_connection_is_replaced_after_max_messages_per_connection()
    {
        await using var server = new ScriptedSmtpServer();
        using var transport = Transport(o => o.MaxMessagesPerConnection = 2);

        for (var i = 0; i < 5; i++)
        {
            // One connection at most: the replacement is opened once the retired one is closed.
            var outcome = await transport.SendAsync(Email($"user{i}@example.com"), Route(server, maxConnections: 1), Nothing, CancellationToken.None);
            Assert.Equal(AttemptOutcome.Sent, outcome.Outcome);
        }

        Assert.Equal(3, server.Connections);
        Assert.Equal(1, server.MaxOpenConnections);
    }

    [Fact]
    public async Task A_connection_idle_longer_than_the_idle_timeout_is_closed()
    {
        await using var server = new ScriptedSmtpServer();
        using var transport = Transport(o => o.IdleTimeout = TimeSpan.FromMilliseconds(200));

        await transport.SendAsync(Email("ann@example.com"), Route(server), Nothing, CancellationToken.None);
        await WaitUntilAsync(() => server.OpenConnections == 0, TimeSpan.FromSeconds(5));
        var second = await transport.SendAsync(Email("bob@example.com"), Route(server), Nothing, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Sent, second.Outcome);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_slow_relay_does_not_delay_a_fast_one()
    {
        await using var slow = new ScriptedSmtpServer { ReplyDelay = TimeSpan.FromMilliseconds(500) };
        await using var fast = new ScriptedSmtpServer();
        await using var warmUp = new ScriptedSmtpServer();
        using var transport = Transport();
        await transport.SendAsync(Email("warm@example.com"), Route(warmUp), Nothing, CancellationToken.None);

        var slowSends = Enumerable.Range(0, 8)
            .Select(i => transport.SendAsync(Email($"slow{i}@example.com"), Route(slow), Nothing, CancellationToken.None)).ToList();
        var clock = Stopwatch.StartNew();
        var fastOutcomes = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => transport.SendAsync(Email($"fast{i}@example.com"), Route(fast), Nothing, CancellationToken.None)));
        var fastTook = clock.Elapsed;

        Assert.All(fastOutcomes, o => Assert.Equal(AttemptOutcome.Sent, o.Outcome));
        Assert.True(fastTook < TimeSpan.FromMilliseconds(400), $"The fast relay's sends took {fastTook.TotalMilliseconds} ms.");
        Assert.DoesNotContain(slowSends, s => s.IsCompleted);
        Assert.All(await Task.WhenAll(slowSends), o => Assert.Equal(AttemptOutcome.Sent, o.Outcome));
    }

    [Fact]
    public async Task A_relay_answering_421_backs_off_on_its_own_and_another_relay_still_sends()
    {
        await using var throttled = new ScriptedSmtpServer { Greeting = "421 4.7.0 Too many connections, try again later" };
        await using var healthy = new ScriptedSmtpServer();
        using var transport = Transport(o => o.ThrottleBackoff = TimeSpan.FromSeconds(30));

        var refused = await transport.SendAsync(Email("ann@example.com"), Route(throttled), Nothing, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var backingOff = await transport.SendAsync(Email("bob@example.com"), Route(throttled), Nothing, CancellationToken.None);
        var other = await transport.SendAsync(Email("cat@example.com"), Route(healthy), Nothing, CancellationToken.None);
        clock.Stop();

        Assert.Equal(AttemptOutcome.Transient, refused.Outcome);
        Assert.Equal(DeliveryPhase.Connect, refused.Phase);
        Assert.Equal(421, refused.Reply?.Code);
        Assert.Equal(AttemptOutcome.Transient, backingOff.Outcome);
        Assert.Equal(DeliveryPhase.Connect, backingOff.Phase);
        Assert.Contains("fewer connections", backingOff.Detail, StringComparison.Ordinal);
        Assert.Equal(1, throttled.Connections);
        Assert.Equal(AttemptOutcome.Sent, other.Outcome);
        Assert.Single(healthy.Received);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"Took {clock.Elapsed.TotalMilliseconds} ms.");
    }

    [Fact]
    public async Task Deliveries_waiting_for_a_relay_that_backs_off_are_told_at_once()
    {
        await using var server = new ScriptedSmtpServer { DataReply = "451 4.7.0 Rate limit exceeded, slow down" };
        using var transport = Transport(o => o.ThrottleBackoff = TimeSpan.FromSeconds(30));
        server.HoldReplies();

        var first = transport.SendAsync(Email("ann@example.com"), Route(server, maxConnections: 1), Nothing, CancellationToken.None);
        await server.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(10));
        var waiting = transport.SendAsync(Email("bob@example.com"), Route(server, maxConnections: 1), Nothing, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        server.ReleaseReplies();

        var throttled = await first;
        var told = await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(AttemptOutcome.Transient, throttled.Outcome);
        Assert.Equal(451, throttled.Reply?.Code);
        Assert.Equal(AttemptOutcome.Transient, told.Outcome);
        Assert.Contains("fewer connections", told.Detail, StringComparison.Ordinal);
        Assert.Equal(1, server.MailFromCommands);
    }

    [Fact]
    public async Task A_relay_sends_again_once_its_back_off_is_over()
    {
        await using var server = new ScriptedSmtpServer { Greeting = "421 4.3.2 Service shutting down" };
        using var transport = Transport(o => o.ThrottleBackoff = TimeSpan.FromMilliseconds(200));

        var refused = await transport.SendAsync(Email("ann@example.com"), Route(server), Nothing, CancellationToken.None);
        server.Greeting = "220 scripted.example.com ESMTP";
        await Task.Delay(400);
        var sent = await transport.SendAsync(Email("bob@example.com"), Route(server), Nothing, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Transient, refused.Outcome);
        Assert.Equal(AttemptOutcome.Sent, sent.Outcome);
    }

    [Fact]
    public async Task Before_handover_runs_on_a_ready_connection_before_MAIL_FROM()
    {
        await using var server = new ScriptedSmtpServer();
        using var transport = Transport();
        var seen = new List<(int Connections, int MailFrom)>();
        Task Record(CancellationToken _)
        {
            seen.Add((server.Connections, server.MailFromCommands));
            return Task.CompletedTask;
        }

        var first = await transport.SendAsync(Email("ann@example.com"), Route(server), Record, CancellationToken.None);
        var second = await transport.SendAsync(Email("bob@example.com"), Route(server), Record, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Sent, first.Outcome);
        Assert.Equal(AttemptOutcome.Sent, second.Outcome);
        Assert.Equal([(1, 0), (1, 1)], seen);
    }

    [Fact]
    public async Task A_throwing_before_handover_sends_nothing_and_its_exception_reaches_the_caller()
    {
        await using var server = new ScriptedSmtpServer();
        using var transport = Transport();

        await Assert.ThrowsAsync<InvalidOperationException>(() => transport.SendAsync(
            Email("ann@example.com"), Route(server), _ => throw new InvalidOperationException("Not yours."), CancellationToken.None));
        Assert.Equal(0, server.MailFromCommands);
        Assert.Empty(server.Received);

        // The connection went back to the pool unused.
        var next = await transport.SendAsync(Email("bob@example.com"), Route(server), Nothing, CancellationToken.None);
        Assert.Equal(AttemptOutcome.Sent, next.Outcome);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task A_reused_connection_the_server_closed_is_replaced_once_without_a_second_handover()
    {
        await using var server = new ScriptedSmtpServer();
        await using var proxy = new SmtpProxy("127.0.0.1", server.Port);
        proxy.Start();
        using var transport = Transport();
        var route = new SmtpRoute("127.0.0.1", proxy.Port, SmtpSecurity.None, null, null);
        await transport.SendAsync(Email("ann@example.com"), route, Nothing, CancellationToken.None);

        // The server side of the idle connection goes away, and the server comes back.
        proxy.Stop();
        proxy.Start();
        var handovers = 0;
        var outcome = await transport.SendAsync(Email("bob@example.com"), route, _ =>
        {
            handovers++;
            return Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Sent, outcome.Outcome);
        Assert.Equal(1, handovers);
        Assert.Equal(2, proxy.Connections);
        Assert.Equal(2, server.Received.Count);
    }

    [Fact]
    public async Task A_connection_lost_after_the_whole_message_was_written_is_uncertain()
    {
        await using var server = new ScriptedSmtpServer { DropAfterData = true };
        using var transport = Transport();

        var outcome = await transport.SendAsync(Email("ann@example.com"), Route(server), Nothing, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Uncertain, outcome.Outcome);
        Assert.Equal(DeliveryPhase.Data, outcome.Phase);
        Assert.Single(server.Received);
    }

    [Fact]
    public async Task A_refused_sender_is_permanent_at_the_envelope()
    {
        await using var server = new ScriptedSmtpServer { MailFromReply = "553 5.7.1 Sender address rejected" };
        using var transport = Transport();

        var outcome = await transport.SendAsync(Email("ann@example.com"), Route(server), Nothing, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Permanent, outcome.Outcome);
        Assert.Equal(DeliveryPhase.Envelope, outcome.Phase);
        Assert.Equal("5.7.1", outcome.Reply?.EnhancedStatus);
        Assert.Empty(server.Received);
    }

    private static MailKitEmailTransport Transport(Action<SmtpOptions>? configure = null)
    {
        var options = new SmtpOptions { Timeout = TimeSpan.FromSeconds(15) };
        configure?.Invoke(options);
        // Loopback relays are what these tests talk to: the guard lets them through as the test host's settings do.
        var relays = new RelayConnector(new AddressGuard(), Options.Create(new RelayGuardOptions { AllowPrivateRelays = true }), Options.Create(options));
        return new MailKitEmailTransport(Options.Create(options), relays, NullLogger<MailKitEmailTransport>.Instance);
    }

    private static SmtpRoute Route(ScriptedSmtpServer server, int maxConnections = SmtpSettings.DefaultMaxConnections) =>
        new("127.0.0.1", server.Port, SmtpSecurity.None, null, null, maxConnections);

    private static OutgoingEmail Email(params string[] to) => new()
    {
        From = new Mailbox(EmailAddress.Parse("sender@example.com", "from").Value, "Sender"),
        Recipients = [.. to.Select(a => new Recipient(RecipientKind.To, a))],
        Subject = "Hello",
        TextBody = "Hello there.",
        MessageId = $"<{Guid.NewGuid():N}@example.com>",
        Date = DateTimeOffset.UtcNow,
        EnvelopeFrom = "sender@example.com",
    };

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, "The condition was not met in time.");
            await Task.Delay(20);
        }
    }
}
