using System.Net;
using System.Net.Sockets;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Operations;

/// <summary>The token buckets, on a service process started with small buckets.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Past_the_rate_limit_an_organization_gets_429_with_retry_after_on_each_of_its_keys_and_other_organizations_are_unaffected()
    {
        var database = TestDatabase.Own("_ratelimit");
        await using var service = await ApiProcess.StartAsync(database, new Dictionary<string, string>
        {
            // One token every 5 s: a second key of the same organization finds the bucket still empty.
            ["RateLimiting:PermitsPerSecond"] = "0.2",
            ["RateLimiting:Burst"] = "5",
        });
        var busy = await service.CreateOrganizationAsync();
        var quiet = await service.CreateOrganizationAsync();
        using var created = await busy.Client.PostJsonAsync("/v1/api_keys", new { Name = "second" });
        var second = (await ApiAssert.StatusAsync(created, HttpStatusCode.Created)).GetProperty("api_key").GetString()!;

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
        // The bucket is the organization's, not the key's: another key of it is limited too.
        using (var secondClient = service.CreateClient(second))
        using (var alsoLimited = await secondClient.GetAsync("/v1/channels"))
        {
            await ApiAssert.ProblemAsync(alsoLimited, HttpStatusCode.TooManyRequests);
            var wait = alsoLimited.Headers.RetryAfter?.Delta;
            Assert.True(wait is { TotalSeconds: >= 1 and <= 5 }, $"Retry-After gives the wait of a 5 s refill: {wait}");
        }

        using var other = await quiet.Client.GetAsync("/v1/channels");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_valid_key_share_one_bucket_per_client_address_and_x_forwarded_for_counts_only_behind_a_known_proxy()
    {
        var database = TestDatabase.Own("_ratelimit");
        await using var service = await ApiProcess.StartAsync(database, new Dictionary<string, string>
        {
            // One token every 5 s, bursts of 4: the Retry-After of a refusal is the real wait, not "1".
            ["RateLimiting:AnonymousPermitsPerSecond"] = "0.2",
            ["RateLimiting:AnonymousBurst"] = "4",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.2",
        });
        var organization = await service.CreateOrganizationAsync();
        using var direct = ClientFrom(IPAddress.Loopback, service.BaseAddress);
        using var proxy = ClientFrom(IPAddress.Parse("127.0.0.2"), service.BaseAddress);

        // No key, a wrong key, a new random key each time, and an X-Forwarded-For that is not trusted
        // from this address: one bucket, so the fifth request is refused.
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 8 && limited is null; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/users");
            request.Headers.Accept.ParseAdd("text/html");
            if (i % 2 == 1)
            {
                request.Headers.Add("X-Api-Key", $"mod_{Guid.NewGuid():N}");
            }

            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
            var response = await direct.SendAsync(request);
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

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        using (limited)
        {
            await ApiAssert.ProblemAsync(limited!, HttpStatusCode.TooManyRequests);
            var wait = limited!.Headers.RetryAfter?.Delta;
            Assert.True(wait is { TotalSeconds: >= 2 and <= 5 }, $"Retry-After gives the wait of a 5 s refill: {wait}");
        }

        // Guesses at the admin key through the dashboard's Basic login count against the same bucket.
        using (var dashboard = new HttpRequestMessage(HttpMethod.Get, "/hangfire"))
        {
            dashboard.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:guess"u8.ToArray()));
            using var guessed = await direct.SendAsync(dashboard);
            Assert.Equal(HttpStatusCode.TooManyRequests, guessed.StatusCode);
        }

        // An organization's key is limited by its organization, not by the address it comes from.
        using var authenticated = await organization.Client.GetAsync("/v1/users");
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);

        // Behind the known proxy each forwarded client has its own bucket.
        foreach (var client in new[] { "203.0.113.7", "203.0.113.8" })
        {
            for (var i = 0; i < 4; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/users");
                request.Headers.Add("X-Forwarded-For", client);
                using var response = await proxy.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        using var fifth = new HttpRequestMessage(HttpMethod.Get, "/v1/users");
        fifth.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var refused = await proxy.SendAsync(fifth);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    /// <summary>A client whose connections leave from <paramref name="local"/> (any 127.x address is this machine).</summary>
    private static HttpClient ClientFrom(IPAddress local, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseAddress };
}
