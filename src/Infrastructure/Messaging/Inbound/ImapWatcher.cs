using System.Collections.Concurrent;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Messaging;
using Modular.Domain.Channels;

namespace Modular.Infrastructure.Messaging.Inbound;

/// <summary>Inbound settings (<c>Inbound:*</c>).</summary>
public sealed class InboundOptions
{
    public const string Section = "Inbound";

    /// <summary>The largest email taken, over HTTP and from mailboxes (25 MiB).</summary>
    public long MaxBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>How often a mailbox without IDLE is polled (and the longest an IDLE lasts before it is renewed).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the list of channels with mailboxes is read (new channels, lapsed leases).</summary>
    public TimeSpan DiscoveryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A mailbox's lease lasts this long and is renewed every third of it; another instance takes over once it ran out.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tries of one message that keeps failing before it is skipped (with a logged reason).</summary>
    public int MaxTries { get; set; } = 3;

    /// <summary>The longest wait between reconnects to a mailbox that is down.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Off: this instance watches no mailbox (HTTP inbound still works).</summary>
    public bool Watch { get; set; } = true;
}

/// <summary>
/// Watches the IMAP mailbox of every channel that has one, with MailKit's <see cref="ImapClient"/>: IDLE
/// where the server offers it, polling otherwise. Each channel is watched by one instance at a time (a
/// lease row renewed every third of its duration); each new message (UID above the last one taken) is
/// handed, as its exact bytes, to <see cref="InboundEmails"/>, and the position is saved after each, so a
/// restart resumes where it stopped (a message taken but not yet recorded is found again and answered as
/// a duplicate). A changed UIDVALIDITY re-scans the folder, deduplicated by Message-ID. Mail is never
/// deleted or changed: the folder is opened read-only. A message that is not an email, is too large, or
/// keeps failing is skipped with a logged reason and never holds back the ones after it; a mailbox that
/// is down is retried with backoff and stops nothing else.
/// </summary>
internal sealed partial class ImapWatcher(
    ImapMailboxStore store,
    InboundEmails inbound,
    ISecretProtector secrets,
    IFailureClassifier failures,
    IOptions<InboundOptions> options,
    ILogger<ImapWatcher> logger) : BackgroundService
{
    private readonly Guid _owner = Guid.NewGuid();
    private readonly ConcurrentDictionary<long, Task> _watching = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Watch)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var channel in await store.ChannelsAsync(stoppingToken))
                {
                    if (_watching.ContainsKey(channel.Id))
                    {
                        continue;
                    }

                    if (await store.LeaseAsync(channel.Id, _owner, settings.LeaseDuration, stoppingToken) is { } position)
                    {
                        _watching[channel.Id] = Task.Run(() => WatchAsync(channel, position, stoppingToken), CancellationToken.None);
                    }
                }

                foreach (var (id, task) in _watching)
                {
                    if (task.IsCompleted)
                    {
                        _watching.TryRemove(id, out _);
                    }
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database being away is answered and logged elsewhere (once per interval); a bug is an error.
                if (failures.Classify(exception) == FailureKind.Unavailable)
                {
                    LogDiscoveryUnavailable(logger);
                }
                else
                {
                    LogDiscoveryFailed(logger, exception);
                }
            }

            try
            {
                await Task.Delay(settings.DiscoveryInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(_watching.Values);
    }

    /// <summary>Watches one mailbox while this instance holds its lease (and the channel keeps the same settings).</summary>
    private async Task WatchAsync(WatchedChannel channel, MailboxPosition position, CancellationToken stoppingToken)
    {
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewAsync(channel, watch);
        var settings = options.Value;
        var backoff = TimeSpan.FromSeconds(1);
        var tries = new Dictionary<(long, long), int>();
        try
        {
            while (!watch.IsCancellationRequested)
            {
                try
                {
                    using var client = new ImapClient();
                    var folder = await OpenAsync(client, channel.Imap, watch.Token);
                    if (folder.UidValidity != position.UidValidity)
                    {
                        if (position.UidValidity != 0)
                        {
                            LogRescan(logger, channel.Id, position.UidValidity, folder.UidValidity);
                        }

                        position = new MailboxPosition(folder.UidValidity, 0);
                        if (!await store.SavePositionAsync(channel.Id, _owner, position, watch.Token))
                        {
                            return;
                        }
                    }

                    LogWatching(logger, channel.Id, channel.Imap.Folder, client.Capabilities.HasFlag(ImapCapabilities.Idle));
                    backoff = TimeSpan.FromSeconds(1);
                    while (!watch.IsCancellationRequested)
                    {
                        position = await TakeNewAsync(channel, folder, position, tries, watch.Token);
                        await WaitForMailAsync(client, folder, settings.PollInterval, watch.Token);
                    }
                }
                catch (LeaseLostException)
                {
                    LogStopped(logger, channel.Id);
                    return;
                }
                catch (Exception exception) when (!watch.IsCancellationRequested)
                {
                    LogMailboxDown(logger, channel.Id, channel.Imap.Host, channel.Imap.Port, exception.Message, backoff.TotalSeconds);
                    try
                    {
                        await Task.Delay(backoff, watch.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxBackoff.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (watch.IsCancellationRequested)
        {
            // Stopping, or the lease was lost.
        }
        finally
        {
            await watch.CancelAsync();
            await renewing;
            await store.ReleaseAsync(channel.Id, _owner);
        }
    }

    /// <summary>Renews the lease; cancels the watch when it is lost or the channel's mailbox settings changed.</summary>
    private async Task RenewAsync(WatchedChannel channel, CancellationTokenSource watch)
    {
        var interval = options.Value.LeaseDuration / 3;
        while (!watch.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, watch.Token);
                var current = (await store.ChannelsAsync(watch.Token)).FirstOrDefault(c => c.Id == channel.Id);
                if (current != channel || await store.LeaseAsync(channel.Id, _owner, options.Value.LeaseDuration, watch.Token) is null)
                {
                    LogStopped(logger, channel.Id);
                    await watch.CancelAsync();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception) when (failures.Classify(exception) == FailureKind.Unavailable)
            {
                // The database is away: keep the watch while the lease may still hold; the next renewal decides.
                LogRenewUnavailable(logger, channel.Id);
            }
            catch (Exception exception)
            {
                LogRenewFailed(logger, exception, channel.Id);
            }
        }
    }

    private async Task<IMailFolder> OpenAsync(ImapClient client, ImapSettings imap, CancellationToken cancellationToken)
    {
        var security = imap.Security switch
        {
            SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        client.Timeout = 60_000;
        await client.ConnectAsync(imap.Host, imap.Port, security, cancellationToken);
        await client.AuthenticateAsync(imap.Username, imap.ProtectedPassword is null ? string.Empty : secrets.Unprotect(imap.ProtectedPassword), cancellationToken);
        var folder = imap.Folder.Equals(ImapSettings.DefaultFolder, StringComparison.OrdinalIgnoreCase)
            ? client.Inbox
            : await client.GetFolderAsync(imap.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        return folder;
    }

    /// <summary>Takes every message above the last UID, in UID order, saving the position after each.</summary>
    private async Task<MailboxPosition> TakeNewAsync(
        WatchedChannel channel, IMailFolder folder, MailboxPosition position, Dictionary<(long, long), int> tries, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var range = new UniqueIdRange(new UniqueId((uint)position.LastUid + 1), UniqueId.MaxValue);
        var uids = (await folder.SearchAsync(SearchQuery.Uids(range), cancellationToken))
            .Where(u => u.Id > position.LastUid).OrderBy(u => u.Id).ToList();
        foreach (var batch in uids.Chunk(500))
        {
            var sizes = (await folder.FetchAsync(batch, MessageSummaryItems.UniqueId | MessageSummaryItems.Size, cancellationToken))
                .ToDictionary(s => s.UniqueId, s => (long?)s.Size);
            foreach (var uid in batch)
            {
                if (sizes.GetValueOrDefault(uid) is { } size && size > settings.MaxBytes)
                {
                    LogSkipped(logger, channel.Id, uid.Id, $"it has {size} bytes, more than Inbound:MaxBytes ({settings.MaxBytes})");
                }
                else if (!await TakeAsync(channel, folder, uid, tries, cancellationToken))
                {
                    // Failed, with tries left: stop here and try again after the backoff.
                    throw new InvalidOperationException($"Message UID {uid.Id} could not be taken yet.");
                }

                position = position with { LastUid = uid.Id };
                if (!await store.SavePositionAsync(channel.Id, _owner, position, cancellationToken))
                {
                    throw new LeaseLostException();
                }
            }
        }

        return position;
    }

    /// <summary>True when the message is done with (stored, a duplicate, or skipped); false to try it again later.</summary>
    private async Task<bool> TakeAsync(WatchedChannel channel, IMailFolder folder, UniqueId uid, Dictionary<(long, long), int> tries, CancellationToken cancellationToken)
    {
        byte[] raw;
        await using (var stream = await folder.GetStreamAsync(uid, cancellationToken))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            raw = buffer.ToArray();
        }

        try
        {
            var result = await inbound.ReceiveAsync(channel.OrganizationId, channel.Id, raw, cancellationToken);
            if (result.IsFailure)
            {
                LogSkipped(logger, channel.Id, uid.Id, result.Error!.Fields?.Values.SelectMany(m => m).FirstOrDefault() ?? result.Error.Message);
            }

            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException && failures.Classify(exception) != FailureKind.Unavailable)
        {
            var key = ((long)folder.UidValidity, (long)uid.Id);
            var tried = tries[key] = tries.GetValueOrDefault(key) + 1;
            if (tried < options.Value.MaxTries)
            {
                LogTryFailed(logger, exception, channel.Id, uid.Id, tried);
                return false;
            }

            tries.Remove(key);
            LogSkipped(logger, channel.Id, uid.Id, $"it failed {tried} times: {exception.Message}");
            return true;
        }
    }

    /// <summary>IDLE until the folder changes (at most one poll interval), or a plain wait and a NOOP without IDLE.</summary>
    private static async Task WaitForMailAsync(ImapClient client, IMailFolder folder, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        if (!client.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            await Task.Delay(pollInterval, cancellationToken);
            await client.NoOpAsync(cancellationToken);
            return;
        }

        using var done = new CancellationTokenSource(pollInterval);
        void Changed(object? sender, EventArgs e) => done.Cancel();
        folder.CountChanged += Changed;
        try
        {
            await client.IdleAsync(done.Token, cancellationToken);
        }
        finally
        {
            folder.CountChanged -= Changed;
        }
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Watching the mailbox of channel {ChannelId} (folder {Folder}, IDLE {Idle})")]
    private static partial void LogWatching(ILogger logger, long channelId, string folder, bool idle);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "The mailbox of channel {ChannelId} ({Host}:{Port}) cannot be read: {Reason}; trying again in {BackoffSeconds} s")]
    private static partial void LogMailboxDown(ILogger logger, long channelId, string host, int port, string reason, double backoffSeconds);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Message UID {Uid} of channel {ChannelId}'s mailbox was skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, long channelId, long uid, string reason);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "Message UID {Uid} of channel {ChannelId}'s mailbox failed (try {Try}); it is tried again")]
    private static partial void LogTryFailed(ILogger logger, Exception exception, long channelId, long uid, int @try);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Information, Message = "UIDVALIDITY of channel {ChannelId}'s folder changed from {Old} to {New}: re-scanning it (duplicates are recognised by Message-ID)")]
    private static partial void LogRescan(ILogger logger, long channelId, long old, long @new);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Information, Message = "Stopped watching the mailbox of channel {ChannelId} (lease lost or settings changed)")]
    private static partial void LogStopped(ILogger logger, long channelId);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Warning, Message = "The lease of channel {ChannelId}'s mailbox could not be renewed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, long channelId);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Debug, Message = "The channels with mailboxes could not be read: the database is unavailable")]
    private static partial void LogDiscoveryUnavailable(ILogger logger);

    [LoggerMessage(EventId = 5209, Level = LogLevel.Debug, Message = "The lease of channel {ChannelId}'s mailbox could not be renewed: the database is unavailable")]
    private static partial void LogRenewUnavailable(ILogger logger, long channelId);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Error, Message = "The channels with mailboxes could not be read")]
    private static partial void LogDiscoveryFailed(ILogger logger, Exception exception);
}

/// <summary>This instance no longer holds a mailbox's lease: another one watches it now.</summary>
internal sealed class LeaseLostException() : Exception("The mailbox's lease was lost.");
