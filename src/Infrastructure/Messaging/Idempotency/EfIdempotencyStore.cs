using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Application.Common.Idempotency;
using Modular.Domain.Organizations;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.Messaging.Idempotency;

internal sealed class EfIdempotencyStore(ModularDbContext db, TenantContext tenant) : IIdempotencyStore
{
    public Task<IdempotencyRecord?> FindAsync(string key, CancellationToken cancellationToken) =>
        db.Set<IdempotencyRecord>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.OrganizationId == tenant.OrganizationId && r.Key == key, cancellationToken);

    public void Add(IdempotencyRecord record) => db.Set<IdempotencyRecord>().Add(record);

    public Task RemoveExpiredAsync(string key, DateTimeOffset before, CancellationToken cancellationToken) =>
        db.Set<IdempotencyRecord>()
            .Where(r => r.OrganizationId == tenant.OrganizationId && r.Key == key && r.CreatedAt < before)
            .ExecuteDeleteAsync(cancellationToken);
}

/// <summary>
/// One row per (organization, key). The primary key is what makes concurrent first requests safe:
/// the second insert waits for the first transaction and fails once it commits.
/// </summary>
internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_keys");
        builder.HasKey(r => new { r.OrganizationId, r.Key });
        builder.Property(r => r.Key).HasMaxLength(255);
        builder.Property(r => r.Operation).HasMaxLength(100);
        builder.Property(r => r.Fingerprint).HasMaxLength(64);
        builder.Property(r => r.Response).HasColumnType("jsonb");
        // The expiry job deletes by age: an index range over the expired rows, not a scan of every key.
        builder.HasIndex(r => r.CreatedAt);
        builder.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId);
    }
}
