using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Modular.Benchmarks.Smtp;

namespace Modular.Benchmarks;

/// <summary>
/// Matches what the sink receives to what the benchmark sent. Every request of phase p, number i, goes to
/// <c>r{run}-p{p}-{i}@bench.example.com</c>; the sink's receipt time of that address is kept per phase.
/// Anything else (the MailKit ceiling) is only counted.
/// </summary>
internal sealed class DeliveryTracker : IDeliveryRecorder
{
    public const string Domain = "bench.example.com";
    private const int MaxPhases = 4096;

    private readonly string _prefix;
    private readonly byte[] _prefixBytes;
    private readonly PhaseDeliveries?[] _phases = new PhaseDeliveries?[MaxPhases];

    public DeliveryTracker(long runId)
    {
        _prefix = string.Create(CultureInfo.InvariantCulture, $"r{runId}-p");
        _prefixBytes = Encoding.ASCII.GetBytes(_prefix);
    }

    public string Address(int phase, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}{phase}-{index}@{Domain}");

    public PhaseDeliveries Register(int phase, int count)
    {
        if (phase is < 0 or >= MaxPhases)
        {
            throw new ArgumentOutOfRangeException(nameof(phase), phase, "Too many phases.");
        }

        var deliveries = new PhaseDeliveries(count);
        Volatile.Write(ref _phases[phase], deliveries);
        return deliveries;
    }

    /// <summary>Records a receipt; recipients that are not a benchmark request (the ceilings' messages) are ignored.</summary>
    public void Record(ReadOnlySpan<byte> address, long timestamp)
    {
        if (TryParse(address, out var phase, out var index)
            && phase < MaxPhases
            && Volatile.Read(ref _phases[phase]) is { } deliveries)
        {
            deliveries.Record(index, timestamp);
        }
    }

    /// <summary>The phase of a benchmark request's address (the recipient of its webhook events).</summary>
    public bool TryPhaseOf(string address, out int phase) => TryParse(System.Text.Encoding.ASCII.GetBytes(address), out phase, out _);

    private bool TryParse(ReadOnlySpan<byte> address, out int phase, out int index)
    {
        index = 0;
        phase = 0;
        if (!address.StartsWith(_prefixBytes))
        {
            return false;
        }

        var rest = address[_prefixBytes.Length..];
        if (!Utf8Parser.TryParse(rest, out phase, out var used) || phase < 0 || used >= rest.Length || rest[used] != (byte)'-')
        {
            return false;
        }

        rest = rest[(used + 1)..];
        return Utf8Parser.TryParse(rest, out index, out used) && index >= 0 && used < rest.Length && rest[used] == (byte)'@';
    }
}

/// <summary>The sink's receipt time of each request of one phase (0 = not received yet).</summary>
internal sealed class PhaseDeliveries(int count)
{
    private readonly long[] _at = new long[count];
    private int _delivered;
    private int _duplicates;
    private long _first = long.MaxValue;
    private long _last = long.MinValue;

    public int Count => _at.Length;

    /// <summary>Requests received at least once.</summary>
    public int Delivered => Volatile.Read(ref _delivered);

    /// <summary>Receipts beyond the first one of a request (a message sent twice).</summary>
    public int Duplicates => Volatile.Read(ref _duplicates);

    public long First => Interlocked.Read(ref _first);

    public long Last => Interlocked.Read(ref _last);

    /// <summary>The first receipt time of request <paramref name="index"/>, or 0.</summary>
    public long At(int index) => Volatile.Read(ref _at[index]);

    public bool Record(int index, long timestamp)
    {
        if ((uint)index >= (uint)_at.Length)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _at[index], timestamp, 0) != 0)
        {
            Interlocked.Increment(ref _duplicates);
            return true;
        }

        Interlocked.Increment(ref _delivered);
        long seen;
        while (timestamp < (seen = Interlocked.Read(ref _first)) && Interlocked.CompareExchange(ref _first, timestamp, seen) != seen)
        {
        }

        while (timestamp > (seen = Interlocked.Read(ref _last)) && Interlocked.CompareExchange(ref _last, timestamp, seen) != seen)
        {
        }

        return true;
    }
}
