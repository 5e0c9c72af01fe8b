using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Modular.IntegrationTests.Operations;

/// <summary><c>Limits:MaxRequestBytes</c> on the service as its own process (Kestrel's limits are real there).</summary>
public sealed class RequestLimitTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task Bodies_over_the_limit_are_413_problem_json_and_memory_stays_under_300_MiB_through_a_battery_of_oversized_and_malformed_requests()
    {
        var database = TestDatabase.Own("_limits");
        await using var service = await ApiProcess.StartAsync(database);
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", organization.ApiKey);
        var before = service.Memory();

        // Just over the default of 2 MiB, with and without Content-Length, from a browser-like client.
        foreach (var chunked in new[] { false, true })
        {
            using var response = await client.SendAsync(Post("/v1/messaging/email", SendBody(channel, (int)(2 * MiB) + 10), chunked, "text/html"));
            var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
            output.WriteLine($"chunked={chunked}: {problem}");
        }

        // A body under the limit is still served.
        using (var fits = await client.SendAsync(Post("/v1/messaging/email", SendBody(channel, (int)MiB), chunked: false)))
        {
            await ApiAssert.StatusAsync(fits, HttpStatusCode.Created);
        }

        // The battery: 20 MB and 40 MB bodies (declared and chunked), malformed JSON, deep nesting and
        // too many addresses just under the limit, four at a time.
        var twenty = SendBody(channel, (int)(20 * MiB));
        var forty = SendBody(channel, (int)(40 * MiB));
        var unterminated = Encoding.UTF8.GetBytes("{\"from\":\"" + channel + "\",\"to\":\"a@example.com\",\"body\":\"" + new string('x', (int)(1.9 * MiB)));
        var deep = Encoding.UTF8.GetBytes(new string('[', (int)(0.9 * MiB)) + new string(']', (int)(0.9 * MiB)));
        var manyCopies = Encoding.UTF8.GetBytes("{\"from\":\"" + channel + "\",\"to\":\"a@example.com\",\"body\":\"x\",\"cc\":["
            + string.Join(',', Enumerable.Range(0, 70_000).Select(i => $"\"c{i}@example.com\"")) + "]}");
        Func<HttpRequestMessage>[] battery =
        [
            () => Post("/v1/messaging/email", twenty, chunked: false),
            () => Post("/v1/messaging/email", twenty, chunked: true),
            () => Post("/v1/email/send", forty, chunked: false),
            () => Post("/v1/messaging/email", forty, chunked: true),
            () => Post("/v1/messaging/email", unterminated, chunked: false),
            () => Post("/v1/users", deep, chunked: true),
            () => Post("/v1/messaging/email", manyCopies, chunked: false),
        ];
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 70), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            try
            {
                using var response = await client.SendAsync(battery[i % battery.Length](), ct);
                outcomes.Add($"{i % battery.Length}:{(int)response.StatusCode}");
            }
            catch (HttpRequestException)
            {
                // The service answered 413 and closed the connection while the client was still sending.
                outcomes.Add($"{i % battery.Length}:closed");
            }
        });
        var after = service.Memory();

        var summary = string.Join(", ", outcomes.GroupBy(o => o).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}×{g.Count()}"));
        output.WriteLine($"outcomes (request kind:status×count): {summary}");
        output.WriteLine($"RSS before {before.Current / MiB} MiB, after {after.Current / MiB} MiB, peak {after.Peak / MiB} MiB");
        // Oversized: refused (413, or the connection closed under a client still sending); the rest: 422.
        Assert.All(outcomes.Where(o => o[0] is '0' or '1' or '2' or '3'), o => Assert.True(o.EndsWith(":413", StringComparison.Ordinal) || o.EndsWith(":closed", StringComparison.Ordinal), o));
        Assert.All(outcomes.Where(o => o[0] is '4' or '5' or '6'), o => Assert.EndsWith(":422", o, StringComparison.Ordinal));
        Assert.True(after.Peak < 300 * MiB, $"Peak RSS {after.Peak / MiB} MiB stays under 300 MiB (before the battery {before.Current / MiB} MiB).");

        // And the service still works.
        using var health = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task The_limit_is_configurable()
    {
        var database = TestDatabase.Own("_limits");
        await using var service = await ApiProcess.StartAsync(database, new Dictionary<string, string> { ["Limits:MaxRequestBytes"] = "1000" });
        var organization = await service.CreateOrganizationAsync();

        using var small = await organization.Client.PostJsonAsync("/v1/users", new { Name = "Ann", Email = "ann@example.com" });
        await ApiAssert.StatusAsync(small, HttpStatusCode.Created);
        using var large = await organization.Client.PostJsonAsync("/v1/users", new { Name = new string('a', 1000), Email = "bob@example.com" });
        await ApiAssert.ProblemAsync(large, HttpStatusCode.RequestEntityTooLarge);
    }

    private static byte[] SendBody(string channel, int size)
    {
        var head = "{\"from\":\"" + channel + "\",\"to\":\"" + MailDev.UniqueAddress() + "\",\"body\":\"";
        const string tail = "\"}";
        return Encoding.UTF8.GetBytes(head + new string('x', Math.Max(0, size - head.Length - tail.Length)) + tail);
    }

    private static HttpRequestMessage Post(string path, byte[] body, bool chunked, string? accept = null)
    {
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body, writable: false)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return request;
    }
}
