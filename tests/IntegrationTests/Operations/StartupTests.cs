using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Operations;

/// <summary>Several service processes started at the same moment on one new database.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Instances_starting_together_on_a_new_database_all_come_up_and_seed_the_demo_once()
    {
        // A new, empty database: the instances race to migrate it, install Hangfire's schema and seed
        // the demo organization.
        var database = TestDatabase.Fresh("_startup");
        var demoKey = $"mod_demo_{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string> { ["Demo:ApiKey"] = demoKey };
        var starts = Enumerable.Range(0, 3).Select(_ => ApiProcess.StartAsync(database, settings)).ToList();
        var started = new List<ApiProcess>();
        var failures = new List<string>();
        foreach (var start in starts)
        {
            try
            {
                started.Add(await start);
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
            {
                failures.Add(exception.Message);
            }
        }

        try
        {
            Assert.True(failures.Count == 0, $"Every instance comes up: {string.Join("; ", failures)}");
            foreach (var instance in started)
            {
                using var client = instance.CreateClient(demoKey);
                using var response = await client.GetAsync("/v1/channels");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(1, body.GetProperty("data").GetArrayLength());
            }
        }
        finally
        {
            foreach (var instance in started)
            {
                await instance.DisposeAsync();
            }
        }
    }
}
