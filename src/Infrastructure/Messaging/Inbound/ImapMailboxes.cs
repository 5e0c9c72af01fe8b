using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Domain.Channels;
using Npgsql;

namespace Modular.Infrastructure.Messaging.Inbound;

/// <summary>
/// Where the watcher of a channel's mailbox is: the folder's UIDVALIDITY, the last UID taken, and the
/// lease of the instance watching it (one at a time across instances; another takes over once the lease
/// ran out). Watcher bookkeeping, not domain state.
/// </summary>
internal sealed class ImapMailboxRow
{
    public long ChannelId { get; set; }

    public long UidValidity { get; set; }

    public long LastUid { get; set; }

    public Guid? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ImapMailboxConfiguration : IEntityTypeConfiguration<ImapMailboxRow>
{
    public void Configure(EntityTypeBuilder<ImapMailboxRow> builder)
    {
        builder.ToTable("imap_mailboxes");
        builder.HasKey(m => m.ChannelId);
        builder.Property(m => m.ChannelId).ValueGeneratedNever();
        builder.HasOne<Channel>().WithOne().HasForeignKey<ImapMailboxRow>(m => m.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>A channel whose mailbox is to be watched, read across organizations.</summary>
internal sealed record WatchedChannel(long Id, long OrganizationId, ImapSettings Imap);

/// <summary>The position of a mailbox's watcher.</summary>
internal sealed record MailboxPosition(long UidValidity, long LastUid);

/// <summary>The SQL of mailbox watching: which channels have mailboxes, leases, and positions.</summary>
internal sealed class ImapMailboxStore(NpgsqlDataSource dataSource)
{
    public async Task<List<WatchedChannel>> ChannelsAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, organization_id, imap_host, imap_port, imap_security, imap_username, imap_password_protected, imap_folder
            FROM channels WHERE imap_host IS NOT NULL
            """;
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var channels = new List<WatchedChannel>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var security = Enum.TryParse<SmtpSecurity>(reader.GetString(4), out var parsed) ? parsed : SmtpSecurity.Ssl;
            channels.Add(new WatchedChannel(reader.GetInt64(0), reader.GetInt64(1), new ImapSettings(
                reader.GetString(2), reader.GetInt32(3), security, reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? ImapSettings.DefaultFolder : reader.GetString(7))));
        }

        return channels;
    }

    /// <summary>Takes or renews the lease of a channel's mailbox; the position when this instance holds it, else null.</summary>
    public async Task<MailboxPosition?> LeaseAsync(long channelId, Guid owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO imap_mailboxes (channel_id, uid_validity, last_uid, lease_owner, lease_until, updated_at)
            VALUES (@channel, 0, 0, @owner, now() + @duration, now())
            ON CONFLICT (channel_id) DO UPDATE SET lease_owner = @owner, lease_until = now() + @duration, updated_at = now()
            WHERE imap_mailboxes.lease_owner = @owner OR imap_mailboxes.lease_until IS NULL OR imap_mailboxes.lease_until < now()
            RETURNING uid_validity, last_uid
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("channel", channelId);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("duration", duration);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new MailboxPosition(reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    /// <summary>Records the position; false when this instance no longer holds the lease (then it must stop).</summary>
    public async Task<bool> SavePositionAsync(long channelId, Guid owner, MailboxPosition position, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE imap_mailboxes SET uid_validity = @validity, last_uid = @uid, updated_at = now()
            WHERE channel_id = @channel AND lease_owner = @owner
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("channel", channelId);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("validity", position.UidValidity);
        command.Parameters.AddWithValue("uid", position.LastUid);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Gives the lease up (a clean stop), so another instance takes over at once.</summary>
    public async Task ReleaseAsync(long channelId, Guid owner)
    {
        const string sql = "UPDATE imap_mailboxes SET lease_owner = NULL, lease_until = NULL WHERE channel_id = @channel AND lease_owner = @owner";
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("channel", channelId);
        command.Parameters.AddWithValue("owner", owner);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
