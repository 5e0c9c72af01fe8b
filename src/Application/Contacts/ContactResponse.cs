using Modular.Domain.Contacts;

namespace Modular.Application.Contacts;

public sealed record ContactResponse(
    long Id, string Email, string? Name, IReadOnlyList<ConsentResponse> Consents, IReadOnlyList<ConsentChangeResponse> ConsentHistory, DateTimeOffset CreatedAt)
{
    public static ContactResponse From(Contact contact) => new(
        contact.Id,
        contact.Email,
        contact.Name,
        [.. contact.Consents.OrderBy(c => c.ChannelId).Select(c => new ConsentResponse(c.ChannelId, Format(c.State), Format(c.Source), c.UpdatedAt))],
        [.. contact.ConsentHistory.Select(c => new ConsentChangeResponse(c.ChannelId, Format(c.State), Format(c.Source), c.MessageId, c.At))],
        contact.CreatedAt);

    /// <summary><c>api</c>, <c>send_opt_in</c>, <c>unsubscribe_link</c>, <c>unsubscribe_email</c> or <c>complaint</c>.</summary>
    public static string Format(ConsentSource source) => source switch
    {
        ConsentSource.SendOptIn => "send_opt_in",
        ConsentSource.UnsubscribeLink => "unsubscribe_link",
        ConsentSource.UnsubscribeEmail => "unsubscribe_email",
        ConsentSource.Complaint => "complaint",
        _ => "api",
    };

    public static string Format(ConsentState state) => state == ConsentState.OptedIn ? "opted_in" : "opted_out";
}

public sealed record ConsentResponse(long ChannelId, string State, string Source, DateTimeOffset UpdatedAt);

/// <summary>One change in a contact's consent history: the channel, the new state, its source, the message it came with (an unsubscribe, a complaint), when.</summary>
public sealed record ConsentChangeResponse(long ChannelId, string State, string Source, long? MessageId, DateTimeOffset At);

/// <summary>A channel reference as the API takes it: <c>{ "id": 5 }</c>.</summary>
public sealed record ChannelRef(long Id);
