using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Inbound;

/// <summary>A mailbox's watcher across a crash: the service is killed in the middle of a mailbox, and another process takes over.</summary>
public sealed class ImapRestartTests
{
    [Fact]
    public async Task A_restart_in_the_middle_of_a_mailbox_takes_every_message_exactly_once()
    {
        const int count = 150;
        var database = TestDatabase.Own("_inbound");
        var folder = await Dovecot.CreateFolderAsync();
        var channelEmail = $"restart-{Guid.NewGuid():N}@acme.example.com";
        var senders = Enumerable.Range(0, count).Select(i => MailDev.UniqueAddress($"s{i}")).ToList();
        await Dovecot.AppendAsync(folder, [.. senders.Select((s, i) => InboundSupport.Email(s, channelEmail, $"Message {i}", "body"))]);

        string apiKey;
        int takenBeforeKill;
        var settings = new Dictionary<string, string> { ["Inbound:DiscoveryInterval"] = "00:00:01", ["Inbound:LeaseDuration"] = "00:00:15" };
        await using (var first = await ApiProcess.StartAsync(database, settings))
        {
            var organization = await first.CreateOrganizationAsync();
            apiKey = organization.ApiKey;
            await organization.Client.CreateAsync("/v1/channels", new { Name = "Restart", Email = channelEmail, Imap = Dovecot.Settings(folder) });
            takenBeforeKill = await WaitForInboundAsync(organization, atLeast: 10, TimeSpan.FromSeconds(90));
            await first.KillAsync();
        }

        Assert.True(takenBeforeKill < count, "The first process took the whole mailbox before it was killed; the test proves nothing.");
        await using var second = await ApiProcess.StartAsync(database, settings);
        var restarted = new TestOrganization(0, "Restart", apiKey, second.CreateClient(apiKey));

        // The dead process's lease runs out first (15 s here), then the second takes over.
        await WaitForInboundAsync(restarted, atLeast: count, TimeSpan.FromSeconds(90));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var contacts = await restarted.Client.GetOkAsync("/v1/contacts?limit=500");
        Assert.Equal(count, contacts.GetProperty("total").GetInt32());
        var conversations = await restarted.Client.GetOkAsync("/v1/conversations?limit=500");
        Assert.Equal(count, conversations.GetProperty("total").GetInt32());
        Assert.Equal(count, await InboundCountAsync(restarted));
        Assert.Equal(senders.Order(StringComparer.Ordinal), contacts.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("email").GetString()!).Order(StringComparer.Ordinal));
    }

    private static async Task<int> InboundCountAsync(TestOrganization organization) =>
        (await organization.Client.GetOkAsync("/v1/messages?limit=1")).GetProperty("total").GetInt32();

    private static async Task<int> WaitForInboundAsync(TestOrganization organization, int atLeast, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var taken = await InboundCountAsync(organization);
            if (taken >= atLeast)
            {
                return taken;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Only {taken} of at least {atLeast} messages were taken within {timeout}.");
            await Task.Delay(50);
        }
    }
}
