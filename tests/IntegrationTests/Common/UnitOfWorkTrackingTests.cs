using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Application.Common.Persistence;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Scheduling;
using Modular.IntegrationTests.Support;
using Modular.Infrastructure.Persistence;

namespace Modular.IntegrationTests.Common;

/// <summary>
/// What a scope that saves as it goes (a delivery batch) lets go of: a forgotten aggregate with all its
/// owned parts, and raw contents once their insert is committed. On PostgreSQL, through the real unit of work.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class UnitOfWorkTrackingTests(ApiFactory api)
{
    [Fact]
    public async Task A_forgotten_message_leaves_nothing_tracked_and_a_later_save_does_not_write_it()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var sent = await organization.SendAsync(new
        {
            From = channel, To = MailDev.UniqueAddress(), Cc = new[] { MailDev.UniqueAddress() }, Body = "Later", ScheduleAt = ScheduledSendTests.At(TimeSpan.FromDays(1)),
        });

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.TenantDb(organization.Id);
        var message = await db.Set<Message>().SingleAsync(m => m.Id == sent.Id());
        var version = db.Entry(message).Property<uint>("Version").CurrentValue;
        Assert.Equal(2, message.Recipients.Count);
        Assert.True(db.ChangeTracker.Entries().Count() > 1, "The message's owned parts (its recipients) are tracked entries of their own.");

        var unitOfWork = scope.ServiceProvider.GetRequiredService<IUnitOfWork>();
        unitOfWork.Forget(message);
        Assert.Empty(db.ChangeTracker.Entries());

        // Changed after it was forgotten: the scope's next save does not write it.
        Assert.True(message.Cancel(DateTimeOffset.UtcNow).IsSuccess);
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        await using var check = api.Services.CreateAsyncScope();
        var stored = await check.TenantDb(organization.Id).Set<Message>().Where(m => m.Id == sent.Id())
            .Select(m => new { m.Status, Version = EF.Property<uint>(m, "Version") }).SingleAsync();
        Assert.Equal(DeliveryStatus.Scheduled, stored.Status);
        Assert.Equal(version, stored.Version);
    }

    [Fact]
    public async Task A_raw_source_is_let_go_once_its_insert_is_committed()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Later", ScheduleAt = ScheduledSendTests.At(TimeSpan.FromDays(1)) });

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.TenantDb(organization.Id);
        var source = MessageSource.Of(organization.Id, sent.Id(), "Subject: kept\r\n\r\nbytes\r\n"u8.ToArray());
        scope.ServiceProvider.GetRequiredService<IMessageContentStore>().Add(source);
        Assert.Equal(EntityState.Added, db.Entry(source).State);

        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().SaveChangesAsync(CancellationToken.None);

        Assert.Equal(EntityState.Detached, db.Entry(source).State);
        var stored = await scope.ServiceProvider.GetRequiredService<IMessageContentStore>().FindSourceAsync(sent.Id(), CancellationToken.None);
        Assert.Equal(source.Content, stored!.Content);
    }
}
