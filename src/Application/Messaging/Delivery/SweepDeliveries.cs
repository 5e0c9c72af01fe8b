using Mediator;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Delivery;

/// <summary>
/// The safety net of delivery, run every few seconds. (1) Claims whose process died (its heartbeat
/// stopped) are recovered: a message not yet handed over is queued again at once, one whose SMTP
/// transaction had started becomes uncertain (<see cref="Message.RecoverAbandonedClaim"/>). (2) A
/// claimable message overdue for longer than <see cref="DeliveryPolicy.OverdueAfter"/> (its run was lost:
/// a crash between commit and trigger, a lost slot job) gets a delivery run.
/// </summary>
public sealed record SweepDeliveriesCommand : IRequest<int>;

public sealed partial class SweepDeliveriesHandler(
    IMessageClaims claims,
    ITenantScopes tenants,
    IDeliveryScheduler scheduler,
    DeliveryPolicy policy,
    TimeProvider clock,
    ILogger<SweepDeliveriesHandler> logger) : IRequestHandler<SweepDeliveriesCommand, int>
{
    private const int Batch = 1000;

    public async ValueTask<int> Handle(SweepDeliveriesCommand command, CancellationToken cancellationToken)
    {
        var abandoned = await claims.FindAbandonedAsync(Batch, cancellationToken);
        var recovered = 0;
        foreach (var group in abandoned.GroupBy(m => m.OrganizationId))
        {
            recovered += await tenants.SendAsync(group.Key, new RecoverAbandonedClaimsCommand([.. group.Select(m => m.Id)]), cancellationToken);
        }

        if (recovered > 0)
        {
            LogRecovered(logger, recovered);
        }

        if (await claims.AnyOverdueAsync(clock.GetUtcNow() - policy.OverdueAfter, cancellationToken))
        {
            LogOverdue(logger);
            scheduler.RunNow();
        }

        return recovered;
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "Recovered {Count} claims whose process had died")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Due messages were not picked up in time; asking for a delivery run")]
    private static partial void LogOverdue(ILogger logger);
}

/// <summary>Recovers abandoned claims of one organization (its scope); returns how many were recovered.</summary>
public sealed record RecoverAbandonedClaimsCommand(IReadOnlyList<long> MessageIds) : IRequest<int>;

public sealed class RecoverAbandonedClaimsHandler(IRepository<Message> messages, IUnitOfWork unitOfWork, TimeProvider clock)
    : IRequestHandler<RecoverAbandonedClaimsCommand, int>
{
    public async ValueTask<int> Handle(RecoverAbandonedClaimsCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var recovered = (await messages.ListAsync(new ByIdsSpec<Message>(command.MessageIds), cancellationToken))
            .Count(m => m.RecoverAbandonedClaim(now).IsSuccess);
        try
        {
            // Saved with each row's version: a row its claimer settled meanwhile is not overwritten.
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return recovered;
        }
        catch (ConcurrencyConflictException)
        {
            // Some claimer was alive after all and wrote first; the next sweep looks again.
            return 0;
        }
    }
}
