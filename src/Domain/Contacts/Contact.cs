using Modular.Domain.Common;

namespace Modular.Domain.Contacts;

public enum ConsentState
{
    OptedIn,
    OptedOut,
}

/// <summary>A contact's consent for one channel.</summary>
public sealed class ChannelConsent
{
    private ChannelConsent()
    {
    }

    internal ChannelConsent(long channelId, ConsentState state, DateTimeOffset at)
    {
        ChannelId = channelId;
        State = state;
        UpdatedAt = at;
    }

    public long ChannelId { get; private set; }

    public ConsentState State { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    internal void Set(ConsentState state, DateTimeOffset at)
    {
        State = state;
        UpdatedAt = at;
    }
}

/// <summary>
/// A contact's consent for a channel changed. It carries the contact, so whoever records it reads the
/// contact as it is saved (a new contact gets its id when it is added).
/// </summary>
public abstract record ContactConsentChanged(Contact Contact, long ChannelId, DateTimeOffset At) : IDomainEvent;

public sealed record ContactOptedIn(Contact Contact, long ChannelId, DateTimeOffset At) : ContactConsentChanged(Contact, ChannelId, At);

public sealed record ContactOptedOut(Contact Contact, long ChannelId, DateTimeOffset At) : ContactConsentChanged(Contact, ChannelId, At);

/// <summary>A person outside the organization, known by email address, with a consent state per channel.</summary>
public sealed class Contact : AggregateRoot, ITenantOwned
{
    public const int NameMaxLength = 200;

    private readonly List<ChannelConsent> _consents = [];

    private Contact()
    {
        Email = string.Empty;
        NormalizedEmail = string.Empty;
    }

    public long OrganizationId { get; private set; }

    public string Email { get; private set; }

    /// <summary>The address lower-cased; unique within the organization.</summary>
    public string NormalizedEmail { get; private set; }

    public string? Name { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public IReadOnlyList<ChannelConsent> Consents => _consents;

    public static Result<Contact> Create(long organizationId, EmailAddress email, string? name, DateTimeOffset now)
    {
        if (HeaderText.HasLineBreak(name) || name?.Trim().Length > NameMaxLength)
        {
            return Error.Validation("name", $"A name has at most {NameMaxLength} characters and no line break.");
        }

        return new Contact
        {
            OrganizationId = organizationId,
            Email = email.Value,
            NormalizedEmail = email.Normalized,
            Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim(),
            CreatedAt = now,
        };
    }

    public ConsentState? ConsentFor(long channelId) =>
        _consents.FirstOrDefault(c => c.ChannelId == channelId)?.State;

    public bool IsOptedOut(long channelId) => ConsentFor(channelId) == ConsentState.OptedOut;

    public void OptIn(long channelId, DateTimeOffset now)
    {
        if (SetConsent(channelId, ConsentState.OptedIn, now))
        {
            Raise(new ContactOptedIn(this, channelId, now));
        }
    }

    public void OptOut(long channelId, DateTimeOffset now)
    {
        if (SetConsent(channelId, ConsentState.OptedOut, now))
        {
            Raise(new ContactOptedOut(this, channelId, now));
        }
    }

    private bool SetConsent(long channelId, ConsentState state, DateTimeOffset now)
    {
        var existing = _consents.FirstOrDefault(c => c.ChannelId == channelId);
        if (existing is null)
        {
            _consents.Add(new ChannelConsent(channelId, state, now));
            return true;
        }

        if (existing.State == state)
        {
            return false;
        }

        existing.Set(state, now);
        return true;
    }
}
