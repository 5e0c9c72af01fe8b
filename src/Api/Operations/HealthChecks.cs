using System.Net.Sockets;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Modular.Infrastructure.Messaging.Delivery;

namespace Modular.Api.Operations;

/// <summary>
/// Ready only when a Hangfire server of this storage is alive (the job server of <c>/health/ready</c>).
/// Hangfire's monitoring API is synchronous: it runs on the thread pool and the check stops waiting
/// when its time is up (the registration's timeout), so a database that hangs cannot hold readiness.
/// </summary>
internal sealed class JobServerHealthCheck(JobStorage storage, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var servers = await Task.Run(() => storage.GetMonitoringApi().Servers(), cancellationToken).WaitAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var alive = servers.Count(s => s.Heartbeat is { } beat && now - beat < TimeSpan.FromMinutes(1));
        return alive > 0
            ? HealthCheckResult.Healthy($"{alive} job server(s) alive.")
            : HealthCheckResult.Unhealthy("No job server is alive.");
    }
}

/// <summary>
/// Whether the default relay (<c>Smtp:Host</c>, <c>Smtp:Port</c>) accepts a TCP connection. Registered as
/// degraded-not-failed: channels with relays of their own still send, and queued mail waits for the
/// relay to come back, so the instance stays ready and the check says what is wrong. Only a connection
/// is opened (no SMTP session): a check every few seconds must not show up in the relay's logs as mail.
/// </summary>
internal sealed class SmtpRelayHealthCheck(IOptions<SmtpOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var relay = options.Value;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(relay.Host, relay.Port, cancellationToken);
            return HealthCheckResult.Healthy($"The default relay {relay.Host}:{relay.Port} accepts connections.");
        }
        catch (SocketException exception)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The default relay {relay.Host}:{relay.Port} cannot be reached: {exception.SocketErrorCode}.");
        }
    }
}

/// <summary>Writes a health report as JSON: the overall status and, per check, its status, description and duration.</summary>
internal static class HealthReportWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = false };

    public static async Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("status", Status(report.Status));
            json.WriteNumber("duration_ms", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", Status(entry.Status));
                // An exception's message may name hosts and ports; the endpoint is anonymous, so only its type is shown.
                json.WriteString("description", entry.Description ?? (entry.Exception is { } exception ? $"The check failed ({exception.GetType().Name})." : null));
                json.WriteNumber("duration_ms", Math.Round(entry.Duration.TotalMilliseconds, 1));
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    private static string Status(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
