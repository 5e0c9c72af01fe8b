using Hangfire;
using Mediator;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Modular.Api.Channels;
using Modular.Api.Common;
using Modular.Api.Contacts;
using Modular.Api.Conversations;
using Modular.Api.Deliverability;
using Modular.Api.Inboxes;
using Modular.Api.Messaging;
using Modular.Api.Operations;
using Modular.Api.Organizations;
using Modular.Api.Startup;
using Modular.Api.Users;
using Modular.Api.Webhooks;
using Modular.Application;
using Modular.Application.Common.Behaviors;
using Modular.Application.Common.Idempotency;
using Modular.Infrastructure;
using Modular.Infrastructure.Messaging;
using Modular.Infrastructure.Security;
using Modular.Infrastructure.Webhooks;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.AddRequestLimits();

var (keyEncryption, refusal) = KeyEncryption.Load(builder.Configuration, required: !builder.Environment.IsDevelopment());
if (keyEncryption is null)
{
    await Console.Error.WriteLineAsync($"Modular cannot start: {refusal}");
    return 1;
}

// Registration reads and converts settings: a value that does not convert, or one the code refuses (a
// negative rate limit), throws InvalidOperationException here, and nothing else does. Then the
// validators run, before the database is touched. Either way the process ends with one line.
WebApplication app;
try
{
    builder.AddTelemetry();
    builder.AddJsonLogs();
    builder.Services.AddApplication();
    builder.Services.AddInfrastructure(builder.Configuration, keyEncryption);
    builder.Services.AddMediator((MediatorOptions options) =>
    {
        options.ServiceLifetime = ServiceLifetime.Scoped;
        options.Assemblies = [typeof(Modular.Application.DependencyInjection)];
        options.PipelineBehaviors =
        [
            typeof(LoggingBehavior<,>), typeof(ValidationBehavior<,>), typeof(IdempotencyBehavior<,>), typeof(UnitOfWorkBehavior<,>),
        ];
    });

    builder.Services.AddApiJson();
    builder.Services.AddApiKeyAuthentication(builder.Configuration);
    builder.Services.AddRequestRateLimits(builder.Configuration);
    builder.Services.AddOpenApi(options => options.AddModularConventions().AddWebhookPayloads());
    builder.Services.AddReadinessChecks(builder.Configuration);
    builder.Services.AddConfigurationValidation();
    app = builder.Build();
}
catch (InvalidOperationException exception)
{
    await Console.Error.WriteLineAsync($"Modular cannot start: {ConfigurationValidation.OneLine(exception)}");
    return 1;
}

if (ConfigurationValidation.Refusal(app.Services) is { } invalid)
{
    await Console.Error.WriteLineAsync($"Modular cannot start: {invalid}");
    return 1;
}

var dashboardAuthorization = new DashboardAuthorization(app.Environment.IsDevelopment(), app.Configuration["Admin:ApiKey"]);

app.UseClientAddress();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestLimits(app.Configuration);
app.UseAuthentication();
app.UseRateLimiter();
// After the rate limiter: guesses at the admin key through the dashboard's login are limited too.
app.Use(dashboardAuthorization.GateAsync);
app.UseAuthorization();

app.MapOpenApi().AllowAnonymous();
// Scalar's request form sends the key of the document's security scheme (Authorization: Bearer).
app.MapScalarApiReference(options => options.AddPreferredSecuritySchemes(OpenApiConventions.SecurityScheme)).AllowAnonymous();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous().DisableRateLimiting();
app.MapHealthChecks("/health/ready", new HealthCheckOptions
{
    Predicate = check => check.Tags.Contains("ready"),
    ResponseWriter = HealthReportWriter.WriteAsync,
}).AllowAnonymous().DisableRateLimiting();
app.MapMetrics();

app.MapOrganizationEndpoints();
app.MapApiKeyEndpoints();
app.MapUserEndpoints();
app.MapChannelEndpoints();
app.MapInboxEndpoints();
app.MapContactEndpoints();
app.MapMessagingEndpoints();
app.MapInboundEndpoints(app.Configuration);
app.MapConversationEndpoints();
app.MapDeliverabilityEndpoints();
app.MapWebhookEndpoints();
app.MapHangfireDashboard(DashboardAuthorization.Path, new DashboardOptions
{
    DashboardTitle = "Modular jobs",
    DisplayStorageConnectionString = false,
    Authorization = [dashboardAuthorization],
}).AllowAnonymous();

PublicLinksCheck.WarnWhenMissing(app.Services);
await DatabaseInitializer.InitializeAsync(app.Services, app.Configuration);
DeliveryServices.ScheduleRecurringJobs(app.Services.GetRequiredService<IRecurringJobManager>());
await app.RunAsync();
return 0;

/// <summary>The host's entry point; public so integration tests can start it.</summary>
public partial class Program;
