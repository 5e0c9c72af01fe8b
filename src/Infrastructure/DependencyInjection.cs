using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Modular.Application.Channels.Ports;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Infrastructure.Messaging;
using Modular.Infrastructure.Persistence;
using Modular.Infrastructure.Security;
using Modular.Infrastructure.Webhooks;

namespace Modular.Infrastructure;

public static class DependencyInjection
{
    /// <summary>The adapters; <paramref name="keyEncryption"/> encrypts the Data Protection key ring at rest (see <see cref="KeyEncryption"/>).</summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration, KeyEncryption keyEncryption)
    {
        var connectionString = configuration.GetConnectionString("Database")
            ?? throw new InvalidOperationException("ConnectionStrings:Database is not set.");

        services.AddSingleton<TimeProvider, DatabaseTimeProvider>();
        services.AddScoped<TenantContext>();
        services.AddScoped<ICurrentTenant>(sp => sp.GetRequiredService<TenantContext>());
        var serviceConnectionString = WithPoolDefaults(connectionString);
        // Contexts come from a pool; each scope rents one and gives it the scope's tenant.
        services.AddPooledDbContextFactory<ModularDbContext>(options => ConfigureDbContext(options, serviceConnectionString));
        services.AddScoped(sp =>
        {
            var context = sp.GetRequiredService<IDbContextFactory<ModularDbContext>>().CreateDbContext();
            context.UseTenant(sp.GetRequiredService<TenantContext>());
            return context;
        });
        services.AddScoped(typeof(IRepository<>), typeof(EfRepository<>));
        services.AddScoped<IUnitOfWork, EfUnitOfWork>();
        services.AddSingleton<ITenantScopes, TenantScopes>();
        services.AddSingleton<IFailureClassifier, FailureClassifier>();
        services.AddSingleton<Organizations.ApiKeyRevocations>();
        services.AddHostedService(sp => new Organizations.ApiKeyRevocationListener(
            sp.GetRequiredService<Organizations.ApiKeyRevocations>(),
            connectionString,
            sp.GetRequiredService<ILogger<Organizations.ApiKeyRevocationListener>>()));

        var dataProtection = services.AddDataProtection()
            .SetApplicationName("Modular")
            .PersistKeysToDbContext<ModularDbContext>();
        if (keyEncryption.Certificate is { } certificate)
        {
            // Each new key is encrypted to the certificate; it and any previous ones decrypt them.
            dataProtection.ProtectKeysWithCertificate(certificate);
            if (keyEncryption.Previous.Count > 0)
            {
                dataProtection.UnprotectKeysWithAnyCertificate([certificate, .. keyEncryption.Previous]);
            }
        }

        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.AddSingleton<ITokenKey, TokenKey>();
        services.AddSingleton(new Application.Messaging.Ports.PublicLinks(PublicBaseUrl(configuration)));
        services.AddSingleton<Application.Deliverability.Ports.IDeliveryReportParser, Deliverability.MimeKitDeliveryReportParser>();
        services.AddSingleton<AddressGuard>();
        services.AddSingleton<IRelayHostPolicy, RelayHostPolicy>();
        services.AddDelivery(configuration, connectionString);
        services.AddWebhooks(configuration);
        return services;
    }

    /// <summary>
    /// <c>Public:BaseUrl</c>, where the service is reached from outside (the one-click unsubscribe link's
    /// base): an absolute http or https URL, else null (email then offers only the mailto address).
    /// </summary>
    public static Uri? PublicBaseUrl(IConfiguration configuration) =>
        Uri.TryCreate(configuration["Public:BaseUrl"], UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : null;

    /// <summary>
    /// Defaults for the service's own pool, unless the connection string sets them: statements it runs
    /// over and over are prepared once per connection (PostgreSQL then skips parsing and planning them),
    /// and a connection going back to the pool is not reset with a <c>DISCARD ALL</c> (which would
    /// also drop those statements): the service's queries never change session state. Hangfire's pool
    /// keeps Npgsql's defaults.
    /// </summary>
    internal static string WithPoolDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!HasKey(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!HasKey(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    private static bool HasKey(string connectionString, params string[] names)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return names.Any(given.ContainsKey);
    }

    /// <remarks>
    /// EF Core logs every failed command, query, save and connection at Error, before the exception
    /// reaches code that knows whether it was expected: a uniqueness race the use case handles, or the
    /// database being away (answered 503, logged once per interval). Those events are Debug here; what
    /// nobody handles is still logged, with its exception, where it ends (the API's exception handler,
    /// the job server).
    /// </remarks>
    internal static void ConfigureDbContext(DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (RelationalEventId.ConnectionError, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (CoreEventId.OptimisticConcurrencyException, LogLevel.Debug)));
}
