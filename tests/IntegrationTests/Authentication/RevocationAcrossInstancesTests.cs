using System.Diagnostics;
using System.Net;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Authentication;

/// <summary>Two service processes on one database: a key revoked on one is refused by the other, which had it cached.</summary>
public sealed class RevocationAcrossInstancesTests
{
    [Fact]
    public async Task A_key_revoked_on_one_instance_is_refused_by_another_long_before_its_cache_would_let_it_go()
    {
        var database = TestDatabase.Own("_keys");
        await using var first = await ApiProcess.StartAsync(database);
        await using var second = await ApiProcess.StartAsync(database);
        var organization = await first.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync("/v1/api_keys", new { Name = "shared" });
        var key = created.GetProperty("api_key").GetString()!;
        using var onSecond = second.CreateClient(key);
        using var onFirst = first.CreateClient(key);
        // Both instances have looked the key up (and cache it for up to 30 s).
        await onSecond.GetOkAsync("/v1/users");
        await onFirst.GetOkAsync("/v1/users");
        await onSecond.GetOkAsync("/v1/users");

        using (var revoke = await organization.Client.DeleteAsync($"/v1/api_keys/{created.Id()}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using (var refusedHere = await onFirst.GetAsync("/v1/users"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refusedHere.StatusCode);
        }

        // The other instance hears of it by NOTIFY; ask until it refuses, but never as long as the cache would keep it.
        var watch = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var response = await onSecond.GetAsync("/v1/users");
            status = response.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                await Task.Delay(20);
            }
        }
        while (status == HttpStatusCode.OK && watch.Elapsed < TimeSpan.FromSeconds(10));

        Assert.True(status == HttpStatusCode.Unauthorized, $"The other instance still accepted the revoked key after {watch.Elapsed} ({status}).");
        await organization.Client.GetOkAsync("/v1/users");
    }
}
