using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Domain.Channels;
using Modular.Domain.Inboxes;
using Modular.Domain.Organizations;

namespace Modular.Infrastructure.Inboxes.Persistence;

internal sealed class InboxConfiguration : IEntityTypeConfiguration<Inbox>
{
    public void Configure(EntityTypeBuilder<Inbox> builder)
    {
        builder.ToTable("inboxes");
        builder.Property(i => i.Name).HasMaxLength(Inbox.NameMaxLength);
        builder.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId);
        builder.HasOne<Channel>().WithMany().HasForeignKey(i => i.ChannelId);
        builder.Ignore(i => i.DomainEvents);
    }
}
