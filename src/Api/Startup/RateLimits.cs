using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Modular.Api.Authentication;
using Modular.Api.Common;

namespace Modular.Api.Startup;

/// <summary>
/// Token buckets that cannot be sidestepped: one per organization once a request is authenticated
/// (whichever of its keys it uses), one for the administrator, and one per client address for every
/// request without a valid key (none, a wrong one, a random one each time). The client address is the
/// connection's, or the <c>X-Forwarded-For</c> one only when the connection comes from a proxy named in
/// <c>ForwardedHeaders:KnownProxies</c> or <c>ForwardedHeaders:KnownNetworks</c>.
/// </summary>
internal static class RateLimits
{
    public static IServiceCollection AddRequestRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var perOrganization = Bucket(configuration, "RateLimiting:PermitsPerSecond", 50, "RateLimiting:Burst", 100);
        var perAddress = Bucket(configuration, "RateLimiting:AnonymousPermitsPerSecond", 10, "RateLimiting:AnonymousBurst", 20);
        services.Configure<ForwardedHeadersOptions>(options => ConfigureProxies(options, configuration));
        return services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                PartitionOf(context) is { } organization
                    ? RateLimitPartition.GetTokenBucketLimiter(organization, _ => perOrganization)
                    : RateLimitPartition.GetTokenBucketLimiter(
                        "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"), _ => perAddress));
            options.OnRejected = async (context, _) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 1;
                context.HttpContext.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(
                    context.HttpContext,
                    StatusCodes.Status429TooManyRequests,
                    "Too many requests",
                    $"The rate limit was reached; retry after {wait} s (Retry-After).");
            };
        });
    }

    /// <summary>
    /// Rewrites the connection's address from <c>X-Forwarded-For</c>, but only for a proxy the
    /// configuration names: without one, the header is ignored (a client cannot pick its own bucket).
    /// </summary>
    public static IApplicationBuilder UseClientAddress(this IApplicationBuilder app) => app.UseForwardedHeaders();

    /// <summary>The bucket of an authenticated request; null for one without a valid key.</summary>
    private static string? PartitionOf(HttpContext context) =>
        context.User.FindFirst(ApiKeyDefaults.OrganizationClaim)?.Value is { } organization ? "organization:" + organization
        : context.User.IsInRole(ApiKeyDefaults.AdminRole) ? "admin"
        : null;

    /// <summary>A bucket of <c>burst</c> tokens refilled at a rate that may be below one a second (0.2 = one every 5 s).</summary>
    private static TokenBucketRateLimiterOptions Bucket(IConfiguration configuration, string rateKey, double rate, string burstKey, int burst)
    {
        var permitsPerSecond = configuration.GetValue(rateKey, rate);
        var tokenLimit = configuration.GetValue(burstKey, burst);
        if (permitsPerSecond <= 0 || tokenLimit <= 0)
        {
            throw new InvalidOperationException($"{rateKey} and {burstKey} must be positive (given: {permitsPerSecond} and {tokenLimit}).");
        }

        var tokensPerPeriod = Math.Max(1, (int)Math.Round(permitsPerSecond));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokenLimit,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / permitsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static void ConfigureProxies(ForwardedHeadersOptions options, IConfiguration configuration)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
        // ASP.NET Core trusts loopback by default; here only what the configuration names is trusted.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
        }

        foreach (var network in configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [])
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{network}' is not a network such as 10.0.0.0/8."));
        }
    }
}
