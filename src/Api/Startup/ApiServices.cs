using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
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
            context.ProblemDetails.Extensions["trace_id"] = context.HttpContext.TraceIdentifier);

        // After the default writer: answers problem+json to clients that do not accept JSON too.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddExceptionHandler<ExceptionHandler>();
        services.AddSingleton<DatabaseOutage>();
        return services;
    }

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

    /// <summary><c>/health/ready</c> checks the database and, where this instance runs one, the job server.</summary>
    public static IServiceCollection AddReadinessChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks().AddDbContextCheck<ModularDbContext>("database", tags: ["ready"]);
        if (configuration.GetValue("Delivery:RunServer", true))
        {
            checks.AddCheck<JobServerHealthCheck>("job_server", tags: ["ready"]);
        }

        return services;
    }
}
