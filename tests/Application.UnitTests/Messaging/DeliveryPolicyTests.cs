using Modular.Application.Messaging.Ports;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Messaging;

public sealed class DeliveryPolicyTests
{
    [Fact]
    public void The_default_retry_delays_grow_from_5_seconds_to_4_hours()
    {
        var policy = new DeliveryPolicy();

        Assert.Equal(
            [
                TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
                TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4),
            ],
            policy.RetryDelays);
    }

    [Fact]
    public void A_claimer_renews_its_lease_every_5_seconds_and_counts_as_gone_after_20()
    {
        var policy = new DeliveryPolicy();

        Assert.Equal(TimeSpan.FromSeconds(5), policy.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), policy.ClaimerTimeout);
        Assert.True(policy.ClaimerTimeout >= 3 * policy.HeartbeatInterval);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 30)]
    [InlineData(3, 120)]
    [InlineData(4, 600)]
    [InlineData(5, 1800)]
    [InlineData(6, 3600)]
    [InlineData(7, 7200)]
    [InlineData(8, 14400)]
    public void After_failed_attempt_n_the_next_waits_the_nth_delay(int failedAttempts, int seconds) =>
        Assert.Equal(Clock.Now.AddSeconds(seconds), new DeliveryPolicy().NextAttemptAt(failedAttempts, Clock.Now));

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(100)]
    public void After_the_last_delay_no_attempt_is_left(int failedAttempts) =>
        Assert.Null(new DeliveryPolicy().NextAttemptAt(failedAttempts, Clock.Now));

    [Fact]
    public void Configured_delays_are_used_instead()
    {
        var policy = new DeliveryPolicy { RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)] };

        Assert.Equal(Clock.Now.AddSeconds(1), policy.NextAttemptAt(1, Clock.Now));
        Assert.Equal(Clock.Now.AddSeconds(2), policy.NextAttemptAt(2, Clock.Now));
        Assert.Null(policy.NextAttemptAt(3, Clock.Now));
    }

    [Fact]
    public void Without_delays_the_first_failure_is_final() =>
        Assert.Null(new DeliveryPolicy { RetryDelays = [] }.NextAttemptAt(1, Clock.Now));

    [Fact]
    public void The_next_attempt_is_counted_from_the_given_now()
    {
        var now = Clock.Later(90);

        Assert.Equal(now.AddMinutes(2), new DeliveryPolicy().NextAttemptAt(3, now));
    }
}
