using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Application.Common.Idempotency;
using Modular.Application.Messaging.Ports;
using Modular.Infrastructure.Messaging.Idempotency;
using Modular.Infrastructure.Messaging.Delivery;
using Modular.Infrastructure.Messaging.Jobs;
using Modular.Infrastructure.Security;
using Npgsql;

namespace Modular.Infrastructure.Messaging;

/// <summary>Delivery: MailKit transport, attachment downloads, and Hangfire on PostgreSQL (schema <c>hangfire</c>).</summary>
public static class DeliveryServices
{
    public static IServiceCollection AddDelivery(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        services.Configure<SmtpOptions>(configuration.GetSection(SmtpOptions.Section));
        services.Configure<AttachmentOptions>(configuration.GetSection(AttachmentOptions.Section));
        services.Configure<RelayGuardOptions>(configuration.GetSection(SmtpOptions.Section));
        services.AddSingleton<RelayConnector>();
        services.AddSingleton<IEmailTransport, MailKitEmailTransport>();
        services.AddSingleton<IAttachmentFetcher, HttpAttachmentFetcher>();
        services.AddSingleton<IAddressListParser, MimeKitAddressListParser>();
        services.AddSingleton<IEmailParser, Inbound.MimeKitEmailParser>();
        services.AddSingleton<IEmailRenderer, MimeKitEmailRenderer>();
        services.AddScoped<IMessageContentStore, Inbound.EfMessageContentStore>();
        services.AddHttpClient(HttpAttachmentFetcher.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var allowPrivate = sp.GetRequiredService<IOptions<AttachmentOptions>>().Value.AllowPrivateNetworks;
                var guard = sp.GetRequiredService<AddressGuard>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    // A proxy would make the guard check the proxy's address, not the server's.
                    UseProxy = false,
                    AutomaticDecompression = System.Net.DecompressionMethods.All,
                    ConnectCallback = (context, ct) => HttpAttachmentFetcher.ConnectAsync(context, guard, allowPrivate, ct),
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                };
            });

        var defaults = new DeliveryPolicy();
        services.AddSingleton(new DeliveryPolicy
        {
            RetryDelays = configuration.GetSection("Delivery:RetryDelays").Get<TimeSpan[]>() is { Length: > 0 } delays ? delays : defaults.RetryDelays,
            BatchSize = configuration.GetValue("Delivery:BatchSize", defaults.BatchSize),
            ClaimLoops = configuration.GetValue("Delivery:ClaimLoops", defaults.ClaimLoops),
            HeartbeatInterval = configuration.GetValue("Delivery:HeartbeatInterval", defaults.HeartbeatInterval),
            ClaimerTimeout = configuration.GetValue("Delivery:ClaimerTimeout", defaults.ClaimerTimeout),
            OverdueAfter = configuration.GetValue("Delivery:OverdueAfter", defaults.OverdueAfter),
            DefaultRelayConnections = configuration.GetValue("Smtp:MaxConnections", defaults.DefaultRelayConnections),
        });

        // Delivery's own SQL (claims, handovers, leases, slots) runs on the service's pool, outside EF Core.
        services.AddSingleton(_ => NpgsqlDataSource.Create(DependencyInjection.WithPoolDefaults(connectionString)));
        services.AddSingleton(_ => new SessionLocks(connectionString));
        services.AddSingleton<DeliveryClaimer>();
        services.AddSingleton<QueueDepthGauge>();
        services.AddHostedService<ClaimerHeartbeat>();
        services.Configure<Inbound.InboundOptions>(configuration.GetSection(Inbound.InboundOptions.Section));
        services.AddSingleton<Inbound.ImapMailboxStore>();
        services.AddHostedService<Inbound.ImapWatcher>();
        services.AddScoped<IMessageClaims, MessageClaims>();
        services.AddScoped<IDeliveryScheduler, HangfireDeliveryScheduler>();
        services.AddSingleton<IDeliveryFailures, HangfireDeliveryFailures>();
        services.AddSingleton<DeliveryDispatcher>();
        services.AddSingleton<DeliverySlotCache>();
        services.AddScoped<IIdempotencyStore, EfIdempotencyStore>();
        var retention = configuration.GetValue("Idempotency:Retention", IdempotencyRetention.DefaultPeriod);
        if (retention <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Idempotency:Retention must be a positive time span (given: {retention}).");
        }

        services.AddSingleton(new IdempotencyRetention(retention));
        services.AddScoped<IdempotencyExpiryJob>();

        // Storage and activator are this host's own, not Hangfire's static JobStorage.Current and
        // JobActivator.Current, so two hosts in one process (the tests, a restart) never run jobs
        // against each other's storage or service provider.
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            // Runs for messages due now, and every slot's run on time, start in process (DeliveryDispatcher),
            // and so do webhook dispatches and the safety nets: the jobs left (slot jobs as a second chance,
            // the hourly idempotency expiry) can wait, so idle workers look for them every 15 s (Hangfire's
            // default) instead of every 200 ms. Long polling (LISTEN/NOTIFY) would be cheaper still, but its listener is
            // process-wide and does not recover when its connection drops: jobs then sit in the queue
            // (Hangfire.PostgreSql issue #410), so it stays off.
            EnableLongPolling = false,
            QueuePollInterval = configuration.GetValue("Delivery:QueuePollInterval", TimeSpan.FromSeconds(15)),
            // A live worker keeps extending its hold on a job; a job whose process died
            // is visible to other workers again after this timeout instead of 30 minutes.
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = configuration.GetValue("Delivery:InvisibilityTimeout", TimeSpan.FromSeconds(30)),
        };
        // Jobs get a connection pool of their own (another Application Name makes another pool), so
        // busy workers can never take the connections that requests need, nor the other way round.
        var jobsConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "modular-jobs" }.ConnectionString;
        services.AddSingleton<JobStorage>(_ => new PostgreSqlStorage(new NpgsqlConnectionFactory(jobsConnectionString, storageOptions), storageOptions));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(sp.GetRequiredService<JobStorage>()));

        if (configuration.GetValue("Delivery:RunServer", true))
        {
            services.AddHostedService(sp => sp.GetRequiredService<DeliveryDispatcher>());
            services.AddHostedService<DeliverySweeper>();
            services.AddHangfireServer(options =>
            {
                options.Queues = [DeliveryJobs.Queue, "default"];
                options.WorkerCount = configuration.GetValue("Delivery:Workers", 10);
                // Delayed jobs (slot jobs, a second chance) and recurring ones are moved to the queue within this
                // of their time; each poll takes a distributed lock, so it is not done every second.
                options.SchedulePollingInterval = configuration.GetValue("Delivery:SchedulePollInterval", TimeSpan.FromSeconds(15));
                options.ShutdownTimeout = configuration.GetValue("Delivery:ShutdownTimeout", TimeSpan.FromSeconds(15));
            });
        }

        return services;
    }

    /// <summary>
    /// The recurring jobs: the hourly idempotency expiry. The delivery and webhook safety nets were
    /// recurring jobs too, and run on the service's own timers now (<see cref="DeliverySweeper"/>,
    /// <see cref="Webhooks.WebhookSweeper"/>): their old entries are removed.
    /// </summary>
    public static void ScheduleRecurringJobs(IRecurringJobManager recurringJobs)
    {
        recurringJobs.RemoveIfExists("outbox-sweeper");
        recurringJobs.RemoveIfExists(DeliverySweepJob.RecurringJobId);
        recurringJobs.RemoveIfExists(Webhooks.WebhookJobs.RecurringJobId);
        ScheduleIdempotencyExpiry(recurringJobs);
    }

    private static void ScheduleIdempotencyExpiry(IRecurringJobManager recurringJobs) =>
        recurringJobs.AddOrUpdate<IdempotencyExpiryJob>(
            IdempotencyExpiryJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
}
