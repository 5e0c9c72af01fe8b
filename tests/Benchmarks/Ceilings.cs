using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using Npgsql;

namespace Modular.Benchmarks;

/// <summary>A ceiling: how fast a bare loop does the expensive part of the service's work, with the same concurrency.</summary>
internal sealed record CeilingResult(
    string Name,
    string Description,
    int Concurrency,
    double Seconds,
    long Operations,
    double PerSecond,
    LatencySummary LatencyMs,
    long Errors,
    double? MachineCpuMsPerOperation);

/// <summary>
/// The two ceilings the service is compared with (and one informative loop): C tasks for a fixed time,
/// after a one-second warm-up that is not counted.
/// </summary>
internal static class Ceilings
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>
    /// INSERT loop: each task opens a pooled connection, BEGIN, INSERT one row, COMMIT, and again.
    /// What accepting a send cannot beat: it commits at least one transaction per message.
    /// </summary>
    public static async Task<CeilingResult> InsertAsync(string connectionString, int concurrency, TimeSpan duration)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = Math.Max(concurrency + 2, 20),
            ApplicationName = "modular-bench-ceiling",
        };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        await using (var create = dataSource.CreateCommand(
            "CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"))
        {
            await create.ExecuteNonQueryAsync();
        }

        return await RunAsync("postgres_insert", "Npgsql: open a pooled connection, BEGIN, INSERT one row (~1 KB text), COMMIT",
            concurrency, duration, () =>
            {
                var state = new InsertState(dataSource);
                Func<Task> operation = state.InsertAsync;
                Func<ValueTask> done = () => ValueTask.CompletedTask;
                return Task.FromResult((operation, done));
            });
    }

    /// <summary>MailKit loop: each task keeps one connection to the sink and sends the same MIME message over it, again and again.</summary>
    public static Task<CeilingResult> MailKitAsync(int smtpPort, int concurrency, TimeSpan duration) =>
        RunAsync("mailkit_smtp", "MailKit: one connected SmtpClient per task, the same ~2 KB multipart/alternative message, again and again",
            concurrency, duration, async () =>
            {
                var client = new SmtpClient();
                await client.ConnectAsync("127.0.0.1", smtpPort, SecureSocketOptions.None);
                var message = BenchMessage.CreateMime("ceiling@" + DeliveryTracker.Domain, "ceiling-rcpt@" + DeliveryTracker.Domain);
                return (async () => { await client.SendAsync(message); }, async () =>
                {
                    await client.DisconnectAsync(quit: true);
                    client.Dispose();
                });
            });

    /// <summary>Informative: MailKit with a new connection per message (connect, EHLO, send, QUIT), as the service's delivery job does.</summary>
    public static Task<CeilingResult> MailKitConnectPerMessageAsync(int smtpPort, int concurrency, TimeSpan duration) =>
        RunAsync("mailkit_smtp_connect_per_message", "MailKit: connect, send the same message, QUIT, per message (the service's pattern)",
            concurrency, duration, () =>
            {
                var message = BenchMessage.CreateMime("ceiling@" + DeliveryTracker.Domain, "ceiling-rcpt@" + DeliveryTracker.Domain);
                Func<Task> operation = async () =>
                {
                    using var client = new SmtpClient();
                    await client.ConnectAsync("127.0.0.1", smtpPort, SecureSocketOptions.None);
                    await client.SendAsync(message);
                    await client.DisconnectAsync(quit: true);
                };
                Func<ValueTask> done = () => ValueTask.CompletedTask;
                return Task.FromResult((operation, done));
            });

    public static async Task<string?> PostgresVersionAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT current_setting('server_version') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', fsync=' || current_setting('fsync')");
        return (string?)await command.ExecuteScalarAsync();
    }

    private static async Task<CeilingResult> RunAsync(
        string name, string description, int concurrency, TimeSpan duration,
        Func<Task<(Func<Task> Operation, Func<ValueTask> Done)>> setUp)
    {
        var workers = new (Func<Task> Operation, Func<ValueTask> Done)[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            workers[i] = await setUp();
        }

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Clock.Ticks(WarmUp.TotalSeconds);
        var measureTo = measureFrom + Clock.Ticks(duration.TotalSeconds);
        var latencies = new List<double>[concurrency];
        var errors = 0L;

        async Task WorkerAsync(int w)
        {
            var list = latencies[w] = new List<double>(4096);
            var operation = workers[w].Operation;
            while (true)
            {
                var begin = Stopwatch.GetTimestamp();
                if (begin >= measureTo)
                {
                    return;
                }

                try
                {
                    await operation();
                }
                catch (Exception exception) when (exception is IOException or NpgsqlException or MailKit.ProtocolException or SmtpCommandException or System.Net.Sockets.SocketException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                var end = Stopwatch.GetTimestamp();
                if (begin >= measureFrom && end <= measureTo)
                {
                    list.Add(Clock.Ms(begin, end));
                }
            }
        }

        var tasks = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var index = w;
            tasks[w] = Task.Run(() => WorkerAsync(index));
        }

        // The whole machine's CPU over the measured window (every process: the loop, the sink or PostgreSQL).
        await Task.Delay(WarmUp);
        var cpuFrom = CpuSnapshot.Take([]);
        await Task.WhenAll(tasks);
        var cpu = CpuSnapshot.Between(cpuFrom, CpuSnapshot.Take([]), false, 0);
        foreach (var worker in workers)
        {
            await worker.Done();
        }

        var all = latencies.SelectMany(l => l).ToArray();
        var seconds = duration.TotalSeconds;
        return new CeilingResult(name, description, concurrency, seconds, all.Length, Math.Round(all.Length / seconds, 1),
            LatencySummary.Of(all, all.Length), errors,
            all.Length > 0 ? Math.Round(cpu.MachinePercent / 100 * cpu.Seconds * 1000 / all.Length, 4) : null);
    }

    private sealed class InsertState(NpgsqlDataSource dataSource)
    {
        public async Task InsertAsync()
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand("INSERT INTO bench_insert (payload) VALUES ($1)", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = BenchMessage.Html });
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }
    }
}
