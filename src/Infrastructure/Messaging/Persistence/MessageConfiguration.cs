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
        // A W3C traceparent is 55 characters (version 00); room for a later version's longer form.
        builder.Property(m => m.TraceParent).HasMaxLength(128);
        builder.PrimitiveCollection(m => m.AttachmentUrls).HasField("_attachmentUrls");
        builder.PrimitiveCollection(m => m.References).HasField("_references");

        // xmin as a concurrency token: an outcome or a recovery is saved only if nobody changed the row
        // since it was read.
        builder.Property<uint>(MessagePersistence.Version).IsRowVersion();

        // The process holding the current claim (its lease is in delivery_claimers): delivery bookkeeping, not domain state.
        builder.Property<Guid?>(MessagePersistence.ClaimedBy);

        builder.HasOne<Organization>().WithMany().HasForeignKey(m => m.OrganizationId);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId);
        builder.HasOne<Channel>().WithMany().HasForeignKey(m => m.ChannelId);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.CreatorUserId);

        // One message per Message-ID on a channel: an inbound email that comes twice (by IMAP and by HTTP,
        // or two copies at once) is stored once. Threading looks Message-IDs up across the organization.
        builder.HasIndex(m => new { m.ChannelId, m.MessageIdHeader }).IsUnique();
        builder.HasIndex(m => new { m.OrganizationId, m.MessageIdHeader });
        builder.HasIndex(m => new { m.ConversationId, m.CreatedAt });
        builder.HasIndex(m => new { m.OrganizationId, m.Status, m.DueAt });
        // Claims read only the rows waiting for their time, oldest first: without the rows being sent,
        // and without the dead entries every claim and every outcome leaves behind in the wider index.
        builder.HasIndex(m => m.DueAt, "ix_messages_claimable_due_at").HasDatabaseName("ix_messages_claimable_due_at")
            .HasFilter(Delivery.MessageClaims.ClaimableFilter);
        // The sweeper's recovery looks only at the rows being delivered now, by claimer.
        builder.HasIndex([MessagePersistence.ClaimedBy], "ix_messages_sending_claimed_by").HasDatabaseName("ix_messages_sending_claimed_by")
            .HasFilter(Delivery.MessageClaims.SendingFilter);

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
            r.Property(x => x.Status).HasConversion<string>();
            r.OwnsOne(x => x.Reply);
            r.OwnsOne(x => x.Bounce);
        });
        builder.OwnsMany(m => m.Attempts, a =>
        {
            a.ToJson("attempts");
            a.Property(x => x.Outcome).HasConversion<string>();
            a.Property(x => x.Phase).HasConversion<string>();
        });
        builder.OwnsMany(m => m.ComplianceResults, c => c.ToJson("compliance_results"));
        builder.OwnsMany(m => m.ReceivedAttachments, a => a.ToJson("received_attachments"));
        builder.Navigation(m => m.Recipients).HasField("_recipients");
        builder.Navigation(m => m.Attempts).HasField("_attempts");
        builder.Navigation(m => m.ComplianceResults).HasField("_complianceResults");
        builder.Navigation(m => m.ReceivedAttachments).HasField("_receivedAttachments");
        builder.Ignore(m => m.EnvelopeRecipients);
        builder.Ignore(m => m.DomainEvents);
    }
}

/// <summary>Names of the messages table's bookkeeping properties that only persistence knows.</summary>
internal static class MessagePersistence
{
    public const string Version = "Version";
    public const string ClaimedBy = "ClaimedBy";
}
