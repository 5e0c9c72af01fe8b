using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Modular.IntegrationTests.Operations;

/// <summary>
/// The database goes away under a running service (a PostgreSQL cluster of this test's own, stopped
/// and started again): every endpoint answers 503 problem+json with Retry-After at once, the log has
/// warnings per interval instead of an error per request, and the service recovers by itself.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_the_database_away_every_endpoint_answers_503_with_retry_after_and_the_service_recovers()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        await cluster.CreateDatabaseAsync("modular_outage");
        // The test asks as fast as it can: the rate limits are not what it is about.
        await using var service = await ApiProcess.StartAsync(cluster.ConnectionString("modular_outage"), new Dictionary<string, string>
        {
            ["RateLimiting:PermitsPerSecond"] = "100000",
            ["RateLimiting:Burst"] = "100000",
            ["RateLimiting:AnonymousPermitsPerSecond"] = "100000",
            ["RateLimiting:AnonymousBurst"] = "100000",
        });
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var before = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Before" });
        await organization.WaitForStatusAsync(before.Id(), TimeSpan.FromSeconds(20), "sent");
        using var admin = service.CreateClient(ApiFactory.AdminKey);
        using var anonymous = new HttpClient { BaseAddress = service.BaseAddress };
        using var unknownKey = service.CreateClient($"mod_{Guid.NewGuid():N}");

        await cluster.StopAsync();
        var logLinesAtStop = service.Output.Count;
        var outage = Stopwatch.StartNew();
        var answers = new List<string>();
        while (outage.Elapsed < TimeSpan.FromSeconds(6))
        {
            (HttpClient Client, HttpMethod Method, string Path, object? Body)[] requests =
            [
                (organization.Client, HttpMethod.Get, "/v1/channels", null),
                (organization.Client, HttpMethod.Get, $"/v1/messages/{before.Id()}", null),
                (organization.Client, HttpMethod.Post, "/v1/messaging/email", new { From = channel, To = MailDev.UniqueAddress(), Body = "During" }),
                (organization.Client, HttpMethod.Post, "/v1/users", new { Name = "Ann", Email = $"ann-{Guid.NewGuid():N}@example.com" }),
                (unknownKey, HttpMethod.Get, "/v1/channels", null),
                (admin, HttpMethod.Post, "/v1/admin/organizations", new { Name = "During" }),
                (anonymous, HttpMethod.Get, "/health/ready", null),
            ];
            foreach (var (client, method, path, body) in requests)
            {
                using var request = new HttpRequestMessage(method, path);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
                if (body is not null)
                {
                    request.Content = System.Net.Http.Json.JsonContent.Create(body, options: HttpJson.Options);
                }

                var timer = Stopwatch.StartNew();
                using var response = await client.SendAsync(request);
                var elapsed = timer.Elapsed;
                answers.Add($"{method} {path}: {(int)response.StatusCode} in {elapsed.TotalMilliseconds:0} ms");
                Assert.True(elapsed < TimeSpan.FromSeconds(1), $"{method} {path} answered within a second: {elapsed}");
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, string.Join('\n', answers) + "\n" + await response.Content.ReadAsStringAsync());
                if (path != "/health/ready")
                {
                    await ApiAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
                    Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, $"{method} {path} carries Retry-After.");
                }
            }
        }

        var outageLog = service.Output.Skip(logLinesAtStop).ToList();
        await cluster.StartAgainAsync();

        // Recovery: ready again, and sends are accepted and delivered.
        using var probe = new HttpClient { BaseAddress = service.BaseAddress };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await probe.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "The service is ready again within 30 s of the database.");
            await Task.Delay(200);
        }

        var after = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "After" });
        await organization.WaitForStatusAsync(after.Id(), TimeSpan.FromSeconds(30), "sent");

        var errors = outageLog.Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        var warnings = outageLog.Where(line => line.StartsWith("warn:", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{answers.Count} answers during the outage; {errors.Count} error and {warnings.Count} warning entries in the log");
        output.WriteLine(string.Join('\n', outageLog.Take(60)));
        Assert.True(answers.Count > 20, $"The outage was exercised: {answers.Count} answers");
        Assert.Empty(errors);
        Assert.Contains(outageLog, line => line.Contains("The database is unavailable", StringComparison.Ordinal));
        Assert.True(warnings.Count(w => w.Contains("Modular.Api.Common.DatabaseOutage", StringComparison.Ordinal)) <= 2,
            "The outage is warned about once per interval (10 s), not once per request.");
    }
}
