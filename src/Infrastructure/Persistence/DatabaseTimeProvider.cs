namespace Modular.Infrastructure.Persistence;

/// <summary>
/// The system clock at PostgreSQL's precision (microseconds), so a time answered on create is the
/// time a later read returns.
/// </summary>
internal sealed class DatabaseTimeProvider : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = base.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
