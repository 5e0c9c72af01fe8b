using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Modular.Application.Common.Idempotency;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Deliverability;
using Modular.Domain.Conversations;
using Modular.Domain.Inboxes;
using Modular.Domain.Messaging;
using Modular.Domain.Organizations;
using Modular.Domain.Webhooks;
using Modular.Infrastructure.Webhooks.Persistence;

namespace Modular.Infrastructure.Persistence;

/// <summary>
/// The service's unit of work over PostgreSQL. Instances are pooled (EF Core sets a context up once,
/// not on every request); the scope that rents one gives it the scope's tenant
/// (<see cref="UseTenant"/>), and returning it to the pool takes the tenant back.
/// </summary>
public sealed class ModularDbContext(DbContextOptions<ModularDbContext> options)
    : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>No organization: the tenant filters match no row.</summary>
    private static readonly TenantContext NoTenant = new();

    private TenantContext _tenant = NoTenant;

    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Read by the tenant query filters; EF Core parameterizes it per context instance.</summary>
    private long TenantId => _tenant.FilterId;

    /// <summary>Filters every query of this lease by the given scope's organization.</summary>
    internal void UseTenant(TenantContext tenant) => _tenant = tenant;

    public override void Dispose()
    {
        _tenant = NoTenant;
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        _tenant = NoTenant;
        return base.DisposeAsync();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Ids come from a sequence in blocks, so an aggregate has its id as soon as it is added
        // and a handler can answer with it before the unit of work commits.
        modelBuilder.UseHiLo();
        // Blocks of 100 ids: one sequence round trip per hundred new rows instead of ten.
        modelBuilder.HasSequence(NpgsqlModelExtensions.DefaultHiLoSequenceName).IncrementsBy(100);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ModularDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        FilterByTenant<User>(modelBuilder);
        FilterByTenant<ApiKey>(modelBuilder);
        FilterByTenant<Channel>(modelBuilder);
        FilterByTenant<Inbox>(modelBuilder);
        FilterByTenant<Contact>(modelBuilder);
        FilterByTenant<Conversation>(modelBuilder);
        FilterByTenant<Message>(modelBuilder);
        FilterByTenant<IdempotencyRecord>(modelBuilder);
        FilterByTenant<MessageSource>(modelBuilder);
        FilterByTenant<MessageAttachmentContent>(modelBuilder);
        FilterByTenant<Suppression>(modelBuilder);
        FilterByTenant<DeliveryReport>(modelBuilder);
        FilterByTenant<WebhookEndpoint>(modelBuilder);
        FilterByTenant<WebhookEvent>(modelBuilder);
        FilterByTenant<WebhookDeliveryRow>(modelBuilder);
        FilterByTenant<WebhookAttemptRow>(modelBuilder);
    }

    private void FilterByTenant<T>(ModelBuilder modelBuilder)
        where T : class, ITenantOwned =>
        modelBuilder.Entity<T>().HasQueryFilter(e => e.OrganizationId == TenantId);
}
