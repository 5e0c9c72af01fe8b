using System.Net;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Operations;

/// <summary>The per-key token bucket, on a service process started with a small bucket.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Past_the_rate_limit_a_key_gets_429_with_retry_after_and_other_keys_are_unaffected()
    {
        var database = TestDatabase.Own("_ratelimit");
        await using var service = await ApiProcess.StartAsync(database, new Dictionary<string, string>
        {
            ["RateLimiting:PermitsPerSecond"] = "1",
            ["RateLimiting:Burst"] = "5",
        });
        var busy = await service.CreateOrganizationAsync();
        var quiet = await service.CreateOrganizationAsync();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 12 && limited is null; i++)
        {
            var response = await busy.Client.GetAsync("/v1/channels");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.True(limited.Headers.RetryAfter is not null, "429 carries Retry-After.");
            await ApiAssert.ProblemAsync(limited, HttpStatusCode.TooManyRequests);
        }

        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 4, $"The burst is honoured: {string.Join(", ", statuses)}");
        using var other = await quiet.Client.GetAsync("/v1/channels");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
