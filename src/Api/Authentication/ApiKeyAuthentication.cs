using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Modular.Application.Common.Security;
using Modular.Infrastructure.Persistence;

namespace Modular.Api.Authentication;

public static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";
    public const string OrganizationPolicy = "Organization";
    public const string AdminPolicy = "Admin";
    public const string OrganizationClaim = "organization_id";
    public const string AdminRole = "admin";
    public const string HeaderName = "X-Api-Key";
}

public sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    /// <summary>The administration key (<c>Admin:ApiKey</c>); empty disables administration.</summary>
    public string? AdminApiKey { get; set; }
}

/// <summary>
/// Reads the key from <c>Authorization: Bearer</c> or <c>X-Api-Key</c>. The admin key from configuration
/// makes an administrator; any other key is looked up by its hash and makes its organization the tenant.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ModularDbContext db,
    IMemoryCache cache,
    TenantContext tenant,
    IProblemDetailsService problemDetails)
    : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
{
    /// <summary>How long a key's organization is remembered (looked up by the key's hash, never the key).</summary>
    public static readonly TimeSpan KeyCacheDuration = TimeSpan.FromSeconds(30);

    private const string CacheKeyPrefix = "api-key:";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadKey(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (IsAdminKey(key))
        {
            return Success(new Claim(ClaimTypes.Role, ApiKeyDefaults.AdminRole));
        }

        var hash = ApiKeys.Hash(key);
        var organizationId = await cache.GetOrCreateAsync(
            CacheKeyPrefix + hash,
            entry =>
            {
                // A revoked key stops working within this time on every instance.
                entry.AbsoluteExpirationRelativeToNow = KeyCacheDuration;
                entry.Size = 1;
                return db.ApiKeys
                    .IgnoreQueryFilters()
                    .Where(k => k.Hash == hash && k.RevokedAt == null)
                    .Select(k => (long?)k.OrganizationId)
                    .FirstOrDefaultAsync(Context.RequestAborted);
            });
        if (organizationId is null)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        tenant.Set(organizationId.Value);
        return Success(new Claim(ApiKeyDefaults.OrganizationClaim, organizationId.Value.ToString()));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status401Unauthorized, "A valid API key is required (Authorization: Bearer <key> or X-Api-Key).");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "This API key may not use this endpoint.");

    internal static string? ReadKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var bearer = authorization["Bearer ".Length..].Trim();
            return bearer.Length > 0 ? bearer : null;
        }

        var header = request.Headers[ApiKeyDefaults.HeaderName].ToString().Trim();
        return header.Length > 0 ? header : null;
    }

    private bool IsAdminKey(string key)
    {
        var admin = Options.AdminApiKey;
        return !string.IsNullOrEmpty(admin)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(admin));
    }

    private AuthenticateResult Success(Claim claim)
    {
        var identity = new ClaimsIdentity([claim], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private async Task WriteProblem(int status, string detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }

        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = status == 401 ? "Unauthorized" : "Forbidden", Detail = detail },
        });
    }
}
