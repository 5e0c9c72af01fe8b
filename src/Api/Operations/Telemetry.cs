using System.Diagnostics;
using Modular.Application.Common.Telemetry;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Modular.Api.Operations;

/// <summary>
/// OpenTelemetry: traces of HTTP requests, SQL (Npgsql), outgoing HTTP (attachments, webhooks), SMTP
/// (MailKit's own source) and the service's deliveries; metrics of the same plus the <c>Modular</c> meter.
/// Traces are exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard
/// <c>OTEL_*</c> variables apply); metrics are exported there too and scraped at <c>/metrics</c> unless
/// <c>Telemetry:Prometheus</c> is false. With neither, no provider is registered and the instruments
/// and sources have no listener: the hot path pays a flag check per span and per count.
/// </summary>
internal static class Telemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>Whether <c>/metrics</c> is served (<c>Telemetry:Prometheus</c>, default true).</summary>
    public static bool PrometheusEnabled(IConfiguration configuration) => configuration.GetValue("Telemetry:Prometheus", true);

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = PrometheusEnabled(configuration);
        // Telemetry:Tracing turns tracing on without OTLP, for an exporter added in code (tests, a host of its own).
        var tracing = otlp || configuration.GetValue("Telemetry:Tracing", false);

        // MailKit's SmtpClient activity source and meter exist only once configured.
        MailKit.Telemetry.SmtpClient.Configure();
        if (!otlp && !prometheus && !tracing)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "modular"));

        if (otlp || prometheus)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(ModularTelemetry.Name, MailKit.Telemetry.SmtpClient.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        }

        if (tracing)
        {
            telemetry.WithTracing(traces => traces
                .SetSampler(new ParentBasedSampler(new NoBackgroundClientRoots()))
                .AddSource(ModularTelemetry.Name, MailKit.Telemetry.SmtpClient.ActivitySourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = http =>
                    !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// <c>Logging:Console:FormatterName=json</c> writes one JSON object per line; with scopes included, each
    /// line of a request or a delivery carries its W3C <c>TraceId</c> and <c>SpanId</c> (the host's
    /// activity tracking puts them in a scope), so logs and traces join up.
    /// </summary>
    public static WebApplicationBuilder AddJsonLogs(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        return builder;
    }

    /// <summary>
    /// Serves <c>/metrics</c> when it is enabled (who may read it is <see cref="DashboardAuthorization"/>'s
    /// rule), and registers the queue-depth gauge when any metrics are collected.
    /// </summary>
    public static void MapMetrics(this WebApplication app)
    {
        var prometheus = PrometheusEnabled(app.Configuration);
        if (prometheus || !string.IsNullOrWhiteSpace(app.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            app.Services.GetRequiredService<Modular.Infrastructure.Messaging.QueueDepthGauge>();
        }

        if (prometheus)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous().DisableRateLimiting();
        }
    }

    /// <summary>
    /// Root spans of client calls are background work with no request or delivery around it: the job
    /// server polling its queue every 200 ms, the claimer's heartbeat, the sweeper. Traced, they would
    /// be most of what is exported and tell nothing; a client call inside a request, a delivery or a
    /// webhook attempt has a parent and is kept by the parent-based sampler.
    /// </summary>
    private sealed class NoBackgroundClientRoots : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            new(samplingParameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
    }
}
