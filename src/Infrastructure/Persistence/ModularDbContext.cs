using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Modular.Application.Common.Idempotency;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Conversations;
using Modular.Domain.Inboxes;
using Modular.Domain.Messaging;
using Modular.Domain.Organizations;

namespace Modular.Infrastructure.Persistence;

public sealed class ModularDbContext(DbContextOptions<ModularDbContext> options, TenantContext tenant)
    : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Read by the tenant query filters; EF Core parameterizes it per context instance.</summary>
    private long TenantId => tenant.FilterId;

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
    }

    private void FilterByTenant<T>(ModelBuilder modelBuilder)
        where T : class, ITenantOwned =>
        modelBuilder.Entity<T>().HasQueryFilter(e => e.OrganizationId == TenantId);
}
