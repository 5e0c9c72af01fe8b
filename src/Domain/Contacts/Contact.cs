using Modular.Domain.Common;

namespace Modular.Domain.Contacts;

public enum ConsentState
{
    OptedIn,
    OptedOut,
}

/// <summary>What made a consent change.</summary>
public enum ConsentSource
{
    /// <summary><c>POST /v1/contacts</c> or <c>/opt_in</c>, <c>/opt_out</c>.</summary>
    Api,

    /// <summary><c>opt_in_to</c> of a send that created the contact.</summary>
    SendOptIn,

    /// <summary>The one-click unsubscribe link (<c>POST /u/{token}</c>).</summary>
    UnsubscribeLink,

    /// <summary>An email to the <c>mailto:</c> address of <c>List-Unsubscribe</c>.</summary>
    UnsubscribeEmail,

    /// <summary>A complaint (an RFC 5965 feedback report) about a message of the channel.</summary>
    Complaint,
}

/// <summary>A contact's consent for one channel.</summary>
public sealed class ChannelConsent
{
    private ChannelConsent()
    {
    }

    internal ChannelConsent(long channelId, ConsentState state, ConsentSource source, DateTimeOffset at)
    {
        ChannelId = channelId;
        State = state;
        Source = source;
        UpdatedAt = at;
    }

    public long ChannelId { get; private set; }

    public ConsentState State { get; private set; }

    /// <summary>What made the latest change.</summary>
    public ConsentSource Source { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    internal void Set(ConsentState state, ConsentSource source, DateTimeOffset at)
    {
        State = state;
        Source = source;
        UpdatedAt = at;
    }
}

/// <summary>One change of a contact's consent for a channel: to what, why, when (and after which message, when one was named).</summary>
public sealed record ConsentChange(long ChannelId, ConsentState State, ConsentSource Source, DateTimeOffset At, long? MessageId = null);

/// <summary>
/// A contact's consent for a channel changed. It carries the contact, so whoever records it reads the
/// contact as it is saved (a new contact gets its id when it is added).
/// </summary>
public abstract record ContactConsentChanged(Contact Contact, long ChannelId, ConsentSource Source, DateTimeOffset At) : IDomainEvent;

public sealed record ContactOptedIn(Contact Contact, long ChannelId, ConsentSource Source, DateTimeOffset At)
    : ContactConsentChanged(Contact, ChannelId, Source, At);

public sealed record ContactOptedOut(Contact Contact, long ChannelId, ConsentSource Source, DateTimeOffset At)
    : ContactConsentChanged(Contact, ChannelId, Source, At);

/// <summary>The contact unsubscribed from the channel through a message's link or mailto address (also raised with <see cref="ContactOptedOut"/>).</summary>
public sealed record ContactUnsubscribed(Contact Contact, long ChannelId, long? MessageId, ConsentSource Source, DateTimeOffset At) : IDomainEvent;

/// <summary>A contact's personal data was erased (GDPR): what is left is a placeholder with its id.</summary>
public sealed record ContactErased(long ContactId, DateTimeOffset At) : IDomainEvent;

/// <summary>A person outside the organization, known by email address, with a consent state per channel.</summary>
public sealed class Contact : AggregateRoot, ITenantOwned
{
    public const int NameMaxLength = 200;

    private readonly List<ChannelConsent> _consents = [];
    private readonly List<ConsentChange> _consentHistory = [];

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

    /// <summary>When the contact's personal data was erased; null while it is not.</summary>
    public DateTimeOffset? ErasedAt { get; private set; }

    public bool IsErased => ErasedAt is not null;

    /// <summary>Every change of consent, oldest first; a change to the state a channel already had is not one.</summary>
    public IReadOnlyList<ConsentChange> ConsentHistory => _consentHistory;

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

    /// <summary>
    /// The address an erased contact keeps in place of its own: unique, never deliverable (the
    /// <c>.invalid</c> top-level domain is reserved for that, RFC 2606), and free for a new contact.
    /// </summary>
    public static string ErasedAddress(long contactId) => $"erased-{contactId}@erased.invalid";

    /// <summary>
    /// Erases the contact's personal data: its address becomes <see cref="ErasedAddress"/>, its name,
    /// consents and consent history go. The row stays, so conversations still count it. Erasing twice is a conflict.
    /// </summary>
    public Result Erase(DateTimeOffset now)
    {
        if (ErasedAt is not null)
        {
            return Error.Conflict("contact.erased", $"Contact {Id} is already erased.");
        }

        Email = ErasedAddress(Id);
        NormalizedEmail = Email;
        Name = null;
        _consents.Clear();
        _consentHistory.Clear();
        ErasedAt = now;
        Raise(new ContactErased(Id, now));
        return Result.Success();
    }

    /// <summary>Changes the contact's name; null or blank removes it.</summary>
    public Result Rename(string? name)
    {
        if (HeaderText.HasLineBreak(name) || name?.Trim().Length > NameMaxLength)
        {
            return Error.Validation("name", $"A name has at most {NameMaxLength} characters and no line break.");
        }

        Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        return Result.Success();
    }

    public ConsentState? ConsentFor(long channelId) =>
        _consents.FirstOrDefault(c => c.ChannelId == channelId)?.State;

    public bool IsOptedOut(long channelId) => ConsentFor(channelId) == ConsentState.OptedOut;

    public void OptIn(long channelId, DateTimeOffset now, ConsentSource source = ConsentSource.Api)
    {
        if (SetConsent(channelId, ConsentState.OptedIn, source, now, null))
        {
            Raise(new ContactOptedIn(this, channelId, source, now));
        }
    }

    /// <summary>
    /// Opts the contact out of the channel. Through an unsubscribe link or email it is also an
    /// unsubscription from <paramref name="messageId"/>. Opting out again changes nothing and raises nothing.
    /// </summary>
    public void OptOut(long channelId, DateTimeOffset now, ConsentSource source = ConsentSource.Api, long? messageId = null)
    {
        if (!SetConsent(channelId, ConsentState.OptedOut, source, now, messageId))
        {
            return;
        }

        Raise(new ContactOptedOut(this, channelId, source, now));
        if (source is ConsentSource.UnsubscribeLink or ConsentSource.UnsubscribeEmail)
        {
            Raise(new ContactUnsubscribed(this, channelId, messageId, source, now));
        }
    }

    private bool SetConsent(long channelId, ConsentState state, ConsentSource source, DateTimeOffset now, long? messageId)
    {
        var existing = _consents.FirstOrDefault(c => c.ChannelId == channelId);
        if (existing is null)
        {
            _consents.Add(new ChannelConsent(channelId, state, source, now));
        }
        else if (existing.State == state)
        {
            return false;
        }
        else
        {
            existing.Set(state, source, now);
        }

        _consentHistory.Add(new ConsentChange(channelId, state, source, now, messageId));
        return true;
    }
}
