using System.Diagnostics;
using System.Text;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// The checkout's folders the tests write to or read from, and the npm tools of the OpenAPI test
/// (<c>ensure_openapi_tools</c> in scripts/test-tools.sh installs them into <c>.local/openapi-tools</c>).
/// </summary>
public static class NodeTools
{
    /// <summary>The checkout: the nearest folder above the test assembly that holds Modular.sln.</summary>
    public static string Repository { get; } = FindRepository();

    /// <summary>Where ./test.sh collects results: screenshots and generated files go here too.</summary>
    public static string ResultsFolder(string name)
    {
        var folder = Path.Combine(Repository, ".local", "test-results", name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The installed tools (<c>MODULAR_OPENAPI_TOOLS</c> when set); fails with how to install them when missing.</summary>
    public static string ToolsFolder()
    {
        var folder = Environment.GetEnvironmentVariable("MODULAR_OPENAPI_TOOLS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Repository, ".local", "openapi-tools");
        if (!File.Exists(Path.Combine(folder, "node_modules", ".bin", "redocly")))
        {
            Assert.Fail($"The OpenAPI test tools are not installed in {folder}: run ./test.sh, or "
                + "`source scripts/test-tools.sh && ensure_openapi_tools`.");
        }

        return folder;
    }

    /// <summary>Runs a tool of <c>node_modules/.bin</c> in <paramref name="workingDirectory"/>; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, string workingDirectory, params string[] arguments)
    {
        var tools = ToolsFolder();
        var start = new ProcessStartInfo(Path.Combine(tools, "node_modules", ".bin", tool), arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No telemetry, no update check: the tests reach no network.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A safety net for a hung tool, not a timed assertion.
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} {string.Join(' ', arguments)} did not finish within 5 minutes: {output}");
        }

        await process.WaitForExitAsync();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Modular.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Modular.sln above {AppContext.BaseDirectory}.");
    }
}
