using System.Net;
using System.Security.Cryptography;
using System.Text;
using Hangfire;
using Hangfire.Dashboard;
using Modular.Api.Authentication;

namespace Modular.Api.Operations;

/// <summary>
/// Who may see the Hangfire dashboard at <c>/hangfire</c> and the metrics at <c>/metrics</c>: local requests in Development; otherwise only
/// the admin key (Bearer, X-Api-Key, or HTTP Basic with the key as password, for browsers).
/// </summary>
internal sealed class DashboardAuthorization(bool isDevelopment, string? adminKey) : IDashboardAuthorizationFilter
{
    public const string Path = "/hangfire";

    /// <summary>
    /// Answers 401 with a Basic challenge before the dashboard, or the Prometheus scrape at
    /// <c>/metrics</c> (the same rule), sees a request it must refuse.
    /// </summary>
    public async Task GateAsync(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path;
        if (!(path.StartsWithSegments(Path) || path.StartsWithSegments(Telemetry.MetricsPath)) || IsAllowed(http))
        {
            await next(http);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"Modular jobs\"";
    }

    /// <summary>Hangfire's own check, the same rule again (the gate runs first).</summary>
    public bool Authorize(DashboardContext context) => IsAllowed(context.GetHttpContext());

    public bool IsAllowed(HttpContext http)
    {
        if (isDevelopment && IsLocal(http))
        {
            return true;
        }

        var key = ApiKeyAuthenticationHandler.ReadKey(http.Request) ?? BasicPassword(http.Request);
        return !string.IsNullOrEmpty(adminKey) && key is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(adminKey));
    }

    private static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);

    private static string? BasicPassword(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 ? decoded[(colon + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

