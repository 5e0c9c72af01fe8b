using Modular.Application.Common.Persistence;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Delivery;

/// <summary>
/// Step 2 of delivery: consent is checked again at send time, because a contact may have opted out after
/// the send was accepted (a scheduled send, a retry). Each recipient who may no longer be sent to is left
/// out of the envelope and the headers and listed in the message's compliance results; a message with
/// no To recipient left ends <c>blocked</c>. The rule is the one the send use cases apply when accepting
/// (<see cref="RecipientRules"/>); the suppression list will hook in here too.
/// </summary>
public sealed class SendTimeScreening(IRepository<Contact> contacts)
{
    /// <summary>Screens the claimed messages; returns, per message id, who was left out (empty when nobody).</summary>
    public async Task<IReadOnlyDictionary<long, IReadOnlyList<ComplianceResult>>> ScreenAsync(IReadOnlyList<Message> claimed, DateTimeOffset now)
    {
        var addresses = claimed.SelectMany(m => m.EnvelopeRecipients).Select(r => Normalize(r.Address)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var known = addresses.Count == 0
            ? []
            : (await contacts.ListAsync(new ContactsByEmailsSpec(addresses), CancellationToken.None)).ToDictionary(c => c.NormalizedEmail, StringComparer.Ordinal);

        var excluded = new Dictionary<long, IReadOnlyList<ComplianceResult>>();
        foreach (var message in claimed)
        {
            var exclusions = ExclusionsOf(message, known);
            if (exclusions.Count > 0)
            {
                Apply(message, exclusions, now);
                excluded[message.Id] = exclusions;
            }
        }

        return excluded;
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

    private static List<ComplianceResult> ExclusionsOf(Message message, Dictionary<string, Contact> known)
    {
        var exclusions = new List<ComplianceResult>();
        foreach (var recipient in message.EnvelopeRecipients)
        {
            var contact = Normalize(recipient.Address) is { } normalized ? known.GetValueOrDefault(normalized) : null;
            if (RecipientRules.ExclusionReason(contact, message.ChannelId) is { } reason)
            {
                exclusions.Add(new ComplianceResult(recipient.Address, reason));
            }
        }

        return exclusions;
    }

    private static string? Normalize(string address) => EmailAddress.TryParse(address, out var parsed, out _) ? parsed.Normalized : null;
}
