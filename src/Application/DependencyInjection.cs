using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Modular.Application.Common.Behaviors;
using Modular.Application.Common.Events;
using Modular.Application.Contacts;
using Modular.Application.Messaging.Delivery;
using Modular.Application.Webhooks;

namespace Modular.Application;

public static class DependencyInjection
{
    /// <summary>Registers validators and application services. The mediator itself is generated in the host.</summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        // Messages name fields as clients send them (snake_case), not as C# properties.
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : FieldNames.ToSnakeCase(member.Name);
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddScoped<DomainEventDispatcher>();
        services.AddScoped<ConsentChannels>();
        services.AddScoped<Common.Idempotency.IdempotencyContext>();
        services.AddScoped<IDomainEventHandler, ScheduleDelivery>();
        services.AddSingleton<IDomainEventHandler, Common.Telemetry.MessageMetrics>();
        services.AddScoped<SendTimeScreening>();
        services.AddScoped<MessageAttempts>();
        services.AddSingleton<Common.Security.MailTokens>();
        services.AddScoped<Deliverability.Suppressor>();
        services.AddSingleton<RelaySlots>();
        services.AddScoped<BatchContext>();
        services.AddSingleton<Messaging.InboundEmails>();
        services.AddScoped<ITransactionalEventRecorder, WebhookOutbox>();
        services.AddSingleton<WebhookSecrets>();
        return services;
    }
}
