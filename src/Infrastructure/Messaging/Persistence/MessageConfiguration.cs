using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Domain.Channels;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;
using Modular.Domain.Organizations;

namespace Modular.Infrastructure.Messaging.Persistence;

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Direction).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.FromAddress).HasMaxLength(254);
        builder.Property(m => m.SenderAddress).HasMaxLength(254);
        builder.Property(m => m.ReplyToAddress).HasMaxLength(254);
        builder.Property(m => m.Subject).HasMaxLength(Message.SubjectMaxLength);
        builder.Property(m => m.MessageIdHeader).HasMaxLength(255);
        builder.Property(m => m.InReplyTo).HasMaxLength(255);
        builder.PrimitiveCollection(m => m.AttachmentUrls).HasField("_attachmentUrls");
        builder.PrimitiveCollection(m => m.References).HasField("_references");

        // xmin as a concurrency token: a delivery claims its message with an update that only
        // succeeds if nobody changed the row since it was read.
        builder.Property<uint>("Version").IsRowVersion();

        // When the outbox sweeper last queued a job for the row (infrastructure bookkeeping, not domain state).
        builder.Property<DateTimeOffset?>(Jobs.OutboxSweeper.RedrivenAt);

        // The Hangfire job waiting to deliver a scheduled message, so a cancel or reschedule removes it.
        builder.Property<string?>(Jobs.HangfireDeliveryScheduler.DeliveryJobId).HasMaxLength(64);

        builder.HasOne<Organization>().WithMany().HasForeignKey(m => m.OrganizationId);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId);
        builder.HasOne<Channel>().WithMany().HasForeignKey(m => m.ChannelId);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.CreatorUserId);

        builder.HasIndex(m => m.MessageIdHeader).IsUnique();
        builder.HasIndex(m => new { m.ConversationId, m.CreatedAt });
        builder.HasIndex(m => new { m.OrganizationId, m.Status, m.DueAt });
        // The outbox sweeper looks only at rows that still need a delivery.
        builder.HasIndex(m => m.DueAt, "ix_messages_pending_due_at").HasDatabaseName("ix_messages_pending_due_at")
            .HasFilter("status IN ('Queued', 'Scheduled', 'Sending')");
        // Batch claims read only the rows waiting for their time (queued, scheduled), oldest first:
        // without the rows being sent, and without the dead entries every claim and every outcome
        // leaves behind in the wider index.
        builder.HasIndex(m => m.DueAt, "ix_messages_claimable_due_at").HasDatabaseName("ix_messages_claimable_due_at")
            .HasFilter("status IN ('Queued', 'Scheduled')");

        // Every message is updated twice on its way out (claimed, then sent), so dead row versions pile
        // up at the rate of sends: vacuum after 1% of the table has changed instead of PostgreSQL's 20%,
        // so index scans over pending rows stay short on a large table.
        builder.ToTable("messages")
            .HasStorageParameter("autovacuum_vacuum_scale_factor", 0.01)
            .HasStorageParameter("autovacuum_analyze_scale_factor", 0.02);

        builder.OwnsMany(m => m.Recipients, r =>
        {
            r.ToJson("recipients");
            r.Property(x => x.Kind).HasConversion<string>();
        });
        builder.OwnsMany(m => m.Attempts, a =>
        {
            a.ToJson("attempts");
            a.Property(x => x.Outcome).HasConversion<string>();
            a.Property(x => x.Phase).HasConversion<string>();
        });
        builder.OwnsMany(m => m.ComplianceResults, c => c.ToJson("compliance_results"));
        builder.Navigation(m => m.Recipients).HasField("_recipients");
        builder.Navigation(m => m.Attempts).HasField("_attempts");
        builder.Navigation(m => m.ComplianceResults).HasField("_complianceResults");
        builder.Ignore(m => m.EnvelopeRecipients);
        builder.Ignore(m => m.DomainEvents);
    }
}
