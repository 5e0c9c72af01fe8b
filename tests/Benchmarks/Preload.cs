using System.Diagnostics;
using Npgsql;

namespace Modular.Benchmarks;

/// <summary>
/// --preload N: fills the bench database, generated in SQL, with what a service in use has stored:
/// 100 organizations with a channel each, a contact and a conversation for every 10 messages, N sent
/// messages spread over the last 90 days, and N ÷ 10 scheduled over the next month (1,000,000 for
/// 10,000,000), then vacuumed and analyzed. Runs after the service has migrated the database and before any phase, so the phases
/// measure the service on a database with history. Ids come from a block reserved on EF Core's hi-lo
/// sequence, so the service's own ids never collide with them.
/// </summary>
internal static class Preload
{
    private const int Organizations = 100;

    /// <summary>An empty <c>text[]</c> (attachment URLs, References).</summary>
    private const string EmptyArray = "'{}'";

    /// <summary>Messages inserted per statement: each is a transaction of its own, so none holds the WAL or memory for long.</summary>
    private const long Batch = 500_000;

    public static async Task<PreloadResult> RunAsync(string database, long messages, Action<string> say)
    {
        var started = Stopwatch.GetTimestamp();
        var contacts = Math.Max(1, messages / 10);
        var scheduled = messages / 10;
        var total = 2 * Organizations + 2 * contacts + messages + scheduled;

        await using var dataSource = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(database)
        {
            CommandTimeout = 0,
            // Generated history, not accepted email: it need not wait for the disk at each commit.
            Options = "-c synchronous_commit=off",
        }.ConnectionString).Build();

        // One block of ids for everything: the sequence moves past it before any row is written.
        var first = await ScalarAsync(dataSource, "SELECT nextval('\"EntityFrameworkHiLoSequence\"')");
        await ExecuteAsync(dataSource, $"SELECT setval('\"EntityFrameworkHiLoSequence\"', {first + total})");
        var organizationBase = first;
        var channelBase = organizationBase + Organizations;
        var contactBase = channelBase + Organizations;
        var conversationBase = contactBase + contacts;
        var ids = new PreloadIds(organizationBase, channelBase, contacts, contactBase, conversationBase, conversationBase + contacts, conversationBase + contacts + messages);

        await ExecuteAsync(dataSource, $"""
            INSERT INTO organizations (id, name, created_at)
            SELECT {organizationBase} + g, 'Preloaded ' || g, now() - interval '120 days'
            FROM generate_series(0, {Organizations - 1}) g;
            INSERT INTO channels (id, organization_id, name, email, normalized_email, created_at, updated_at)
            SELECT {channelBase} + g, {organizationBase} + g, 'Preloaded', 'preload-' || g || '@preload.example.com',
                   'preload-' || g || '@preload.example.com', now() - interval '120 days', now() - interval '120 days'
            FROM generate_series(0, {Organizations - 1}) g;
            """);
        // Contact g and conversation g belong to organization g % 100, and so do the messages of the conversation.
        await ExecuteAsync(dataSource, $"""
            INSERT INTO contacts (id, organization_id, email, normalized_email, created_at)
            SELECT {contactBase} + g, {organizationBase} + g % {Organizations}, 'c' || g || '@customer.preload.example.com',
                   'c' || g || '@customer.preload.example.com', now() - interval '100 days'
            FROM generate_series(0, {contacts - 1}) g;
            INSERT INTO conversations (id, organization_id, channel_id, contact_id, title, status, created_at, updated_at, last_message_at, participants)
            SELECT {conversationBase} + g, {organizationBase} + g % {Organizations}, {channelBase} + g % {Organizations}, {contactBase} + g,
                   'Preloaded', 'Open', now() - interval '100 days', now() - interval '1 day', now() - interval '1 day',
                   jsonb_build_array(jsonb_build_object('Role', 'To', 'Address', 'c' || g || '@customer.preload.example.com'))
            FROM generate_series(0, {contacts - 1}) g;
            """);
        say($"preload: {Organizations} organizations and channels, {contacts} contacts and conversations");

        for (long from = 0; from < messages; from += Batch)
        {
            await ExecuteAsync(dataSource, MessagesSql(ids, from, Math.Min(messages, from + Batch) - 1, messages, sent: true));
            say($"preload: {Math.Min(messages, from + Batch)} of {messages} sent messages ({Clock.Seconds(started, Stopwatch.GetTimestamp()):0} s)");
        }

        for (long from = 0; from < scheduled; from += Batch)
        {
            await ExecuteAsync(dataSource, MessagesSql(ids, from, Math.Min(scheduled, from + Batch) - 1, scheduled, sent: false));
        }

        // VACUUM, not only ANALYZE: a database in service has been vacuumed, and a table loaded this fast
        // would otherwise be vacuumed by autovacuum during the phases (seen: 8.6 GB, minutes of PostgreSQL
        // CPU charged to the first phases). It also sets the visibility map the index-only scans read.
        say($"preload: {scheduled} scheduled messages; VACUUM (ANALYZE)");
        await ExecuteAsync(dataSource, "VACUUM (ANALYZE)");
        var seconds = Clock.Seconds(started, Stopwatch.GetTimestamp());
        var bytes = await ScalarAsync(dataSource, "SELECT pg_database_size(current_database())");
        return new PreloadResult(messages, scheduled, contacts, Organizations, Math.Round(seconds, 1), Math.Round(bytes / 1048576.0, 1));
    }

    /// <summary>Messages <paramref name="from"/> to <paramref name="to"/> (inclusive) of <paramref name="total"/>: sent over the last 90 days, or scheduled over the next month.</summary>
    private static string MessagesSql(PreloadIds ids, long from, long to, long total, bool sent)
    {
        var conversation = $"(g % {ids.ContactCount})";
        var organization = $"({conversation} % {Organizations})";
        var count = Math.Max(1, total);
        var (idBase, status, recipient, at, tag) = sent
            ? (ids.Messages, "Sent", "Sent", $"now() - interval '90 days' + (g::float8 / {count}) * interval '90 days'", "s")
            : (ids.Scheduled, "Scheduled", "Pending", $"now() + interval '1 day' + (g::float8 / {count}) * interval '30 days'", "f");
        return $"""
            INSERT INTO messages (id, organization_id, conversation_id, channel_id, direction, status, from_address, subject, text_body,
                                  attachment_urls, message_id_header, "references", schedule_at, due_at, sent_at, created_at, updated_at, recipients)
            SELECT {idBase} + g, {ids.Organizations} + {organization}, {ids.Conversations} + {conversation}, {ids.Channels} + {organization},
                   'Outbound', '{status}', 'preload-' || {organization} || '@preload.example.com',
                   'Preloaded message ' || g, 'Hello, this is preloaded message ' || g || '.', {EmptyArray},
                   '<preload-{tag}' || g || '@preload.example.com>', {EmptyArray},
                   {(sent ? "NULL" : "at")}, at, {(sent ? "at" : "NULL")}, {(sent ? "at" : "now()")}, {(sent ? "at" : "now()")},
                   jsonb_build_array(jsonb_build_object('Kind', 'To', 'Address', 'c' || {conversation} || '@customer.preload.example.com', 'Status', '{recipient}'))
            FROM (SELECT g, {at} AS at FROM generate_series({from}, {to}) g) s
            """;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Where each table's block of reserved ids starts.</summary>
    private sealed record PreloadIds(long Organizations, long Channels, long ContactCount, long Contacts, long Conversations, long Messages, long Scheduled);
}

/// <summary>What --preload stored, how long it took, and the database's size after it.</summary>
internal sealed record PreloadResult(long SentMessages, long ScheduledMessages, long Contacts, int Organizations, double Seconds, double DatabaseMiB);
