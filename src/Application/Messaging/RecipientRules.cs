using Modular.Domain.Contacts;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging;

/// <summary>Who may be sent to on a channel: the one rule used when a send is accepted and again when it is sent.</summary>
public static class RecipientRules
{
    /// <summary>Why the contact may not be sent to on the channel (for example <c>opted_out</c>), or null when they may.</summary>
    public static string? ExclusionReason(Contact? contact, long channelId) =>
        contact?.IsOptedOut(channelId) == true ? ComplianceResult.OptedOut : null;
}
