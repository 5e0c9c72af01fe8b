namespace Modular.Application.UnitTests.Support;

/// <summary>Fixed instants, so no test depends on the wall clock.</summary>
internal static class Clock
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset Later(int minutes) => Now.AddMinutes(minutes);
}

/// <summary>A <see cref="TimeProvider"/> that always answers <see cref="Clock.Now"/> (or the instant it was given).</summary>
internal sealed class FixedClock(DateTimeOffset? now = null) : TimeProvider
{
    private readonly DateTimeOffset _now = now ?? Clock.Now;

    public override DateTimeOffset GetUtcNow() => _now.ToUniversalTime();
}
