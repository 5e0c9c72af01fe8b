using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Modular.IntegrationTests.Infrastructure;

/// <summary>
/// The real service (its whole HTTP pipeline) on a real PostgreSQL database, started once for the
/// whole run. Migrations are applied by the service at start-up, as in production.
/// </summary>
/// <remarks>
/// The database is never reset: every test creates its own organization and works inside it, so
/// tenant isolation keeps tests apart (and proves itself along the way). Rows left behind by earlier
/// runs belong to other organizations and cannot be seen.
/// </remarks>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    /// <summary>The administration key the service is configured with (<c>Admin:ApiKey</c>).</summary>
    public const string AdminKey = "test-admin-key-4f0c2d8e9b7a41c6a1d35e2f";

    /// <summary>The <c>Public:BaseUrl</c> the service is configured with.</summary>
    public const string PublicBaseUrl = "https://modular.test";

    private const string DefaultConnectionString = "Host=127.0.0.1;Port=55432;Username=postgres;Database=modular_test";

    /// <summary>The database the service uses: <c>ConnectionStrings__Database</c> when set, else the local test database.</summary>
    public string ConnectionString { get; }

    /// <summary>The shared test database: <c>ConnectionStrings__Database</c> when set, else the local one.</summary>
    public static string SharedConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Database") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : DefaultConnectionString;

    public ApiFactory() => ConnectionString = SharedConnectionString;

    /// <summary>A client that sends <paramref name="apiKey"/> as <c>Authorization: Bearer</c>.</summary>
    public HttpClient CreateClient(string apiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>A client that sends no API key.</summary>
    public HttpClient CreateAnonymousClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Creates a fresh organization through the administration endpoint.</summary>
    public Task<TestOrganization> CreateOrganizationAsync() => TestOrganization.CreateAsync(CreateClient);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Database", ConnectionString);
        builder.UseSetting("Admin:ApiKey", AdminKey);
        builder.UseSetting("RateLimiting:PermitsPerSecond", "100000");
        builder.UseSetting("RateLimiting:Burst", "100000");
        builder.UseSetting("RateLimiting:AnonymousPermitsPerSecond", "100000");
        builder.UseSetting("RateLimiting:AnonymousBurst", "100000");

        // Attachments come from a test server on 127.0.0.1, which the shipped settings refuse.
        builder.UseSetting("Attachments:AllowPrivateNetworks", "true");

        // Channel relays of the tests (MailDev, scripted servers) run on 127.0.0.1 too.
        builder.UseSetting("Smtp:AllowPrivateRelays", "true");

        builder.UseSetting("DataProtection:CertificatePath", Support.TestCertificate.Path);
        builder.UseSetting("DataProtection:CertificatePassword", Support.TestCertificate.Password);

        builder.UseSetting("Delivery:ShutdownTimeout", "00:00:05");

        // New channels with mailboxes are picked up within a second.
        builder.UseSetting("Inbound:DiscoveryInterval", "00:00:01");
        // The base of one-click unsubscribe links (List-Unsubscribe).
        builder.UseSetting("Public:BaseUrl", PublicBaseUrl);
        // Webhook receivers of the tests run on 127.0.0.1; failed events are tried again within a second.
        builder.UseSetting("Webhooks:AllowPrivateNetworks", "true");
        builder.UseSetting("Webhooks:Timeout", "00:00:03");
        for (var i = 0; i < 4; i++)
        {
            builder.UseSetting($"Webhooks:RetryDelays:{i}", "00:00:00.500");
        }

        // Retries after transient failures come within seconds instead of minutes.
        string[] delays = ["00:00:01", "00:00:01", "00:00:02", "00:00:02", "00:00:03", "00:00:03", "00:00:05", "00:00:05"];
        for (var i = 0; i < delays.Length; i++)
        {
            builder.UseSetting($"Delivery:RetryDelays:{i}", delays[i]);
        }
    }
}

/// <summary>An organization made for one test: its id, its API key and a client that uses the key.</summary>
public sealed record TestOrganization(long Id, string Name, string ApiKey, HttpClient Client)
{
    /// <summary>Creates an organization through the administration endpoint of the service <paramref name="clientFor"/> reaches.</summary>
    public static async Task<TestOrganization> CreateAsync(Func<string, HttpClient> clientFor)
    {
        using var admin = clientFor(ApiFactory.AdminKey);
        var name = $"Test organization {Guid.NewGuid():N}";
        using var response = await admin.PostJsonAsync("/v1/admin/organizations", new { Name = name });
        var body = await ApiAssert.StatusAsync(response, HttpStatusCode.Created);
        var apiKey = body.GetProperty("api_key").GetString()!;
        return new TestOrganization(body.GetProperty("id").GetInt64(), name, apiKey, clientFor(apiKey));
    }
}

/// <summary>Every integration test class shares one <see cref="ApiFactory"/> (one host for the run).</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "Api";
}
