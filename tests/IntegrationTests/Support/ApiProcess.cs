using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// The service as a real operating-system process (the built Modular.Api.dll), for tests that stop
/// and start it (a restart is a new process against the same database, and a kill is a crash) or
/// that need other settings than the shared test host. Tests never start a second host inside the
/// test process: Hangfire keeps process-wide state (its log provider among it) that would then point
/// at whichever host was configured last, and break the others when that one stops.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private ApiProcess(Process process, Uri baseAddress, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        BaseAddress = baseAddress;
        _output = output;
    }

    public Uri BaseAddress { get; }

    /// <summary>Every line the process wrote to standard output and standard error so far.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>The process's resident memory now and at its peak (<c>VmRSS</c>, <c>VmHWM</c> of /proc), in bytes.</summary>
    public (long Current, long Peak) Memory()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        long Read(string field) => long.Parse(
            status.Single(line => line.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim().Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture) * 1024;
        return (Read("VmRSS"), Read("VmHWM"));
    }

    /// <summary>
    /// Runs the service until it exits on its own (a start-up it refuses) or <paramref name="timeout"/>
    /// passes; returns its exit code (null when it was still running and was killed) and its output.
    /// </summary>
    public static async Task<(int? ExitCode, IReadOnlyList<string> Output)> RunUntilExitAsync(
        string connectionString, IReadOnlyDictionary<string, string> settings, TimeSpan timeout)
    {
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = Process.Start(StartInfo(connectionString, settings, new Uri($"http://127.0.0.1:{FreePort()}")))
            ?? throw new InvalidOperationException("The API process did not start.");
        process.OutputDataReceived += (_, line) => Keep(output, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(output, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            await process.WaitForExitAsync();
            return (process.ExitCode, [.. output]);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (null, [.. output]);
        }
    }

    public static async Task<ApiProcess> StartAsync(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = Process.Start(StartInfo(connectionString, settings, baseAddress)) ?? throw new InvalidOperationException("The API process did not start.");
        process.OutputDataReceived += (_, line) => Keep(output, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(output, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, baseAddress, output);
        try
        {
            await api.WaitUntilReadyAsync();
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }

        return api;
    }

    private static ProcessStartInfo StartInfo(string connectionString, IReadOnlyDictionary<string, string>? settings, Uri baseAddress)
    {
        var start = new ProcessStartInfo("dotnet", [ApiAssemblyPath()])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(ApiAssemblyPath())!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString();
        start.Environment["ConnectionStrings__Database"] = connectionString;
        start.Environment["Admin__ApiKey"] = ApiFactory.AdminKey;
        start.Environment["Smtp__Host"] = MailDev.SmtpHost;
        start.Environment["Smtp__Port"] = MailDev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Delivery__ShutdownTimeout"] = "00:00:05";
        start.Environment["DataProtection__CertificatePath"] = TestCertificate.Path;
        start.Environment["DataProtection__CertificatePassword"] = TestCertificate.Password;
        // Relays of the tests run on 127.0.0.1; the tests of the relay guard turn this off again.
        start.Environment["Smtp__AllowPrivateRelays"] = "true";
        // Webhook receivers of the tests run on 127.0.0.1 too; the tests of the webhook guard turn this off.
        start.Environment["Webhooks__AllowPrivateNetworks"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return start;
    }

    /// <summary>Creates an organization through the administration endpoint of this process.</summary>
    public Task<TestOrganization> CreateOrganizationAsync() => TestOrganization.CreateAsync(CreateClient);

    public HttpClient CreateClient(string apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Ends the process at once, as a crash or power loss would (no graceful shutdown).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// Stops the process as an orchestrator would (SIGTERM, then a kill after 15 s): its job server lets
    /// go of Hangfire's distributed locks, which a killed process leaves behind in the database for the
    /// next process to wait on.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var terminate = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await terminate.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Not stopped in time: end it.
            }
        }

        await KillAsync();
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                // Waits for the end of the redirected output, so its last lines are in _output.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException(
                    $"The API process exited with code {_process.ExitCode} during start-up: {string.Join(" | ", _output.Take(12))}");
            }

            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, but the readiness check took longer than the request's 5 s (a process started
                // right after another was killed, on a loaded machine): not ready yet, ask again.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The API process was not ready within 120 s.");
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        // Enough for any test's log assertions; a chatty process cannot fill the test's memory.
        if (line is not null && output.Count < 100_000)
        {
            output.Enqueue(line);
        }
    }

    private static string ApiAssemblyPath()
    {
        // tests/IntegrationTests/bin/<Configuration>/<tfm>/ → src/Api/bin/<Configuration>/<tfm>/Modular.Api.dll
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (testBin.Name, testBin.Parent!.Name);
        var root = testBin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "src", "Api", "bin", configuration, framework, "Modular.Api.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the API assembly is missing.", path);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
