using Modular.Domain.Contacts;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Contacts;

public sealed class ContactTests
{
    private const long ChannelId = 9;
    private const long OtherChannelId = 10;

    [Fact]
    public void Contact_keeps_the_address_as_given_and_its_normalized_form()
    {
        var contact = ResultAssert.Success(Contact.Create(3, Addresses.Email("Ann.Lee@Example.com"), "  Ann Lee ", Clock.Now));

        Assert.Equal(3, contact.OrganizationId);
        Assert.Equal("Ann.Lee@Example.com", contact.Email);
        Assert.Equal("ann.lee@example.com", contact.NormalizedEmail);
        Assert.Equal("Ann Lee", contact.Name);
        Assert.Equal(Clock.Now, contact.CreatedAt);
        Assert.Empty(contact.Consents);
        Assert.Empty(contact.DomainEvents);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Contact_name_is_optional(string? name)
    {
        var contact = ResultAssert.Success(Contact.Create(3, Addresses.Email("ann@example.com"), name, Clock.Now));

        Assert.Null(contact.Name);
    }

    [Theory]
    [InlineData("Ann\r\nBcc: victim@example.com")]
    [InlineData("Ann\nLee")]
    [InlineData("Ann\rLee")]
    public void Contact_name_with_a_line_break_is_refused(string name)
    {
        ResultAssert.ValidationError(Contact.Create(3, Addresses.Email("ann@example.com"), name, Clock.Now), "name");
    }

    [Fact]
    public void Contact_name_of_the_maximum_length_is_accepted()
    {
        var name = new string('a', Contact.NameMaxLength);

        var contact = ResultAssert.Success(Contact.Create(3, Addresses.Email("ann@example.com"), name, Clock.Now));

        Assert.Equal(name, contact.Name);
    }

    [Fact]
    public void Contact_name_over_the_maximum_length_is_refused()
    {
        var name = new string('a', Contact.NameMaxLength + 1);

        ResultAssert.ValidationError(Contact.Create(3, Addresses.Email("ann@example.com"), name, Clock.Now), "name");
    }

    [Fact]
    public void Contact_name_length_is_measured_after_trimming()
    {
        var name = "  " + new string('a', Contact.NameMaxLength) + "  ";

        var contact = ResultAssert.Success(Contact.Create(3, Addresses.Email("ann@example.com"), name, Clock.Now));

        Assert.Equal(Contact.NameMaxLength, contact.Name!.Length);
    }

    [Fact]
    public void New_contact_has_no_consent_for_any_channel()
    {
        var contact = NewContact();

        Assert.Null(contact.ConsentFor(ChannelId));
        Assert.False(contact.IsOptedOut(ChannelId));
    }

    [Fact]
    public void Opted_in_contact_is_not_opted_out()
    {
        var contact = NewContact();

        contact.OptIn(ChannelId, Clock.Later(1));

        Assert.Equal(ConsentState.OptedIn, contact.ConsentFor(ChannelId));
        Assert.False(contact.IsOptedOut(ChannelId));
        var consent = Assert.Single(contact.Consents);
        Assert.Equal(ChannelId, consent.ChannelId);
        Assert.Equal(ConsentState.OptedIn, consent.State);
        Assert.Equal(Clock.Later(1), consent.UpdatedAt);
        Assert.Equal(new ContactOptedIn(contact, ChannelId, ConsentSource.Api, Clock.Later(1)), Assert.Single(contact.DomainEvents));
    }

    [Fact]
    public void Opted_out_contact_is_opted_out_and_raises_an_event()
    {
        var contact = NewContact();

        contact.OptOut(ChannelId, Clock.Later(1));

        Assert.Equal(ConsentState.OptedOut, contact.ConsentFor(ChannelId));
        Assert.True(contact.IsOptedOut(ChannelId));
        var consent = Assert.Single(contact.Consents);
        Assert.Equal(Clock.Later(1), consent.UpdatedAt);
        var raised = Assert.IsType<ContactOptedOut>(Assert.Single(contact.DomainEvents));
        Assert.Equal(new ContactOptedOut(contact, ChannelId, ConsentSource.Api, Clock.Later(1)), raised);
    }

    [Fact]
    public void Consent_is_kept_per_channel()
    {
        var contact = NewContact();

        contact.OptOut(ChannelId, Clock.Later(1));
        contact.OptIn(OtherChannelId, Clock.Later(2));

        Assert.True(contact.IsOptedOut(ChannelId));
        Assert.False(contact.IsOptedOut(OtherChannelId));
        Assert.Equal(ConsentState.OptedIn, contact.ConsentFor(OtherChannelId));
        Assert.Null(contact.ConsentFor(99));
        Assert.Equal(2, contact.Consents.Count);
    }

    [Fact]
    public void Repeated_opt_out_raises_no_second_event_and_keeps_the_first_time()
    {
        var contact = NewContact();
        contact.OptOut(ChannelId, Clock.Later(1));

        contact.OptOut(ChannelId, Clock.Later(2));

        Assert.True(contact.IsOptedOut(ChannelId));
        Assert.Single(contact.DomainEvents);
        Assert.Equal(Clock.Later(1), Assert.Single(contact.Consents).UpdatedAt);
    }

    [Fact]
    public void Repeated_opt_out_after_events_were_cleared_raises_nothing()
    {
        var contact = NewContact();
        contact.OptOut(ChannelId, Clock.Later(1));
        contact.ClearDomainEvents();

        contact.OptOut(ChannelId, Clock.Later(2));

        Assert.Empty(contact.DomainEvents);
    }

    [Fact]
    public void Repeated_opt_in_keeps_the_first_time()
    {
        var contact = NewContact();
        contact.OptIn(ChannelId, Clock.Later(1));

        contact.OptIn(ChannelId, Clock.Later(2));

        var consent = Assert.Single(contact.Consents);
        Assert.Equal(ConsentState.OptedIn, consent.State);
        Assert.Equal(Clock.Later(1), consent.UpdatedAt);
        Assert.Equal(new ContactOptedIn(contact, ChannelId, ConsentSource.Api, Clock.Later(1)), Assert.Single(contact.DomainEvents));
    }

    [Fact]
    public void Opting_in_again_lifts_an_opt_out()
    {
        var contact = NewContact();
        contact.OptOut(ChannelId, Clock.Later(1));
        contact.ClearDomainEvents();

        contact.OptIn(ChannelId, Clock.Later(2));

        Assert.False(contact.IsOptedOut(ChannelId));
        var consent = Assert.Single(contact.Consents);
        Assert.Equal(ConsentState.OptedIn, consent.State);
        Assert.Equal(Clock.Later(2), consent.UpdatedAt);
        Assert.Equal(new ContactOptedIn(contact, ChannelId, ConsentSource.Api, Clock.Later(2)), Assert.Single(contact.DomainEvents));
    }

    [Fact]
    public void Opting_out_after_opting_in_raises_an_event()
    {
        var contact = NewContact();
        contact.OptIn(ChannelId, Clock.Later(1));

        contact.OptOut(ChannelId, Clock.Later(2));

        Assert.True(contact.IsOptedOut(ChannelId));
        Assert.Equal(Clock.Later(2), Assert.Single(contact.Consents).UpdatedAt);
        Assert.Equal([typeof(ContactOptedIn), typeof(ContactOptedOut)], contact.DomainEvents.Select(e => e.GetType()));
    }

    [Fact]
    public void Opting_out_again_after_opting_back_in_raises_a_new_event()
    {
        var contact = NewContact();
        contact.OptOut(ChannelId, Clock.Later(1));
        contact.OptIn(ChannelId, Clock.Later(2));

        contact.OptOut(ChannelId, Clock.Later(3));

        Assert.Equal(
            [new ContactOptedOut(contact, ChannelId, ConsentSource.Api, Clock.Later(1)), new ContactOptedIn(contact, ChannelId, ConsentSource.Api, Clock.Later(2)), new ContactOptedOut(contact, ChannelId, ConsentSource.Api, Clock.Later(3))],
            contact.DomainEvents.Cast<ContactConsentChanged>());
    }

    [Fact]
    public void Opting_out_of_two_channels_raises_one_event_for_each()
    {
        var contact = NewContact();

        contact.OptOut(ChannelId, Clock.Later(1));
        contact.OptOut(OtherChannelId, Clock.Later(1));

        Assert.Equal(
            [new ContactOptedOut(contact, ChannelId, ConsentSource.Api, Clock.Later(1)), new ContactOptedOut(contact, OtherChannelId, ConsentSource.Api, Clock.Later(1))],
            contact.DomainEvents.Cast<ContactOptedOut>());
    }

    [Fact]
    public void Each_change_keeps_its_source_and_time_and_a_repeat_is_not_a_change()
    {
        var contact = NewContact();

        contact.OptIn(ChannelId, Clock.Later(1), ConsentSource.SendOptIn);
        contact.OptOut(ChannelId, Clock.Later(2), ConsentSource.UnsubscribeLink, messageId: 77);
        contact.OptOut(ChannelId, Clock.Later(3), ConsentSource.UnsubscribeEmail, messageId: 78);
        contact.OptOut(OtherChannelId, Clock.Later(4), ConsentSource.Complaint);

        Assert.Equal(
            [
                new ConsentChange(ChannelId, ConsentState.OptedIn, ConsentSource.SendOptIn, Clock.Later(1)),
                new ConsentChange(ChannelId, ConsentState.OptedOut, ConsentSource.UnsubscribeLink, Clock.Later(2), 77),
                new ConsentChange(OtherChannelId, ConsentState.OptedOut, ConsentSource.Complaint, Clock.Later(4)),
            ],
            contact.ConsentHistory);
        Assert.Equal(ConsentSource.UnsubscribeLink, contact.Consents.Single(c => c.ChannelId == ChannelId).Source);
    }

    [Fact]
    public void Unsubscribing_raises_an_unsubscription_with_the_message_besides_the_opt_out()
    {
        var contact = NewContact();

        contact.OptOut(ChannelId, Clock.Later(1), ConsentSource.UnsubscribeLink, messageId: 77);

        Assert.Equal(
            [new ContactOptedOut(contact, ChannelId, ConsentSource.UnsubscribeLink, Clock.Later(1)), new ContactUnsubscribed(contact, ChannelId, 77, ConsentSource.UnsubscribeLink, Clock.Later(1))],
            contact.DomainEvents);
    }

    private static Contact NewContact() =>
        Contact.Create(3, Addresses.Email("ann@example.com"), "Ann", Clock.Now).Value;
}
