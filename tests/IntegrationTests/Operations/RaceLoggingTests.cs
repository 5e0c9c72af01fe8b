using System.Net;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Modular.IntegrationTests.Operations;

/// <summary>
/// Races the code handles (concurrent first requests with one idempotency key, two creations of one
/// contact) are not errors: the service process logs no error entry for them.
/// </summary>
public sealed class RaceLoggingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Handled_uniqueness_races_leave_no_error_in_the_log()
    {
        await using var service = await ApiProcess.StartAsync(TestDatabase.Own("_races"), new Dictionary<string, string>
        {
            ["RateLimiting:PermitsPerSecond"] = "100000",
            ["RateLimiting:Burst"] = "100000",
        });
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var linesBefore = service.Output.Count;
        var statuses = new System.Collections.Concurrent.ConcurrentBag<(string Kind, HttpStatusCode Status)>();

        // Rounds of concurrent first requests: one idempotency key per round, one new contact per round.
        for (var round = 0; round < 5; round++)
        {
            var key = $"race-{Guid.NewGuid():N}";
            var to = MailDev.UniqueAddress();
            var contact = $"contact-{Guid.NewGuid():N}@customer.example.com";
            await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
            {
                var send = i % 2 == 0;
                using var response = send
                    ? await organization.Client.PostJsonAsync("/v1/messaging/email", new { From = channel, To = to, Body = "Once", LocalId = key })
                    : await organization.Client.PostJsonAsync("/v1/contacts", new { Email = contact, Name = "Dana" });
                statuses.Add((send ? "send" : "contact", response.StatusCode));
            }));
        }

        var log = service.Output.Skip(linesBefore).ToList();
        var errors = log.Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        output.WriteLine(string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key.Kind} {(int)g.Key.Status}×{g.Count()}")));
        output.WriteLine(string.Join('\n', log.Take(40)));
        // Every send of a round gets the first answer; one contact of a round is created, the others conflict.
        Assert.All(statuses.Where(s => s.Kind == "send"), s => Assert.Equal(HttpStatusCode.Created, s.Status));
        Assert.Equal(5, statuses.Count(s => s is { Kind: "contact", Status: HttpStatusCode.Created }));
        Assert.Equal(25, statuses.Count(s => s is { Kind: "contact", Status: HttpStatusCode.Conflict }));
        Assert.Empty(errors);
    }
}
