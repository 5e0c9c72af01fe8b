using Hangfire;
using Microsoft.EntityFrameworkCore;
using Modular.Application.Common.Security;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Inboxes;
using Modular.Domain.Organizations;
using Modular.Infrastructure.Persistence;

namespace Modular.Api.Startup;

/// <summary>Applies migrations and, when <c>Demo:ApiKey</c> is set, makes sure the demo organization exists.</summary>
internal static partial class DatabaseInitializer
{
    /// <summary>The advisory lock key that serializes the start-up of instances sharing a database.</summary>
    private const long StartupLockKey = 0x4D6F64756C6172; // "Modular"

    public static async Task InitializeAsync(IServiceProvider services, IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        // Instances that start at the same moment on one database take turns: the first migrates,
        // installs Hangfire's schema and seeds; the others wait, then find everything in place.
        await using var startupLock = await StartupLock.AcquireAsync(
            configuration.GetConnectionString("Database")!, StartupLockKey, cancellationToken);
        await using var scope = services.CreateAsyncScope();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Modular.Startup");
        var db = scope.ServiceProvider.GetRequiredService<ModularDbContext>();
        if (configuration.GetValue("Database:MigrateOnStartup", true))
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        // Creating the job storage installs or upgrades Hangfire's schema: inside the lock too.
        _ = services.GetRequiredService<JobStorage>();

        if (configuration["Demo:ApiKey"] is { Length: > 0 } demoKey)
        {
            var demo = await SeedDemoAsync(scope.ServiceProvider, db, demoKey, cancellationToken);
            LogDemo(logger, demo.OrganizationId, demo.ChannelId, demo.InboxId, demo.UserId);
            Console.WriteLine(
                $"""

                Demo organization {demo.OrganizationId} is ready.
                  API key:  {demoKey}
                  channel:  {demo.ChannelId} ({demo.ChannelEmail})
                  inbox:    {demo.InboxId}
                  user:     {demo.UserId}

                """);
        }
    }

    private static async Task<DemoIds> SeedDemoAsync(IServiceProvider services, ModularDbContext db, string demoKey, CancellationToken cancellationToken)
    {
        var issued = ApiKeys.FromKey(demoKey);
        var organizationId = await db.ApiKeys.IgnoreQueryFilters()
            .Where(k => k.Hash == issued.Hash)
            .Select(k => (long?)k.OrganizationId)
            .FirstOrDefaultAsync(cancellationToken);

        var tenant = services.GetRequiredService<TenantContext>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (organizationId is null)
        {
            var organization = Organization.Create("Demo", now).Value;
            db.Add(organization);
            await db.SaveChangesAsync(cancellationToken);
            db.Add(ApiKey.Issue(organization.Id, "demo key", issued.Prefix, issued.Hash, expiresAt: null, now).Value);
            await db.SaveChangesAsync(cancellationToken);
            organizationId = organization.Id;
        }

        tenant.Set(organizationId.Value);
        var address = EmailAddress.Parse("demo@modular.example.com", "email").Value;
        var channel = await db.Set<Channel>().OrderBy(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        if (channel is null)
        {
            channel = Channel.Create(organizationId.Value, "Demo", address, "Modular Demo", smtp: null, now).Value;
            db.Add(channel);
            await db.SaveChangesAsync(cancellationToken);
        }

        // Demo:Imap:* (./run.sh: the demo user's INBOX on the local Dovecot): the channel receives from it.
        if (channel.Imap is null && services.GetRequiredService<IConfiguration>().GetSection("Demo:Imap") is { } imap && imap["Host"] is { Length: > 0 } host)
        {
            var protector = services.GetRequiredService<Modular.Application.Common.Security.ISecretProtector>();
            var settings = ImapSettings.Create(
                host, imap.GetValue("Port", 143), SmtpSecurity.None, imap["Username"] ?? "demo",
                imap["Password"] is { Length: > 0 } password ? protector.Protect(password) : null, imap["Folder"]);
            if (settings.IsSuccess)
            {
                channel.UseMailbox(settings.Value, now);
            }
        }

        var inbox = await db.Set<Inbox>().OrderBy(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        if (inbox is null)
        {
            inbox = Inbox.Create(organizationId.Value, "Support", channel.Id, now).Value;
            db.Add(inbox);
        }

        var user = await db.Set<User>().OrderBy(u => u.Id).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            user = User.Create(organizationId.Value, "Demo User", EmailAddress.Parse("user@modular.example.com", "email").Value, now).Value;
            db.Add(user);
        }

        await db.SaveChangesAsync(cancellationToken);
        return new DemoIds(organizationId.Value, channel.Id, channel.Email, inbox.Id, user.Id);
    }

    private sealed record DemoIds(long OrganizationId, long ChannelId, string ChannelEmail, long InboxId, long UserId);

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "Demo organization {OrganizationId}: channel {ChannelId}, inbox {InboxId}, user {UserId}")]
    private static partial void LogDemo(ILogger logger, long organizationId, long channelId, long inboxId, long userId);
}
