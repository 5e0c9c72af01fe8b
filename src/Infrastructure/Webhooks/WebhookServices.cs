using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Application.Webhooks;
using Modular.Application.Webhooks.Ports;
using Modular.Infrastructure.Security;

namespace Modular.Infrastructure.Webhooks;

/// <summary>Webhooks: the outbox's SQL, the guarded HTTP client, the in-process dispatcher and its trigger, the jobs.</summary>
public static class WebhookServices
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        var defaults = new WebhookPolicy();
        services.AddSingleton(new WebhookPolicy
        {
            RetryDelays = configuration.GetSection("Webhooks:RetryDelays").Get<TimeSpan[]>() is { Length: > 0 } delays ? delays : defaults.RetryDelays,
            Timeout = configuration.GetValue("Webhooks:Timeout", defaults.Timeout),
            DisableAfter = configuration.GetValue("Webhooks:DisableAfter", defaults.DisableAfter),
            BatchSize = configuration.GetValue("Webhooks:BatchSize", defaults.BatchSize),
            Concurrency = configuration.GetValue("Webhooks:Concurrency", defaults.Concurrency),
            StayAwake = configuration.GetValue("Webhooks:StayAwake", defaults.StayAwake),
        });
        services.AddSingleton<IWebhookDispatchStore, WebhookDispatchStore>();
        services.AddSingleton<IWebhookSender, HttpWebhookSender>();
        services.AddSingleton<IWebhookUrlPolicy, WebhookUrlPolicy>();
        services.AddSingleton<WebhookDispatchTrigger>();
        services.AddSingleton<IWebhookDispatchTrigger>(sp => sp.GetRequiredService<WebhookDispatchTrigger>());
        if (configuration.GetValue("Delivery:RunServer", true))
        {
            // Where the job server runs, so does the in-process dispatcher it used to be a job of.
            services.AddHostedService<WebhookDispatcher>();
            services.AddHostedService<WebhookSweeper>();
        }

        services.AddSingleton<KnownContacts>();
        services.AddScoped<IConversationContacts, ConversationContacts>();
        services.AddScoped<IWebhookDeliveryLog, WebhookDeliveryLog>();
        services.AddHttpClient(HttpWebhookSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var allowPrivate = sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateNetworks;
                var guard = sp.GetRequiredService<AddressGuard>();
                return new SocketsHttpHandler
                {
                    // A 3xx is an answer like any other that is not 2xx: a failure, never followed.
                    AllowAutoRedirect = false,
                    // A proxy would make the guard check the proxy's address, not the receiver's.
                    UseProxy = false,
                    ConnectCallback = (context, ct) => HttpWebhookSender.ConnectAsync(context, guard, allowPrivate, ct),
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectTimeout = TimeSpan.FromSeconds(10),
                };
            })
            // The dispatcher logs each failure itself; the client's own logs would add a line per request.
            .RemoveAllLoggers();
        return services;
    }
}
