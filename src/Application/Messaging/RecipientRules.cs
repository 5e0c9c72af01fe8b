using Modular.Domain.Contacts;
using Modular.Domain.Deliverability;

namespace Modular.Application.Messaging;

/// <summary>Who may be sent to on a channel: the one rule used when a send is accepted and again when it is sent.</summary>
public static class RecipientRules
{
    /// <summary>
    /// Why the address may not be sent to on the channel, or null when it may: suppressed by the
    /// organization (<c>suppressed:hard_bounce</c>, <c>suppressed:complaint</c>, ...) first, then the
    /// contact's opt-out of the channel (<c>opted_out</c>).
    /// </summary>
    public static string? ExclusionReason(Contact? contact, long channelId, Suppression? suppression = null) =>
        suppression is not null ? suppression.ComplianceReason
        : contact?.IsOptedOut(channelId) == true ? Domain.Messaging.ComplianceResult.OptedOut
        : null;
}
