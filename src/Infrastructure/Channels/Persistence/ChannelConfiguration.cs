using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Domain.Channels;
using Modular.Domain.Organizations;

namespace Modular.Infrastructure.Channels.Persistence;

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<Channel>
{
    public void Configure(EntityTypeBuilder<Channel> builder)
    {
        builder.ToTable("channels");
        builder.Property(c => c.Name).HasMaxLength(Channel.NameMaxLength);
        builder.Property(c => c.Email).HasMaxLength(254);
        builder.Property(c => c.NormalizedEmail).HasMaxLength(254);
        builder.Property(c => c.SenderName).HasMaxLength(200);
        builder.HasIndex(c => new { c.OrganizationId, c.NormalizedEmail }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
        builder.OwnsOne(c => c.Smtp, smtp =>
        {
            smtp.Property(s => s.Host).HasColumnName("smtp_host").HasMaxLength(255);
            smtp.Property(s => s.Port).HasColumnName("smtp_port");
            smtp.Property(s => s.Security).HasColumnName("smtp_security").HasConversion<string>().HasMaxLength(16);
            smtp.Property(s => s.Username).HasColumnName("smtp_username").HasMaxLength(255);
            smtp.Property(s => s.ProtectedPassword).HasColumnName("smtp_password_protected");
            // Null when the channel uses the default relay, like the other smtp_ columns; the migration gives
            // the relays that existed before it the default.
            smtp.Property(s => s.MaxConnections).HasColumnName("smtp_max_connections");
        });
        builder.OwnsOne(c => c.Imap, imap =>
        {
            imap.Property(s => s.Host).HasColumnName("imap_host").HasMaxLength(255);
            imap.Property(s => s.Port).HasColumnName("imap_port");
            imap.Property(s => s.Security).HasColumnName("imap_security").HasConversion<string>().HasMaxLength(16);
            imap.Property(s => s.Username).HasColumnName("imap_username").HasMaxLength(255);
            imap.Property(s => s.ProtectedPassword).HasColumnName("imap_password_protected");
            imap.Property(s => s.Folder).HasColumnName("imap_folder").HasMaxLength(255);
        });
        builder.OwnsOne(c => c.Dkim, dkim =>
        {
            dkim.Property(d => d.Selector).HasColumnName("dkim_selector").HasMaxLength(DkimKey.SelectorMaxLength);
            dkim.Property(d => d.ProtectedPrivateKey).HasColumnName("dkim_private_key_protected");
            dkim.Property(d => d.PublicKey).HasColumnName("dkim_public_key");
            dkim.Property(d => d.CreatedAt).HasColumnName("dkim_created_at");
        });
        builder.Property(c => c.ListUnsubscribe).HasConversion<string>().HasMaxLength(16).HasDefaultValue(ListUnsubscribePolicy.Automated).HasSentinel((ListUnsubscribePolicy)(-1));
        builder.Property(c => c.VerpReturnPath).HasDefaultValue(false);
        builder.Ignore(c => c.Domain);
        builder.Ignore(c => c.LocalPart);
        builder.Ignore(c => c.IsArchived);
        builder.Ignore(c => c.DomainEvents);
    }
}
