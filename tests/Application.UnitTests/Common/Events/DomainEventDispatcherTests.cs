using Modular.Application.Common.Events;
using Modular.Domain.Common;
using Modular.Domain.Contacts;

namespace Modular.Application.UnitTests.Common.Events;

public sealed class DomainEventDispatcherTests
{
    private static readonly Contact AContact =
        Contact.Create(1, EmailAddress.Parse("ann@example.com", "email").Value, "Ann", DateTimeOffset.UnixEpoch).Value;

    private readonly List<string> _log = [];

    [Fact]
    public async Task Each_event_runs_only_the_handlers_of_its_type_in_the_order_the_events_were_raised()
    {
        var dispatcher = new DomainEventDispatcher(
        [
            new Recorder<ContactOptedOut>("opt-out", _log, e => e.ChannelId.ToString()),
            new Recorder<Renamed>("renamed", _log, e => e.Name),
            new Recorder<NeverRaised>("never", _log, _ => "?"),
        ]);

        await dispatcher.DispatchAsync(
            [new Renamed("a"), new ContactOptedOut(AContact, 10, ConsentSource.Api, DateTimeOffset.UnixEpoch), new Renamed("b"), new ContactOptedOut(AContact, 11, ConsentSource.Api, DateTimeOffset.UnixEpoch)],
            CancellationToken.None);

        Assert.Equal(["renamed:a", "opt-out:10", "renamed:b", "opt-out:11"], _log);
    }

    [Fact]
    public async Task Several_handlers_of_one_event_run_in_registration_order()
    {
        var dispatcher = new DomainEventDispatcher(
        [
            new Recorder<Renamed>("first", _log, e => e.Name),
            new Recorder<ContactOptedOut>("opt-out", _log, e => e.ChannelId.ToString()),
            new Recorder<Renamed>("second", _log, e => e.Name),
        ]);

        await dispatcher.DispatchAsync([new Renamed("a"), new Renamed("b")], CancellationToken.None);

        Assert.Equal(["first:a", "second:a", "first:b", "second:b"], _log);
    }

    [Fact]
    public async Task A_handler_of_the_base_event_type_sees_every_event()
    {
        var dispatcher = new DomainEventDispatcher([new Recorder<IDomainEvent>("any", _log, e => e.GetType().Name)]);

        await dispatcher.DispatchAsync([new Renamed("a"), new ContactOptedOut(AContact, 10, ConsentSource.Api, DateTimeOffset.UnixEpoch)], CancellationToken.None);

        Assert.Equal(["any:Renamed", "any:ContactOptedOut"], _log);
    }

    [Fact]
    public async Task A_handler_finishes_before_the_next_one_starts()
    {
        var dispatcher = new DomainEventDispatcher(
        [
            new Recorder<Renamed>("slow", _log, e => e.Name, delay: TimeSpan.FromMilliseconds(20)),
            new Recorder<Renamed>("fast", _log, e => e.Name),
        ]);

        await dispatcher.DispatchAsync([new Renamed("a"), new Renamed("b")], CancellationToken.None);

        Assert.Equal(["slow:a", "fast:a", "slow:b", "fast:b"], _log);
    }

    [Fact]
    public async Task No_events_or_no_handlers_do_nothing()
    {
        await new DomainEventDispatcher([new Recorder<Renamed>("renamed", _log, e => e.Name)]).DispatchAsync([], CancellationToken.None);
        await new DomainEventDispatcher([]).DispatchAsync([new Renamed("a")], CancellationToken.None);

        Assert.Empty(_log);
    }

    [Fact]
    public async Task Handlers_get_the_cancellation_token()
    {
        using var source = new CancellationTokenSource();
        var recorder = new Recorder<Renamed>("renamed", _log, e => e.Name);

        await new DomainEventDispatcher([recorder]).DispatchAsync([new Renamed("a")], source.Token);

        Assert.Equal(source.Token, recorder.LastToken);
    }

    private sealed record Renamed(string Name) : IDomainEvent;

    private sealed record NeverRaised : IDomainEvent;

    private sealed class Recorder<TEvent>(string name, List<string> log, Func<TEvent, string> describe, TimeSpan delay = default)
        : DomainEventHandler<TEvent>
        where TEvent : IDomainEvent
    {
        public CancellationToken LastToken { get; private set; }

        protected override async Task HandleAsync(TEvent domainEvent, CancellationToken cancellationToken)
        {
            LastToken = cancellationToken;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, CancellationToken.None);
            }

            log.Add($"{name}:{describe(domainEvent)}");
        }
    }
}
