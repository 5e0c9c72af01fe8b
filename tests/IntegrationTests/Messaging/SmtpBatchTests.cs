using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;
using Npgsql;

namespace Modular.IntegrationTests.Messaging;

/// <summary>Each outcome of a batch is saved on its own, whatever else touched the rows meanwhile.</summary>
[Collection(ApiCollection.Name)]
public sealed class SmtpBatchTests(ApiFactory api)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_batch_whose_rows_change_while_they_are_sent_records_each_outcome_and_sends_nothing_twice()
    {
        await using var server = new ScriptedSmtpServer();
        server.HoldReplies();
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = server.Port, Security = "none" });

        // Sent side by side, so one batch is likely to claim more than one of them (the test holds either way).
        var sent = await Task.WhenAll(Enumerable.Range(1, 3).Select(i =>
            organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = $"Hi {i}" })));
        var ids = sent.Select(s => s.Id()).ToList();

        // Every message was claimed and loaded by its batch (the server has it whole) and waits for
        // the server's answer, so no outcome is saved yet. Touching one row in SQL gives it a new row
        // version after the batch read it: its outcome is still recorded (each outcome reads its row afresh).
        await server.WaitForAcceptedAsync(ids.Count, Delivery);
        Assert.Equal(1, await TouchSendingMessageAsync(ids[0]));
        server.ReleaseReplies();

        foreach (var id in ids)
        {
            var message = await organization.WaitForStatusAsync(id, Delivery, "sent");
            var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
            Assert.Equal("sent", attempt.GetProperty("outcome").GetString());
        }

        Assert.Equal(ids.Count, server.Accepted);
    }

    /// <summary>Updates the message's row without changing it (a new row version), if it is still in sending; returns the rows updated.</summary>
    private async Task<int> TouchSendingMessageAsync(long messageId)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE messages SET updated_at = updated_at WHERE id = @id AND status = 'Sending'", connection);
        command.Parameters.AddWithValue("id", messageId);
        return await command.ExecuteNonQueryAsync();
    }
}
