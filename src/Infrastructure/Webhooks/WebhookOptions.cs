namespace Modular.Infrastructure.Webhooks;

/// <summary>The <c>Webhooks</c> section (the retry schedule, timeout and disabling threshold are in <see cref="Application.Webhooks.WebhookPolicy"/>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How much of a receiver's answer is read and kept in the delivery log.</summary>
    public const int ExcerptChars = 1024;

    /// <summary>
    /// Lets webhook URLs reach loopback, private, link-local and other internal addresses. For tests
    /// only: off in every configuration the project ships.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}
