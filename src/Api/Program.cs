using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Hangfire;
using Mediator;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Modular.Api.Authentication;
using Modular.Api.Channels;
using Modular.Api.Common;
using Modular.Api.Contacts;
using Modular.Api.Conversations;
using Modular.Api.Inboxes;
using Modular.Api.Messaging;
using Modular.Api.Operations;
using Modular.Api.Organizations;
using Modular.Api.Startup;
using Modular.Api.Users;
using Modular.Application;
using Modular.Application.Common.Behaviors;
using Modular.Application.Common.Idempotency;
using Modular.Infrastructure;
using Modular.Infrastructure.Messaging;
using Modular.Infrastructure.Persistence;
using Scalar.AspNetCore;
using ApiKeyOptions = Modular.Api.Authentication.ApiKeyOptions;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddApplication();
builder.Services.AddInfrastructure(builder.Configuration);
builder.Services.AddMediator((MediatorOptions options) =>
{
    options.ServiceLifetime = ServiceLifetime.Scoped;
    options.Assemblies = [typeof(Modular.Application.DependencyInjection)];
    options.PipelineBehaviors =
    [
        typeof(LoggingBehavior<,>), typeof(ValidationBehavior<,>), typeof(IdempotencyBehavior<,>), typeof(UnitOfWorkBehavior<,>),
    ];
});

builder.Services.ConfigureHttpJsonOptions(options =>
{
    options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    options.SerializerOptions.DictionaryKeyPolicy = null;
    options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    options.SerializerOptions.Converters.Add(new NoNulStringConverter());
});
// Unreadable bodies (bad JSON, a field of the wrong type) throw in every environment, not only in
// Development, so ExceptionHandler can answer 422 naming the field instead of a bare 400.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
    context.ProblemDetails.Extensions["trace_id"] = context.HttpContext.TraceIdentifier);
builder.Services.AddExceptionHandler<ExceptionHandler>();

builder.Services.AddMemoryCache(options => options.SizeLimit = 100_000);
builder.Services.AddAuthentication(ApiKeyDefaults.Scheme)
    .AddScheme<ApiKeyOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, options =>
        options.AdminApiKey = builder.Configuration["Admin:ApiKey"]);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(ApiKeyDefaults.OrganizationPolicy, policy => policy.RequireClaim(ApiKeyDefaults.OrganizationClaim))
    .AddPolicy(ApiKeyDefaults.AdminPolicy, policy => policy.RequireRole(ApiKeyDefaults.AdminRole))
    .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder()
        .RequireClaim(ApiKeyDefaults.OrganizationClaim).Build());

builder.Services.AddRateLimiter(options =>
{
    var permitsPerSecond = builder.Configuration.GetValue("RateLimiting:PermitsPerSecond", 50);
    var burst = builder.Configuration.GetValue("RateLimiting:Burst", 100);
    options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        ApiKeyAuthenticationHandler.ReadKey(context.Request) is { } key
            ? RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = permitsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter(string.Empty));
    options.OnRejected = async (context, cancellationToken) =>
    {
        context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.HttpContext.Response.Headers.RetryAfter = "1";
        await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails = { Status = 429, Title = "Too many requests", Detail = "The rate limit of this API key was reached; retry after the time in Retry-After." },
        });
    };
});

builder.Services.AddOpenApi();
var healthChecks = builder.Services.AddHealthChecks().AddDbContextCheck<ModularDbContext>("database", tags: ["ready"]);
if (builder.Configuration.GetValue("Delivery:RunServer", true))
{
    healthChecks.AddCheck<JobServerHealthCheck>("job_server", tags: ["ready"]);
}

var app = builder.Build();

var dashboardAuthorization = new DashboardAuthorization(app.Environment.IsDevelopment(), app.Configuration["Admin:ApiKey"]);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.Use(dashboardAuthorization.GateAsync);
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();

app.MapOpenApi().AllowAnonymous();
app.MapScalarApiReference().AllowAnonymous();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();

app.MapOrganizationEndpoints();
app.MapUserEndpoints();
app.MapChannelEndpoints();
app.MapInboxEndpoints();
app.MapContactEndpoints();
app.MapMessagingEndpoints();
app.MapConversationEndpoints();
app.MapHangfireDashboard(DashboardAuthorization.Path, new DashboardOptions
{
    DashboardTitle = "Modular jobs",
    DisplayStorageConnectionString = false,
    Authorization = [dashboardAuthorization],
}).AllowAnonymous();

await DatabaseInitializer.InitializeAsync(app.Services, app.Configuration);
DeliveryServices.ScheduleOutboxSweeper(app.Services.GetRequiredService<IRecurringJobManager>());
await app.RunAsync();

/// <summary>The host's entry point; public so integration tests can start it.</summary>
public partial class Program;
