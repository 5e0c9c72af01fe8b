using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Modular.Application.Common.Security;
using Modular.Domain.Organizations;
using Modular.Infrastructure.Organizations;
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
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ModularDbContext db,
    IMemoryCache cache,
    TenantContext tenant,
    ApiKeyRevocations revocations,
    TimeProvider clock,
    IProblemDetailsService problemDetails)
    : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
{
    /// <summary>
    /// How long a look-up is remembered at most (by the key's hash, never the key). A revocation ends it at
    /// once on every instance (see <see cref="ApiKeyRevocations"/>), an expiry when it passes.
    /// </summary>
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
        var now = clock.GetUtcNow();
        var known = await LookUpAsync(hash, now);
        if (known is null || (known.ExpiresAt is { } expiry && expiry <= now))
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        if (known.ShouldRecordUse(now))
        {
            try
            {
                await RecordUseAsync(known.Id, now);
            }
            catch (Exception exception) when (exception is System.Data.Common.DbException or OperationCanceledException)
            {
                // Best effort: a key that is valid stays valid when its last use cannot be written (the next use tries again).
                LogUseNotRecorded(Logger, exception, known.Id);
            }
        }

        tenant.Set(known.OrganizationId);
        return Success(new Claim(ApiKeyDefaults.OrganizationClaim, known.OrganizationId.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The unrevoked, unexpired key of this hash, from the cache of this revocation generation or the database.</summary>
    private async Task<KnownKey?> LookUpAsync(string hash, DateTimeOffset now)
    {
        // Read before the query: a revocation heard while it runs makes its answer a stale generation's.
        if (revocations.Generation is not { } generation)
        {
            return await LoadAsync(hash, now);
        }

        return await cache.GetOrCreateAsync(
            $"{CacheKeyPrefix}{generation}:{hash}",
            async entry =>
            {
                entry.Size = 1;
                var found = await LoadAsync(hash, now);
                var until = now + KeyCacheDuration;
                entry.AbsoluteExpiration = found?.ExpiresAt is { } expiry && expiry < until ? expiry : until;
                return found;
            });
    }

    private Task<KnownKey?> LoadAsync(string hash, DateTimeOffset now) =>
        db.ApiKeys
            .IgnoreQueryFilters()
            .Where(k => k.Hash == hash && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now))
            .Select(k => new KnownKey(k.Id, k.OrganizationId, k.ExpiresAt, k.LastUsedAt))
            .FirstOrDefaultAsync(Context.RequestAborted);

    /// <summary>
    /// Writes when the key was last used, at most once per <see cref="ApiKey.LastUsedPrecision"/> per key:
    /// the condition keeps other instances from writing it again within the minute.
    /// </summary>
    private Task<int> RecordUseAsync(long keyId, DateTimeOffset now)
    {
        var before = now - ApiKey.LastUsedPrecision;
        return db.ApiKeys
            .IgnoreQueryFilters()
            .Where(k => k.Id == keyId && (k.LastUsedAt == null || k.LastUsedAt <= before))
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Debug, Message = "The last use of API key {KeyId} was not recorded")]
    private static partial void LogUseNotRecorded(ILogger logger, Exception exception, long keyId);

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

/// <summary>A key the cache remembers: whose it is, until when it works, and when its use was last written.</summary>
internal sealed class KnownKey(long id, long organizationId, DateTimeOffset? expiresAt, DateTimeOffset? lastUsedAt)
{
    private long _lastUsedTicks = lastUsedAt?.UtcTicks ?? 0;

    public long Id { get; } = id;

    public long OrganizationId { get; } = organizationId;

    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    /// <summary>True for one caller once <see cref="ApiKey.LastUsedPrecision"/> has passed since the last write.</summary>
    public bool ShouldRecordUse(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastUsedTicks);
        return now.UtcTicks - last >= ApiKey.LastUsedPrecision.Ticks
            && Interlocked.CompareExchange(ref _lastUsedTicks, now.UtcTicks, last) == last;
    }
}
