using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;
using Modular.Domain.Organizations;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.Messaging.Inbound;

internal sealed class EfMessageContentStore(ModularDbContext db) : IMessageContentStore
{
    public void Add(MessageSource source) => db.Set<MessageSource>().Add(source);

    public void Add(MessageAttachmentContent attachment) => db.Set<MessageAttachmentContent>().Add(attachment);

    public Task<MessageSource?> FindSourceAsync(long messageId, CancellationToken cancellationToken) =>
        db.Set<MessageSource>().AsNoTracking().FirstOrDefaultAsync(s => s.MessageId == messageId, cancellationToken);

    public Task<MessageAttachmentContent?> FindAttachmentAsync(long messageId, int index, CancellationToken cancellationToken) =>
        db.Set<MessageAttachmentContent>().AsNoTracking()
            .FirstOrDefaultAsync(a => a.MessageId == messageId && a.Index == index, cancellationToken);

    public async Task RemoveAllOfAsync(IReadOnlyCollection<long> messageIds, CancellationToken cancellationToken)
    {
        if (messageIds.Count == 0)
        {
            return;
        }

        db.Set<MessageSource>().RemoveRange(
            await db.Set<MessageSource>().Where(s => messageIds.Contains(s.MessageId)).ToListAsync(cancellationToken));
        db.Set<MessageAttachmentContent>().RemoveRange(
            await db.Set<MessageAttachmentContent>().Where(a => messageIds.Contains(a.MessageId)).ToListAsync(cancellationToken));
    }
}

/// <summary>
/// Raw sources, one row per message, apart from <c>messages</c>: listing or claiming messages never
/// reads (or rewrites) the bytes. bytea is stored out of line (TOAST) beyond a couple of kilobytes.
/// </summary>
internal sealed class MessageSourceConfiguration : IEntityTypeConfiguration<MessageSource>
{
    public void Configure(EntityTypeBuilder<MessageSource> builder)
    {
        builder.ToTable("message_sources");
        builder.HasKey(s => s.MessageId);
        builder.Property(s => s.MessageId).ValueGeneratedNever();
        builder.HasOne<Message>().WithOne().HasForeignKey<MessageSource>(s => s.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId);
        builder.HasIndex(s => s.OrganizationId);
    }
}

/// <summary>The content of inbound attachments, one row per file, by (message, index).</summary>
internal sealed class MessageAttachmentContentConfiguration : IEntityTypeConfiguration<MessageAttachmentContent>
{
    public void Configure(EntityTypeBuilder<MessageAttachmentContent> builder)
    {
        builder.ToTable("message_attachments");
        builder.HasKey(a => new { a.MessageId, a.Index });
        builder.Property(a => a.FileName).HasMaxLength(255);
        builder.Property(a => a.ContentType).HasMaxLength(255);
        builder.HasOne<Message>().WithMany().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId);
        builder.HasIndex(a => a.OrganizationId);
    }
}
