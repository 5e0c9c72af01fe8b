using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Domain.Channels;
using Modular.Domain.Deliverability;
using Modular.Domain.Messaging;
using Modular.Domain.Organizations;

namespace Modular.Infrastructure.Deliverability.Persistence;

internal sealed class SuppressionConfiguration : IEntityTypeConfiguration<Suppression>
{
    public void Configure(EntityTypeBuilder<Suppression> builder)
    {
        builder.ToTable("suppressions");
        builder.Property(s => s.Email).HasMaxLength(254);
        builder.Property(s => s.NormalizedEmail).HasMaxLength(254);
        builder.Property(s => s.Reason).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Detail).HasMaxLength(Suppression.DetailMaxLength);
        builder.HasIndex(s => new { s.OrganizationId, s.NormalizedEmail }).IsUnique();
        builder.HasIndex(s => new { s.OrganizationId, s.CreatedAt });
        builder.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId);
        builder.Ignore(s => s.ComplianceReason);
        builder.Ignore(s => s.DomainEvents);
    }
}

internal sealed class DeliveryReportConfiguration : IEntityTypeConfiguration<DeliveryReport>
{
    public void Configure(EntityTypeBuilder<DeliveryReport> builder)
    {
        builder.ToTable("delivery_reports");
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Address).HasMaxLength(254);
        builder.Property(r => r.NormalizedAddress).HasMaxLength(254);
        builder.Property(r => r.Status).HasMaxLength(32);
        builder.Property(r => r.Diagnostic).HasMaxLength(DeliveryReport.DiagnosticMaxLength);
        // Counting an address's temporary failures of the last 7 days.
        builder.HasIndex(r => new { r.OrganizationId, r.NormalizedAddress, r.ReceivedAt });
        builder.HasIndex(r => r.MessageId);
        builder.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId);
        builder.HasOne<Message>().WithMany().HasForeignKey(r => r.MessageId);
        builder.HasOne<Channel>().WithMany().HasForeignKey(r => r.ChannelId);
        builder.Ignore(r => r.DomainEvents);
    }
}
