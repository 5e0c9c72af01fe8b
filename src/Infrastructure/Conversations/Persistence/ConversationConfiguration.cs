using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Domain.Channels;
using Modular.Domain.Contacts;
using Modular.Domain.Conversations;
using Modular.Domain.Inboxes;
using Modular.Domain.Organizations;

namespace Modular.Infrastructure.Conversations.Persistence;

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable("conversations");
        builder.Property(c => c.Title).HasMaxLength(Conversation.TitleMaxLength);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
        builder.HasOne<Channel>().WithMany().HasForeignKey(c => c.ChannelId);
        builder.HasOne<Inbox>().WithMany().HasForeignKey(c => c.InboxId);
        builder.HasOne<Contact>().WithMany().HasForeignKey(c => c.ContactId);

        // "The contact's latest conversation on this channel" and the list filters.
        builder.HasIndex(c => new { c.OrganizationId, c.ContactId, c.ChannelId, c.LastMessageAt });
        builder.HasIndex(c => new { c.OrganizationId, c.LastMessageAt });

        builder.OwnsMany(c => c.Participants, participant =>
        {
            participant.ToJson("participants");
            participant.Property(p => p.Role).HasConversion<string>();
        });
        builder.Navigation(c => c.Participants).HasField("_participants");
        builder.Ignore(c => c.DomainEvents);
    }
}
