using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Modular.Benchmarks;

/// <summary>
/// The service measured: the built Modular.Api.dll started as a real process (Production settings, the
/// bench database, the sink as its SMTP relay, rate limiting out of the way), or one already running
/// (--url). Creates the organization and channel the run sends from.
/// </summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly StreamWriter? _log;
    private readonly Lock _logLock = new();

    private ServiceUnderTest(Uri baseAddress, string adminKey, int? pid, Process? process, StreamWriter? log)
    {
        BaseAddress = baseAddress;
        AdminKey = adminKey;
        Pid = pid;
        _process = process;
        _log = log;
    }

    public Uri BaseAddress { get; }

    public string AdminKey { get; }

    /// <summary>The service's process id, when known (started here, or --pid).</summary>
    public int? Pid { get; }

    public bool Started => _process is not null;

    public static ServiceUnderTest Attach(Uri url, string adminKey, int? pid) => new(url, adminKey, pid, null, null);

    public static async Task<ServiceUnderTest> StartAsync(string apiDll, string connectionString, int smtpPort, string logPath)
    {
        if (!File.Exists(apiDll))
        {
            throw new FileNotFoundException("The API assembly is missing: build the solution in Release first (./bench.sh does).", apiDll);
        }

        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var adminKey = "bench_admin_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var start = new ProcessStartInfo("dotnet", [apiDll])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(apiDll))!,
        };
        var environment = start.Environment;
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["ASPNETCORE_URLS"] = baseAddress.ToString();
        environment["ConnectionStrings__Database"] = connectionString;
        environment["Admin__ApiKey"] = adminKey;
        environment["Smtp__Host"] = "127.0.0.1";
        environment["Smtp__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture);
        environment["Smtp__Security"] = "none";
        // The drain phase holds the sink's replies while it sends: deliveries must wait, not time out (30 s by default).
        environment["Smtp__Timeout"] = "00:10:00";
        environment["RateLimiting__PermitsPerSecond"] = "1000000";
        environment["RateLimiting__Burst"] = "1000000";
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["Delivery__ShutdownTimeout"] = "00:00:05";
        // The slow-relay scenario's channel relay is a sink on loopback, which channels may not name otherwise.
        environment["Smtp__AllowPrivateRelays"] = "true";
        // The benchmark's webhook receiver is on loopback too.
        environment["Webhooks__AllowPrivateNetworks"] = "true";
        // Outside Development the key ring must be encrypted: a throwaway certificate of this run's own.
        var (certificate, password) = DataProtectionCertificate(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        environment["DataProtection__CertificatePath"] = certificate;
        environment["DataProtection__CertificatePassword"] = password;
        // Never the settings of the shell that started the benchmark.
        environment.Remove("DOTNET_ENVIRONMENT");
        environment.Remove("Demo__ApiKey");

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath, append: false, Encoding.UTF8) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("The API process did not start.");
        var service = new ServiceUnderTest(baseAddress, adminKey, process.Id, process, log);
        process.OutputDataReceived += (_, e) => service.Log(e.Data);
        process.ErrorDataReceived += (_, e) => service.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>A new organization and a channel (relaying through the sink when the service is not ours).</summary>
    public async Task<(string ApiKey, string ChannelEmail)> CreateTenantAsync(long runId, int? channelSmtpPort, string? webhookUrl = null)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var organization = await PostAsync(client, "/v1/admin/organizations", new Dictionary<string, object> { ["name"] = $"Benchmark {runId}" });
        var apiKey = organization.GetProperty("api_key").GetString()
            ?? throw new InvalidOperationException("The organization has no api_key.");

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var channelEmail = $"bench-{runId}@{DeliveryTracker.Domain}";
        var channel = new Dictionary<string, object> { ["name"] = "Benchmark", ["email"] = channelEmail, ["sender_name"] = "Benchmark" };
        if (channelSmtpPort is { } port)
        {
            channel["smtp"] = new Dictionary<string, object> { ["host"] = "127.0.0.1", ["port"] = port, ["security"] = "none" };
        }

        await PostAsync(client, "/v1/channels", channel);
        if (webhookUrl is not null)
        {
            // Every delivered request's message.sent event goes to the benchmark's receiver.
            await PostAsync(client, "/v1/webhooks", new Dictionary<string, object> { ["url"] = webhookUrl, ["events"] = new[] { "message.sent" } });
        }

        return (apiKey, channelEmail);
    }

    /// <summary>
    /// Another channel of the organization of <paramref name="apiKey"/>, with its own relay on 127.0.0.1
    /// (no TLS) and at most <paramref name="maxConnections"/> connections to it (the slow-relay phase).
    /// </summary>
    public async Task CreateRelayChannelAsync(string apiKey, string channelEmail, int smtpPort, int maxConnections)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        await PostAsync(client, "/v1/channels", new Dictionary<string, object>
        {
            ["name"] = "Benchmark, slow relay",
            ["email"] = channelEmail,
            ["sender_name"] = "Benchmark",
            ["smtp"] = new Dictionary<string, object>
            {
                ["host"] = "127.0.0.1",
                ["port"] = smtpPort,
                ["security"] = "none",
                ["max_connections"] = maxConnections,
            },
        });
    }

    public MemoryStatus? ReadMemory() => Pid is { } pid ? MemoryStatus.Read(pid) : null;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                }

                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // already gone
            }

            _process.Dispose();
        }

        lock (_logLock)
        {
            _log?.Dispose();
        }
    }

    /// <summary>Ends the process at once (a Ctrl+C of the benchmark must not leave it running).</summary>
    public void KillNow()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log?.WriteLine(line);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + Clock.Ticks(timeout.TotalSeconds);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"The API process exited with code {_process.ExitCode} during start-up.");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The API was not ready within {timeout.TotalSeconds:0} s.");
    }

    /// <summary>A self-signed PKCS#12 certificate for the service's Data Protection key ring, written next to the run's log.</summary>
    private static readonly Lock CertificateLock = new();
    private static (string Path, string Password)? _certificate;

    /// <summary>
    /// This run's throwaway certificate for the key ring, one for all its instances: they share the key
    /// ring in the database, so they must all decrypt it (as the instances of one deployment do).
    /// </summary>
    private static (string Path, string Password) DataProtectionCertificate(string folder)
    {
        lock (CertificateLock)
        {
            return _certificate ??= CreateCertificate(folder);
        }
    }

    private static (string Path, string Password) CreateCertificate(string folder)
    {
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=Modular Data Protection (benchmark)", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(folder, $"data-protection-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, password));
        return (path, password);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
