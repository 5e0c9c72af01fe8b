using Modular.Application.Common.Persistence;
using Modular.Application.Deliverability;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Deliverability;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Delivery;

/// <summary>What screening found for a batch: who was left out of which message, and the contacts of the addresses, by normalized address.</summary>
public sealed record Screened(IReadOnlyDictionary<long, IReadOnlyList<ComplianceResult>> Excluded, IReadOnlyDictionary<string, Contact> Contacts);

/// <summary>
/// Step 2 of delivery: consent and the suppression list are checked again at send time, because a
/// contact may have opted out, or an address been suppressed, after the send was accepted (a scheduled
/// send, a retry). Each recipient who may no longer be sent to is left out of the envelope and the
/// headers and listed in the message's compliance results; a message with no To recipient left ends
/// <c>blocked</c>. The rule is the one the send use cases apply when accepting (<see cref="RecipientRules"/>).
/// </summary>
public sealed class SendTimeScreening(IRepository<Contact> contacts, IRepository<Suppression> suppressions)
{
    /// <summary>Screens the claimed messages; returns, per message id, who was left out (empty when nobody), and the contacts found.</summary>
    public async Task<Screened> ScreenAsync(IReadOnlyList<Message> claimed, DateTimeOffset now)
    {
        var addresses = claimed.SelectMany(m => m.EnvelopeRecipients).Select(r => Normalize(r.Address)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var known = addresses.Count == 0
            ? []
            : (await contacts.ListAsync(new ContactsByEmailsSpec(addresses), CancellationToken.None)).ToDictionary(c => c.NormalizedEmail, StringComparer.Ordinal);
        var suppressed = addresses.Count == 0
            ? []
            : (await suppressions.ListAsync(new SuppressionsByEmailsSpec(addresses), CancellationToken.None)).ToDictionary(s => s.NormalizedEmail, StringComparer.Ordinal);

        var excluded = new Dictionary<long, IReadOnlyList<ComplianceResult>>();
        foreach (var message in claimed)
        {
            var exclusions = ExclusionsOf(message, known, suppressed);
            if (exclusions.Count > 0)
            {
                Apply(message, exclusions, now);
                excluded[message.Id] = exclusions;
            }
        }

        return new Screened(excluded, known);
    }

    /// <summary>Leaves the given recipients out of a claimed message (also used when an outcome is recorded again on its own).</summary>
    public static void Apply(Message message, IReadOnlyList<ComplianceResult> exclusions, DateTimeOffset now)
    {
        var applied = message.ExcludeRecipients(exclusions, now);
        if (applied.IsFailure)
        {
            throw new InvalidOperationException($"Message {message.Id} could not be screened: {applied.Error!.Message}");
        }
    }

    /// <summary>The normalized form of an address, or null when it does not parse.</summary>
    public static string? Normalize(string address) => EmailAddress.TryParse(address, out var parsed, out _) ? parsed.Normalized : null;

    private static List<ComplianceResult> ExclusionsOf(Message message, Dictionary<string, Contact> known, Dictionary<string, Suppression> suppressed)
    {
        var exclusions = new List<ComplianceResult>();
        foreach (var recipient in message.EnvelopeRecipients)
        {
            var normalized = Normalize(recipient.Address);
            var contact = normalized is null ? null : known.GetValueOrDefault(normalized);
            var suppression = normalized is null ? null : suppressed.GetValueOrDefault(normalized);
            if (RecipientRules.ExclusionReason(contact, message.ChannelId, suppression) is { } reason)
            {
                exclusions.Add(new ComplianceResult(recipient.Address, reason));
            }
        }

        return exclusions;
    }
}
