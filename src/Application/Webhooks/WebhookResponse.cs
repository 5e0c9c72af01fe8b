using FluentValidation;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks;

/// <summary>
/// An endpoint as clients see it. <c>secret</c> is present only in the answers of the create and
/// rotate calls: the secret is shown once.
/// </summary>
public sealed record WebhookResponse(
    long Id,
    string Url,
    string? Description,
    IReadOnlyList<string> Events,
    bool Enabled,
    string? DisabledReason,
    int ConsecutiveFailures,
    DateTimeOffset? PreviousSecretExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Secret = null)
{
    public static WebhookResponse From(WebhookEndpoint endpoint, string? secret = null) => new(
        endpoint.Id,
        endpoint.Url,
        endpoint.Description,
        endpoint.EventTypes,
        endpoint.Enabled,
        endpoint.DisabledReason,
        endpoint.ConsecutiveFailures,
        endpoint.PreviousSecretExpiresAt,
        endpoint.CreatedAt,
        endpoint.UpdatedAt,
        secret);
}

/// <summary>The shape of a webhook URL: absolute http or https, no user info, at most 2000 characters.</summary>
public static class WebhookUrl
{
    /// <summary>Why <paramref name="value"/> is not a usable URL; null when it is.</summary>
    public static string? ShapeRefusal(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "A URL is required.";
        }

        if (value.Length > WebhookEndpoint.UrlMaxLength)
        {
            return $"A URL has at most {WebhookEndpoint.UrlMaxLength} characters.";
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "Give an absolute http or https URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "A URL with user info (user:password@) is not accepted.";
        }

        return uri.Fragment.Length > 0 ? "A URL with a fragment (#…) is not accepted." : null;
    }

    public static IRuleBuilderOptionsConditions<T, string?> WebhookUrlShape<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Custom((value, context) =>
        {
            if (ShapeRefusal(value) is { } reason)
            {
                context.AddFailure(reason);
            }
        });
}
