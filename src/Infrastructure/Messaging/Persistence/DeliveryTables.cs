using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Modular.Infrastructure.Messaging.Persistence;

/// <summary>A delivering process's lease: claims name it, and it is alive while its heartbeat is recent.</summary>
internal sealed class DeliveryClaimerRow
{
    public Guid Id { get; set; }

    public DateTimeOffset HeartbeatAt { get; set; }
}

/// <summary>A time slot (a whole second) that has its delivery job already.</summary>
internal sealed class DeliverySlotRow
{
    public DateTimeOffset Slot { get; set; }
}

internal sealed class DeliveryClaimerConfiguration : IEntityTypeConfiguration<DeliveryClaimerRow>
{
    public void Configure(EntityTypeBuilder<DeliveryClaimerRow> builder)
    {
        builder.ToTable("delivery_claimers");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
    }
}

internal sealed class DeliverySlotConfiguration : IEntityTypeConfiguration<DeliverySlotRow>
{
    public void Configure(EntityTypeBuilder<DeliverySlotRow> builder)
    {
        builder.ToTable("delivery_slots");
        builder.HasKey(s => s.Slot);
    }
}
