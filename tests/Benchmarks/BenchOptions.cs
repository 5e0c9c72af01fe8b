using System.Globalization;

namespace Modular.Benchmarks;

/// <summary>Command-line settings (see <see cref="Usage"/> and docs/benchmarks.md).</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        Usage: ./bench.sh [options]

        Load (open loop: requests start at a constant rate, whatever the answers do):
          --concurrency N        clients of the closed-loop burst and tasks of each ceiling (default 16)
          --duration S           length of each measured phase (50% and 90% of the max rate), seconds (default 20)
          --count N              send exactly N requests per measured phase instead of --duration
          --rate R               skip the search: take R requests/s as the highest sustainable rate
          --start-rate R         first step of the search, requests/s (default 25)
          --step-factor F        each step offers F times the previous rate (default 1.5)
          --step-duration S      length of each search step, seconds (default 5)
          --refine N             after the first failing step, N more steps halve the gap (default 2)
          --max-p99 MS           a step is sustainable only with accept p99 <= MS (default 1000)
          --min-completed F      ... and with at least F of its requests answered 2xx in time (default 0.97)
          --max-connections N    HTTP connections to the service, at most (default 256)
          --burst K              messages of the closed-loop burst (default 2000; 0 skips it)
          --drain N              messages of the drain: sent closed loop while the SMTP sink holds every reply,
                                 then delivered from that backlog: the delivery capacity (default 5000; 0 skips it)
          --campaign N           messages of the campaign: N sends (closed loop) all scheduled for one instant,
                                 then lateness at the sink, time until the last is sent, Hangfire jobs created;
                                 target: all sent within 10 s of their time (default 10000; 0 skips it)
          --campaign-lead S      seconds from the start of the campaign's sends to its time (default: from the
                                 accept rate of the burst, drain or warm-up: N / (half that rate) + 5 s;
                                 N / 200 + 15 s without one)
          --slow-relay-count N   messages through a channel whose own relay waits before each reply to a message:
                                 delivered/s against max_connections ÷ latency, target >= 0.90 (default 1000; 0 skips it)
          --slow-relay-latency MS  that relay's wait before each reply to a message, ms (default 50)
          --slow-relay-connections K  the channel's smtp.max_connections (1 to 100, default 4)
          --inbound-raw N        inbound ingestion: N emails posted to POST /v1/channels/{id}/inbound, each from a new
                                 sender: messages/s (default 2000; 0 skips it)
          --inbound-imap N       inbound ingestion: N emails waiting in a Dovecot folder when a channel is given that
                                 mailbox: messages/s until the last is stored (default 10000; 0 skips it; needs
                                 MODULAR_BENCH_IMAP_PORT, which ./bench.sh sets)
          --warmup S             seconds of warm-up load before measuring (default 30; 0 skips it)
          --ceiling-duration S   length of each ceiling loop, seconds (default 10)
          --no-ceilings          skip the INSERT and MailKit ceilings
          --no-webhooks          do not subscribe the benchmark's receiver to message.sent (no webhook per email)
          --statements N         statements shown in the drain's pg_stat_statements table, most time first (default 25)
          --delivery-timeout S   wait at most S seconds after a phase for its deliveries (default 120)
          --quick                smoke run: steps of 2 s, phases of 5 s, burst 300, drain 1000, campaign 1000,
                                 slow relay 200, ceilings of 3 s, warm-up 5 s

        Target (default: start src/Api/bin/Release/net10.0/Modular.Api.dll on a free port):
          --preload N            before the phases, store N sent messages (and N ÷ 10 scheduled for the next month,
                                 a contact and conversation per 10) across 100 organizations, generated in SQL
                                 (default 0; e.g. 10000000)
          --instances K          start K service processes on the one bench database, the load spread across
                                 them round-robin (default 1; 1 to 8; not with --url)
          --url URL              benchmark an already running service instead
          --admin-key KEY        its Admin:ApiKey (required with --url)
          --pid PID              its process id, to report its memory (RSS)
          --api-dll PATH         the API assembly to start (default: $MODULAR_BENCH_API_DLL)
          --database CS          Npgsql connection string of the bench database (default: $MODULAR_BENCH_DATABASE)
          --output DIR           where the JSON goes (default: $MODULAR_BENCH_OUTPUT or ./benchmark-results)
        """;

    public int Concurrency { get; private set; } = 16;

    public double DurationSeconds { get; private set; } = 20;

    public int? Count { get; private set; }

    public double? Rate { get; private set; }

    public double StartRate { get; private set; } = 25;

    public double StepFactor { get; private set; } = 1.5;

    public double StepSeconds { get; private set; } = 5;

    public int RefineSteps { get; private set; } = 2;

    public double MaxP99Ms { get; private set; } = 1000;

    public double MinCompleted { get; private set; } = 0.97;

    public int MaxConnections { get; private set; } = 256;

    public int Burst { get; private set; } = 2000;

    /// <summary>Messages of the drain phase (0: none): accepted while the sink holds its replies, then delivered as a backlog.</summary>
    public int Drain { get; private set; } = 5000;

    /// <summary>Messages of the campaign (0: none): all scheduled for the same instant.</summary>
    public int Campaign { get; private set; } = 10_000;

    /// <summary>Seconds from the campaign's first send to its time; null: derived from an earlier phase's accept rate.</summary>
    public double? CampaignLeadSeconds { get; private set; }

    /// <summary>Messages of the slow-relay phase (0: none).</summary>
    public int SlowRelayCount { get; private set; } = 1000;

    /// <summary>Emails posted to the raw inbound endpoint (0: none).</summary>
    public int InboundRaw { get; private set; } = 2000;

    /// <summary>Emails waiting in an IMAP mailbox for a channel to take (0: none).</summary>
    public int InboundImap { get; private set; } = 10_000;

    /// <summary>The slow relay's wait before each reply to a whole message, milliseconds.</summary>
    public double SlowRelayLatencyMs { get; private set; } = 50;

    /// <summary>The slow-relay channel's <c>smtp.max_connections</c>.</summary>
    public int SlowRelayConnections { get; private set; } = 4;

    /// <summary>Seconds of closed-loop warm-up load (JIT tiering of the service takes about half a minute of load).</summary>
    public double WarmupSeconds { get; private set; } = 30;

    public double CeilingSeconds { get; private set; } = 10;

    public bool Ceilings { get; private set; } = true;

    /// <summary>Whether the tenant has a webhook endpoint for message.sent (the receiver inside the benchmark).</summary>
    public bool Webhooks { get; private set; } = true;

    public int StatementsShown { get; private set; } = 25;

    public double DeliveryTimeoutSeconds { get; private set; } = 120;

    public bool Quick { get; private set; }

    /// <summary>Sent messages stored before the phases (--preload), plus a tenth as many scheduled.</summary>
    public long Preload { get; private set; }

    /// <summary>Service processes started on the bench database (--instances).</summary>
    public int Instances { get; private set; } = 1;

    public Uri? Url { get; private set; }

    public string? AdminKey { get; private set; }

    public int? Pid { get; private set; }

    public string? ApiDll { get; private set; } = Environment.GetEnvironmentVariable("MODULAR_BENCH_API_DLL");

    public string? Database { get; private set; } = Environment.GetEnvironmentVariable("MODULAR_BENCH_DATABASE");

    public string OutputDirectory { get; private set; } =
        Environment.GetEnvironmentVariable("MODULAR_BENCH_OUTPUT") is { Length: > 0 } output ? output : "benchmark-results";

    /// <summary>A safety stop for the search (a service that sustains everything).</summary>
    public double MaxRate { get; private set; } = 100_000;

    /// <summary>Parses the arguments; null when help was asked for. Throws <see cref="ArgumentException"/> on a bad argument.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        // --quick first, so that explicit options given with it still win.
        if (args.Contains("--quick"))
        {
            options.Quick = true;
            options.StepSeconds = 2;
            options.DurationSeconds = 5;
            options.Burst = 300;
            options.Drain = 1000;
            options.Campaign = 1000;
            options.SlowRelayCount = 200;
            options.InboundRaw = 300;
            options.InboundImap = 500;
            options.CeilingSeconds = 3;
            options.WarmupSeconds = 5;
            options.DeliveryTimeoutSeconds = 60;
        }

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string? inline = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (name.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inline = name[(equals + 1)..];
                name = name[..equals];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{name} needs a value.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "-h" or "--help":
                    return null;
                case "--quick":
                    break;
                case "--concurrency": options.Concurrency = PositiveInt(name, Value()); break;
                case "--duration": options.DurationSeconds = PositiveDouble(name, Value()); break;
                case "--count": options.Count = PositiveInt(name, Value()); break;
                case "--rate": options.Rate = PositiveDouble(name, Value()); break;
                case "--start-rate": options.StartRate = PositiveDouble(name, Value()); break;
                case "--step-factor":
                    options.StepFactor = PositiveDouble(name, Value());
                    if (options.StepFactor <= 1)
                    {
                        throw new ArgumentException("--step-factor must be greater than 1.");
                    }

                    break;
                case "--step-duration": options.StepSeconds = PositiveDouble(name, Value()); break;
                case "--max-p99": options.MaxP99Ms = PositiveDouble(name, Value()); break;
                case "--min-completed":
                    options.MinCompleted = PositiveDouble(name, Value());
                    if (options.MinCompleted > 1)
                    {
                        throw new ArgumentException("--min-completed is a fraction (0..1].");
                    }

                    break;
                case "--max-connections": options.MaxConnections = PositiveInt(name, Value()); break;
                case "--max-rate": options.MaxRate = PositiveDouble(name, Value()); break;
                case "--refine": options.RefineSteps = NonNegativeInt(name, Value()); break;
                case "--burst": options.Burst = NonNegativeInt(name, Value()); break;
                case "--drain": options.Drain = NonNegativeInt(name, Value()); break;
                case "--campaign": options.Campaign = NonNegativeInt(name, Value()); break;
                case "--campaign-lead": options.CampaignLeadSeconds = PositiveDouble(name, Value()); break;
                case "--slow-relay-count": options.SlowRelayCount = NonNegativeInt(name, Value()); break;
                case "--slow-relay-latency": options.SlowRelayLatencyMs = PositiveDouble(name, Value()); break;
                case "--slow-relay-connections":
                    options.SlowRelayConnections = PositiveInt(name, Value());
                    if (options.SlowRelayConnections > 100)
                    {
                        throw new ArgumentException("--slow-relay-connections is a channel's smtp.max_connections: 1 to 100.");
                    }

                    break;
                case "--inbound-raw": options.InboundRaw = NonNegativeInt(name, Value()); break;
                case "--inbound-imap": options.InboundImap = NonNegativeInt(name, Value()); break;
                case "--warmup": options.WarmupSeconds = NonNegativeDouble(name, Value()); break;
                case "--ceiling-duration": options.CeilingSeconds = PositiveDouble(name, Value()); break;
                case "--no-ceilings": options.Ceilings = false; break;
                case "--no-webhooks": options.Webhooks = false; break;
                case "--statements": options.StatementsShown = PositiveInt(name, Value()); break;
                case "--delivery-timeout": options.DeliveryTimeoutSeconds = PositiveDouble(name, Value()); break;
                case "--preload":
                    options.Preload = long.TryParse(Value(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var preload) && preload <= 100_000_000
                        ? preload
                        : throw new ArgumentException("--preload is a number of messages, 0 to 100000000.");
                    break;
                case "--instances":
                    options.Instances = PositiveInt(name, Value());
                    if (options.Instances > 8)
                    {
                        throw new ArgumentException("--instances is 1 to 8 (two cores run them all).");
                    }

                    break;
                case "--url":
                    options.Url = Uri.TryCreate(Value(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                        ? url
                        : throw new ArgumentException("--url must be an absolute http(s) URL.");
                    break;
                case "--admin-key": options.AdminKey = Value(); break;
                case "--pid": options.Pid = PositiveInt(name, Value()); break;
                case "--api-dll": options.ApiDll = Value(); break;
                case "--database": options.Database = Value(); break;
                case "--output": options.OutputDirectory = Value(); break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}' (see --help).");
            }
        }

        if (options.Url is not null && string.IsNullOrEmpty(options.AdminKey))
        {
            throw new ArgumentException("--url needs --admin-key (the service's Admin:ApiKey).");
        }

        if (options.Preload > 0 && string.IsNullOrEmpty(options.Database))
        {
            throw new ArgumentException("--preload writes into the bench database: it needs --database (./bench.sh gives it).");
        }

        if (options.Url is not null && options.Instances > 1)
        {
            throw new ArgumentException("--instances starts the services itself: it cannot be used with --url.");
        }

        if (options.Url is null && string.IsNullOrEmpty(options.ApiDll))
        {
            throw new ArgumentException("The API assembly is unknown: run through ./bench.sh, or pass --api-dll or --url.");
        }

        if (options.Ceilings && string.IsNullOrEmpty(options.Database))
        {
            throw new ArgumentException("The bench database is unknown: run through ./bench.sh, or pass --database (or --no-ceilings with --url).");
        }

        if (options.Url is null && string.IsNullOrEmpty(options.Database))
        {
            throw new ArgumentException("Starting the service needs --database (the bench database).");
        }

        return options;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'.");

    private static int NonNegativeInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new ArgumentException($"{name} must be an integer >= 0, not '{value}'.");

    private static double NonNegativeDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && double.IsFinite(n)
            ? n
            : throw new ArgumentException($"{name} must be a number >= 0, not '{value}'.");

    private static double PositiveDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && double.IsFinite(n)
            ? n
            : throw new ArgumentException($"{name} must be a positive number, not '{value}'.");
}
