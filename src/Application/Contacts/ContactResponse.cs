using Modular.Domain.Contacts;

namespace Modular.Application.Contacts;

public sealed record ContactResponse(long Id, string Email, string? Name, IReadOnlyList<ConsentResponse> Consents, DateTimeOffset CreatedAt)
{
    public static ContactResponse From(Contact contact) => new(
        contact.Id,
        contact.Email,
        contact.Name,
        [.. contact.Consents.OrderBy(c => c.ChannelId).Select(c => new ConsentResponse(c.ChannelId, Format(c.State), c.UpdatedAt))],
        contact.CreatedAt);

    public static string Format(ConsentState state) => state == ConsentState.OptedIn ? "opted_in" : "opted_out";
}

public sealed record ConsentResponse(long ChannelId, string State, DateTimeOffset UpdatedAt);

/// <summary>A channel reference as the API takes it: <c>{ "id": 5 }</c>.</summary>
public sealed record ChannelRef(long Id);
