using Microsoft.Extensions.Options;
using Modular.Application.Messaging.Ports;
using Modular.Infrastructure.Messaging.Delivery;

namespace Modular.Api.Startup;

/// <summary>
/// Settings are checked when the service starts, not when a value is first used: an unknown
/// <c>Smtp:Security</c>, a negative rate limit, an unparsable retry delay stop the process with one line
/// naming the setting, instead of a silent fallback (an unknown security mode used to mean STARTTLS) or
/// a stack trace minutes later.
/// </summary>
internal static class ConfigurationValidation
{
    /// <summary>Registers the validators; <see cref="Refusal"/> runs them.</summary>
    public static IServiceCollection AddConfigurationValidation(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidation>();
        services.AddOptions<SmtpOptions>().ValidateOnStart();
        return services;
    }

    /// <summary>
    /// The one-line reason the service refuses to start with these settings, or null when they are fine:
    /// runs every <c>ValidateOnStart</c> validator now (before migrations), and checks the delivery policy.
    /// </summary>
    public static string? Refusal(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return UnreadableRetryDelays(services.GetRequiredService<IConfiguration>())
                .Concat(DeliveryPolicyProblems(services.GetRequiredService<DeliveryPolicy>()))
                .FirstOrDefault();
        }
        catch (OptionsValidationException exception)
        {
            return string.Join(" ", exception.Failures);
        }
        catch (InvalidOperationException exception) when (IsConfigurationError(exception))
        {
            return OneLine(exception);
        }
    }

    /// <summary>
    /// A setting that does not convert to its type (<c>Delivery:RetryDelays:0=soon</c>): the configuration
    /// binder's own message names the key and the type.
    /// </summary>
    public static bool IsConfigurationError(Exception exception) =>
        exception is InvalidOperationException && exception.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal);

    /// <summary>The message on one line, with the inner exception's reason (the binder's names the bad value).</summary>
    public static string OneLine(Exception exception)
    {
        var text = exception.InnerException is { } inner ? $"{exception.Message} ({inner.Message})" : exception.Message;
        return text.ReplaceLineEndings(" ");
    }

    /// <summary>
    /// The binder leaves out an element of a list that does not convert, without a word: one unreadable
    /// retry delay made the whole list fall back to the defaults. Each element is read here instead.
    /// </summary>
    private static IEnumerable<string> UnreadableRetryDelays(IConfiguration configuration)
    {
        foreach (var delay in configuration.GetSection("Delivery:RetryDelays").GetChildren())
        {
            if (!TimeSpan.TryParse(delay.Value, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                yield return $"Delivery:RetryDelays:{delay.Key} is not a time span (given: '{delay.Value}'); write it as hh:mm:ss.";
            }
        }
    }

    private static IEnumerable<string> DeliveryPolicyProblems(DeliveryPolicy policy)
    {
        for (var i = 0; i < policy.RetryDelays.Count; i++)
        {
            if (policy.RetryDelays[i] <= TimeSpan.Zero)
            {
                yield return $"Delivery:RetryDelays:{i} must be a positive time span (given: {policy.RetryDelays[i]}).";
            }
        }

        if (policy.BatchSize < 1)
        {
            yield return $"Delivery:BatchSize must be at least 1 (given: {policy.BatchSize}).";
        }

        if (policy.ClaimLoops < 1)
        {
            yield return $"Delivery:ClaimLoops must be at least 1 (given: {policy.ClaimLoops}).";
        }

        if (policy.HeartbeatInterval <= TimeSpan.Zero || policy.ClaimerTimeout <= policy.HeartbeatInterval)
        {
            yield return $"Delivery:HeartbeatInterval must be positive and shorter than Delivery:ClaimerTimeout (given: {policy.HeartbeatInterval} and {policy.ClaimerTimeout}).";
        }

        if (policy.OverdueAfter <= TimeSpan.Zero)
        {
            yield return $"Delivery:OverdueAfter must be a positive time span (given: {policy.OverdueAfter}).";
        }
    }
}

/// <summary>The default relay's settings (<c>Smtp</c>): a known security mode, a port, positive limits and timeouts.</summary>
internal sealed class SmtpOptionsValidation : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        var failures = new List<string>();
        if (!Modular.Application.Channels.SmtpInput.SecurityValues.Contains(options.Security, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"Smtp:Security must be one of none, starttls, ssl (given: '{options.Security}').");
        }

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add("Smtp:Host must be set.");
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"Smtp:Port must be between 1 and 65535 (given: {options.Port}).");
        }

        if (options.MaxConnections < 1)
        {
            failures.Add($"Smtp:MaxConnections must be at least 1 (given: {options.MaxConnections}).");
        }

        if (options.MaxMessagesPerConnection < 1)
        {
            failures.Add($"Smtp:MaxMessagesPerConnection must be at least 1 (given: {options.MaxMessagesPerConnection}).");
        }

        Positive(failures, "Smtp:Timeout", options.Timeout);
        Positive(failures, "Smtp:IdleTimeout", options.IdleTimeout);
        Positive(failures, "Smtp:ThrottleBackoff", options.ThrottleBackoff);
        if (options.MaxThrottleBackoff < options.ThrottleBackoff)
        {
            failures.Add($"Smtp:MaxThrottleBackoff must not be shorter than Smtp:ThrottleBackoff (given: {options.MaxThrottleBackoff} and {options.ThrottleBackoff}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key} must be a positive time span (given: {value}).");
        }
    }
}
