using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Operations;

/// <summary>
/// OpenTelemetry with the service as its own process, exporting over OTLP/HTTP to a real receiver:
/// one send's trace holds the request, its SQL, the delivery and its SMTP exchange, linked by parent
/// ids; <c>/metrics</c> counts the send; JSON logs and problem+json carry the same W3C trace id.
/// </summary>
public sealed partial class TelemetryTests
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_trace_of_one_send_shows_the_request_the_sql_and_the_smtp_exchange_linked_and_metrics_count_it()
    {
        await using var receiver = new OtlpReceiver();
        await using var service = await ApiProcess.StartAsync(TestDatabase.Fresh("_telemetry"), new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:LogLevel:Modular.Application.Common.Behaviors"] = "Debug",
        });
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();

        // The client starts the trace: the service continues it (W3C traceparent).
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var clientSpan = ActivitySpanId.CreateRandom().ToHexString();
        using var send = new HttpRequestMessage(HttpMethod.Post, "/v1/messaging/email")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { From = channel, To = MailDev.UniqueAddress(), Subject = "Traced", Body = "Hello" }, options: HttpJson.Options),
        };
        send.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");
        using var sent = await organization.Client.SendAsync(send);
        var messageId = (await ApiAssert.StatusAsync(sent, HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();
        await organization.WaitForStatusAsync(messageId, Arrival, "sent");

        var spans = await receiver.WaitForTraceAsync(traceId, trace =>
            trace.Any(s => s.Kind == ReceivedSpan.Server)
            && trace.Any(s => s.Name == "deliver email")
            && trace.Any(s => s.Scope == "MailKit.Net.SmtpClient"), Arrival);
        var byId = spans.ToDictionary(s => s.SpanId);
        bool Under(ReceivedSpan span, ReceivedSpan ancestor)
        {
            for (var at = span; byId.TryGetValue(at.ParentSpanId, out var parent); at = parent)
            {
                if (parent.SpanId == ancestor.SpanId)
                {
                    return true;
                }
            }

            return false;
        }

        var request = Assert.Single(spans, s => s.Kind == ReceivedSpan.Server);
        Assert.Equal(clientSpan, request.ParentSpanId);
        Assert.Equal("Microsoft.AspNetCore", request.Scope);
        Assert.Contains(spans, s => s.Scope == "Npgsql" && s.ParentSpanId == request.SpanId);

        var delivery = Assert.Single(spans, s => s.Name == "deliver email");
        Assert.Equal("Modular", delivery.Scope);
        Assert.Equal(request.SpanId, delivery.ParentSpanId);
        Assert.Equal(messageId.ToString(CultureInfo.InvariantCulture), delivery.Attributes["modular.message.id"]);
        Assert.Equal("sent", delivery.Attributes["modular.attempt.outcome"]);
        Assert.Equal("250", delivery.Attributes["smtp.reply.code"]);
        Assert.Contains(spans, s => s.Scope == "MailKit.Net.SmtpClient" && Under(s, delivery));
        Assert.Contains(spans, s => s.Scope == "Npgsql" && Under(s, delivery));

        // JSON logs: the request's lines (the use case handled, event 1000) carry the same trace id.
        Assert.Contains(service.Output, line => line.StartsWith('{') && line.Contains("\"EventId\":1000", StringComparison.Ordinal)
            && line.Contains($"\"TraceId\":\"{traceId}\"", StringComparison.Ordinal));

        // problem+json: trace_id is the W3C trace id of the request.
        var otherTrace = ActivityTraceId.CreateRandom().ToHexString();
        using var invalid = new HttpRequestMessage(HttpMethod.Post, "/v1/messaging/email")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { From = channel, To = "invalid@something", Body = "x" }, options: HttpJson.Options),
        };
        invalid.Headers.Add("traceparent", $"00-{otherTrace}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var refused = await organization.Client.SendAsync(invalid);
        var problem = await ApiAssert.ProblemAsync(refused, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(otherTrace, problem.GetProperty("trace_id").GetString());

        // /metrics: the admin key outside Development, and the send counted.
        using var anonymous = new HttpClient { BaseAddress = service.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        using var admin = service.CreateClient(ApiFactory.AdminKey);
        var metrics = await WaitForMetricsAsync(admin, text => Value(text, "modular_emails_sent_total") >= 1);
        Assert.True(Value(metrics, "modular_sends_accepted_total") >= 1, metrics);
        Assert.True(Value(metrics, "modular_delivery_lateness_seconds_count") >= 1, metrics);
        Assert.Matches(SmtpReply250(), metrics);
        Assert.NotNull(Value(metrics, "modular_queue_depth"));

        // Metrics also went out over OTLP (exported every second, on the exporter's own timer).
        await receiver.WaitForPathAsync("/v1/metrics", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Readiness_reports_each_check_and_an_unreachable_default_relay_degrades_without_failing()
    {
        int closedPort;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var service = await ApiProcess.StartAsync(TestDatabase.Own("_defaults"), new Dictionary<string, string>
        {
            ["Smtp:Port"] = closedPort.ToString(CultureInfo.InvariantCulture),
        });
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        using var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("degraded", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks");
        Assert.Equal("healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("job_server").GetProperty("status").GetString());
        var relay = checks.GetProperty("smtp_default_relay");
        Assert.Equal("degraded", relay.GetProperty("status").GetString());
        Assert.Contains($":{closedPort} cannot be reached", relay.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Smtp:Security", "tls", "Smtp:Security must be one of none, starttls, ssl (given: 'tls').")]
    [InlineData("Smtp:Port", "0", "Smtp:Port must be between 1 and 65535 (given: 0).")]
    [InlineData("RateLimiting:PermitsPerSecond", "-5", "RateLimiting:PermitsPerSecond and RateLimiting:Burst must be positive")]
    [InlineData("Delivery:RetryDelays:0", "soon", "Delivery:RetryDelays:0 is not a time span (given: 'soon')")]
    [InlineData("Delivery:RetryDelays:0", "-00:00:05", "Delivery:RetryDelays:0 must be a positive time span")]
    [InlineData("Smtp:Timeout", "whenever", "Failed to convert configuration value 'whenever' at 'Smtp:Timeout' to type 'System.TimeSpan'")]
    public async Task A_bad_setting_stops_the_service_with_one_line_naming_it(string key, string value, string reason)
    {
        var (exitCode, output) = await ApiProcess.RunUntilExitAsync(TestDatabase.Own("_defaults"), new Dictionary<string, string>
        {
            [key] = value,
        }, TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output, l => l.Length > 0);
        Assert.StartsWith("Modular cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
    }

    private static async Task<string> WaitForMetricsAsync(HttpClient admin, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + Arrival;
        while (true)
        {
            using var response = await admin.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            if (done(text) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(text), text);
                return text;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The sum of a metric's samples in Prometheus text (any labels); null when it is not there.</summary>
    private static double? Value(string metrics, string name)
    {
        var samples = Regex.Matches(metrics, $@"^{Regex.Escape(name)}(\{{[^}}]*\}})? (\S+)", RegexOptions.Multiline);
        return samples.Count == 0 ? null : samples.Sum(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(?m)^modular_smtp_replies_total\{[^}]*smtp_reply_code=""250""[^}]*\} [1-9]")]
    private static partial Regex SmtpReply250();
}
