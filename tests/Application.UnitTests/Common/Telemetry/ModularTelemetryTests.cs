using System.Diagnostics;
using System.Diagnostics.Metrics;
using Modular.Application.Common.Telemetry;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Messaging;

namespace Modular.Application.UnitTests.Common.Telemetry;

public sealed class ModularTelemetryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Committed_status_and_arrival_events_are_counted_by_their_own_counter()
    {
        var counted = await CountAsync(
            new MessageSent(Aggregates.Message(1, 2), Now),
            new MessageSent(Aggregates.Message(2, 2), Now),
            new MessageFailed(Aggregates.Message(3, 2), Now),
            new MessageUncertain(Aggregates.Message(4, 2), Now),
            new MessageBlocked(Aggregates.Message(5, 2), Now),
            new MessageCanceled(Aggregates.Message(6, 2), Now),
            new MessageReceived(Aggregates.Message(7, 2), 5));

        Assert.Equal(2, counted.GetValueOrDefault("modular.emails.sent"));
        Assert.Equal(1, counted.GetValueOrDefault("modular.emails.failed"));
        Assert.Equal(1, counted.GetValueOrDefault("modular.emails.uncertain"));
        Assert.Equal(1, counted.GetValueOrDefault("modular.emails.blocked"));
        Assert.Equal(1, counted.GetValueOrDefault("modular.inbound.received"));
        Assert.Equal(5, counted.Count);
    }

    [Fact]
    public async Task A_first_delivery_due_is_not_a_retry()
    {
        var message = Aggregates.Message(1, 2);
        var counted = await CountAsync(Assert.IsType<MessageDeliveryDue>(Assert.Single(message.DomainEvents)));

        Assert.Empty(counted);
    }

    [Fact]
    public void A_delivery_span_is_a_child_of_the_request_that_accepted_the_message()
    {
        using var listener = Listen();
        var request = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var traceParent = $"00-{request.TraceId.ToHexString()}-{request.SpanId.ToHexString()}-01";

        using var delivery = ModularTelemetry.StartDelivery(42, traceParent);

        Assert.NotNull(delivery);
        Assert.Equal(request.TraceId, delivery.TraceId);
        Assert.Equal(request.SpanId, delivery.ParentSpanId);
        Assert.Equal(42L, delivery.GetTagItem("modular.message.id"));
    }

    [Fact]
    public void Without_a_stored_context_a_delivery_span_starts_a_trace_of_its_own()
    {
        using var listener = Listen();

        using var delivery = ModularTelemetry.StartDelivery(42, null);

        Assert.NotNull(delivery);
        Assert.Equal(default, delivery.ParentSpanId);
    }

    [Fact]
    public void Only_a_recorded_request_leaves_its_trace_context_on_the_message()
    {
        using (var unrecorded = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            Assert.Null(ModularTelemetry.CurrentTraceParent());
        }

        using var recorded = new Activity("request").SetIdFormat(ActivityIdFormat.W3C);
        recorded.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        recorded.Start();
        Assert.Equal(recorded.Id, ModularTelemetry.CurrentTraceParent());
        Assert.StartsWith($"00-{recorded.TraceId.ToHexString()}-", ModularTelemetry.CurrentTraceParent(), StringComparison.Ordinal);
    }

    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ModularTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>What the meter counted while this thread handled the events (other tests may count on other threads).</summary>
    private static async Task<Dictionary<string, long>> CountAsync(params Domain.Common.IDomainEvent[] events)
    {
        var thread = Environment.CurrentManagedThreadId;
        var counted = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, meterListener) =>
            {
                if (instrument.Meter.Name == ModularTelemetry.Name)
                {
                    meterListener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                counted[instrument.Name] = counted.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();

        var metrics = new MessageMetrics();
        foreach (var domainEvent in events.Where(metrics.CanHandle))
        {
            await metrics.HandleAsync(domainEvent, CancellationToken.None);
        }

        return counted;
    }
}
