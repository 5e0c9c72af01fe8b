using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// A PostgreSQL cluster of the test's own (initdb in a temporary folder, its own free port), which the
/// test may stop and start: never the shared cluster the other tests use. As root, initdb and pg_ctl run
/// as the <c>postgres</c> user, which PostgreSQL requires.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _folder;

    private PostgresCluster(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ConnectionString;

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(dir => Path.Combine(dir, "bin"))
            .Where(dir => File.Exists(Path.Combine(dir, "pg_ctl")))
            .OrderByDescending(dir => int.TryParse(Path.GetFileName(Path.GetDirectoryName(dir)), out var major) ? major : 0)
            .FirstOrDefault() ?? throw new InvalidOperationException("PostgreSQL binaries are missing under /usr/lib/postgresql (./test.sh installs them).");
        var folder = Path.Combine(Path.GetTempPath(), $"modular-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres:", folder], asOwner: false);
        }

        var cluster = new PostgresCluster(bin, folder, FreePort());
        try
        {
            await cluster.RunAsync("initdb", ["-D", cluster.Data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"]);
            await cluster.StartAgainAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private string Data => Path.Combine(_folder, "data");

    public async Task CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server at once, closing every client connection (as a crash or a restart would).</summary>
    public Task StopAsync() => RunAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);

    public Task StartAgainAsync() => RunAsync("pg_ctl",
        ["-D", Data, "-l", Path.Combine(_folder, "postgres.log"), "-w", "-t", "60", "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1", "start"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(Data, "postmaster.pid")))
            {
                await StopAsync();
            }
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private Task RunAsync(string tool, string[] arguments) => RunAsync(Path.Combine(_bin, tool), arguments, asOwner: true);

    private static async Task RunAsync(string program, string[] arguments, bool asOwner)
    {
        var start = asOwner && IsRoot
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = "/";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
