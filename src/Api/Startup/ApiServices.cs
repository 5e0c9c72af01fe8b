using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Modular.Api.Authentication;
using Modular.Api.Common;
using Modular.Api.Operations;
using Modular.Infrastructure.Persistence;
using ApiKeyOptions = Modular.Api.Authentication.ApiKeyOptions;

namespace Modular.Api.Startup;

/// <summary>The host's own services: JSON, errors, API-key authentication, rate limits, health.</summary>
internal static class ApiServices
{
    /// <summary>snake_case JSON; unreadable bodies and NUL characters become 422s naming the field.</summary>
    public static IServiceCollection AddApiJson(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.DictionaryKeyPolicy = null;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            options.SerializerOptions.Converters.Add(new NoNulStringConverter());
        });

        // Unreadable bodies (bad JSON, a field of the wrong type) throw in every environment, not only
        // in Development, so ExceptionHandler can answer 422 naming the field instead of a bare 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["trace_id"] = TraceId(context.HttpContext));

        // After the default writer: answers problem+json to clients that do not accept JSON too.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddExceptionHandler<ExceptionHandler>();
        services.AddSingleton<DatabaseOutage>();
        return services;
    }

    /// <summary>
    /// The W3C trace id of the request (the one its spans and log lines carry), so a client's error report
    /// leads to its trace; ASP.NET Core's connection-based identifier only where no activity runs.
    /// </summary>
    public static string TraceId(HttpContext http) =>
        System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } activity
            ? activity.TraceId.ToHexString()
            : http.TraceIdentifier;

    /// <summary>Every endpoint needs an organization's key unless it says otherwise; administration needs the admin key.</summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMemoryCache(options => options.SizeLimit = 100_000);
        services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<ApiKeyOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, options =>
                options.AdminApiKey = configuration["Admin:ApiKey"]);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyDefaults.OrganizationPolicy, policy => policy.RequireClaim(ApiKeyDefaults.OrganizationClaim))
            .AddPolicy(ApiKeyDefaults.AdminPolicy, policy => policy.RequireRole(ApiKeyDefaults.AdminRole))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireClaim(ApiKeyDefaults.OrganizationClaim).Build());
        return services;
    }

    /// <summary>
    /// <c>/health/ready</c> checks the database, the job server where this instance runs one, and the
    /// default relay (degraded, not failed, when it cannot be reached); each within <c>Health:Timeout</c>
    /// (default 3 s), so readiness answers in bounded time whatever hangs.
    /// </summary>
    public static IServiceCollection AddReadinessChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var timeout = configuration.GetValue("Health:Timeout", TimeSpan.FromSeconds(3));
        var checks = services.AddHealthChecks()
            .AddDbContextCheck<ModularDbContext>("database", HealthStatus.Unhealthy, tags: ["ready"]);
        if (configuration.GetValue("Delivery:RunServer", true))
        {
            checks.AddCheck<JobServerHealthCheck>("job_server", HealthStatus.Unhealthy, tags: ["ready"], timeout: timeout);
        }

        checks.AddCheck<SmtpRelayHealthCheck>("smtp_default_relay", HealthStatus.Degraded, tags: ["ready"], timeout: timeout);
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                registration.Timeout = timeout;
            }
        });
        return services;
    }
}
