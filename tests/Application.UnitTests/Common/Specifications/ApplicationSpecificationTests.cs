using Modular.Application.Channels;
using Modular.Application.Channels.ListChannels;
using Modular.Application.Contacts.CreateContact;
using Modular.Application.Contacts.ListContacts;
using Modular.Application.Inboxes.ListInboxes;
using Modular.Application.UnitTests.Support;
using Modular.Application.Users;
using Modular.Application.Users.CreateUser;
using Modular.Application.Users.ListUsers;
using Modular.Domain.Channels;
using Modular.Domain.Contacts;
using Modular.Domain.Inboxes;
using Modular.Domain.Organizations;

namespace Modular.Application.UnitTests.Common.Specifications;

/// <summary>The use cases' own specifications, run over in-memory lists.</summary>
public sealed class ApplicationSpecificationTests
{
    // Stored out of id order, so ordering is not an accident of the list.
    private static readonly List<Contact> Contacts =
    [
        Aggregates.Contact(4, "dee@example.com"),
        Aggregates.Contact(1, "Ann.Lee@Example.com"),
        Aggregates.Contact(3, "cid@example.com"),
        Aggregates.Contact(2, "bob@example.com"),
        Aggregates.Contact(5, "eve@example.com"),
    ];

    [Fact]
    public void Contacts_page_lists_every_contact_by_id_without_tracking()
    {
        var spec = new ContactsPageSpec(email: null);

        Assert.Equal([1L, 2, 3, 4, 5], Ids(spec.Evaluate(Contacts)));
        Assert.True(spec.AsNoTracking);
        // The one criterion: not erased.
        Assert.Single(spec.WhereExpressions);
    }

    [Theory]
    [InlineData(0, 2, new long[] { 1, 2 })]
    [InlineData(2, 2, new long[] { 3, 4 })]
    [InlineData(4, 2, new long[] { 5 })]
    [InlineData(5, 2, new long[0])]
    [InlineData(0, 500, new long[] { 1, 2, 3, 4, 5 })]
    public void Contacts_page_takes_the_page_after_ordering(int skip, int take, long[] expected)
    {
        var spec = new ContactsPageSpec(email: null, skip, take);

        Assert.Equal(expected, Ids(spec.Evaluate(Contacts)));
        Assert.Equal(skip, spec.Skip);
        Assert.Equal(take, spec.Take);
    }

    [Fact]
    public void Contacts_page_without_take_is_not_paged_as_the_total_count_needs()
    {
        var spec = new ContactsPageSpec(email: null, skip: 2);

        Assert.Equal(-1, spec.Skip); // Ardalis.Specification: -1 = not set
        Assert.Equal(-1, spec.Take); // Ardalis.Specification: -1 = not set
        Assert.Equal(5, spec.Evaluate(Contacts).Count());
    }

    [Theory]
    [InlineData("ann.lee@example.com")]
    [InlineData("ANN.LEE@EXAMPLE.COM")]
    [InlineData("  Ann.Lee@Example.com  ")]
    public void Contacts_page_filters_by_email_in_any_case(string email)
    {
        var spec = new ContactsPageSpec(email, 0, 50);

        var contact = Assert.Single(spec.Evaluate(Contacts));
        Assert.Equal(1, contact.Id);
    }

    [Fact]
    public void Contacts_page_filter_combines_with_paging()
    {
        Assert.Empty(new ContactsPageSpec("bob@example.com", skip: 1, take: 10).Evaluate(Contacts));
        Assert.Empty(new ContactsPageSpec("nobody@example.com", 0, 50).Evaluate(Contacts));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Contacts_page_ignores_a_blank_email(string email) =>
        Assert.Equal(5, new ContactsPageSpec(email).Evaluate(Contacts).Count());

    [Fact]
    public void Contact_by_email_matches_the_normalized_address_only()
    {
        Assert.Equal(1, Assert.Single(new ContactByEmailSpec("ann.lee@example.com").Evaluate(Contacts)).Id);
        Assert.Empty(new ContactByEmailSpec("Ann.Lee@Example.com").Evaluate(Contacts));
    }

    [Fact]
    public void Channel_by_email_matches_the_normalized_address()
    {
        List<Channel> channels = [Aggregates.Channel(1, "Sales@Example.com"), Aggregates.Channel(2, "support@example.com")];

        Assert.Equal(1, Assert.Single(new ChannelByEmailSpec("sales@example.com").Evaluate(channels)).Id);
        Assert.Empty(new ChannelByEmailSpec("other@example.com").Evaluate(channels));
    }

    [Fact]
    public void User_by_email_matches_in_any_case()
    {
        List<User> users = [Aggregates.User(1, "ann@example.com"), Aggregates.User(2, "Bob@Example.com")];

        Assert.Equal(2, Assert.Single(new UserByEmailSpec(Aggregates.Email("BOB@example.COM")).Evaluate(users)).Id);
    }

    [Fact]
    public void Channels_page_orders_by_id_and_pages_without_tracking()
    {
        List<Channel> channels = [Aggregates.Channel(3, "c@example.com"), Aggregates.Channel(1, "a@example.com"), Aggregates.Channel(2, "b@example.com")];

        Assert.Equal([1L, 2, 3], new ChannelsPageSpec().Evaluate(channels).Select(c => c.Id));
        Assert.Equal([2L], new ChannelsPageSpec(1, 1).Evaluate(channels).Select(c => c.Id));
        Assert.True(new ChannelsPageSpec().AsNoTracking);
    }

    [Fact]
    public void Inboxes_page_orders_by_id_and_pages_without_tracking()
    {
        List<Inbox> inboxes = [Aggregates.Inbox(2, 1), Aggregates.Inbox(3, 1), Aggregates.Inbox(1, 1)];

        Assert.Equal([1L, 2, 3], new InboxesPageSpec().Evaluate(inboxes).Select(i => i.Id));
        Assert.Equal([2L, 3], new InboxesPageSpec(1, 5).Evaluate(inboxes).Select(i => i.Id));
        Assert.True(new InboxesPageSpec().AsNoTracking);
    }

    [Fact]
    public void Users_page_orders_by_id_and_pages_without_tracking()
    {
        List<User> users = [Aggregates.User(2, "b@example.com"), Aggregates.User(1, "a@example.com"), Aggregates.User(3, "c@example.com")];

        Assert.Equal([1L, 2, 3], new UsersPageSpec().Evaluate(users).Select(u => u.Id));
        Assert.Equal([1L, 2], new UsersPageSpec(0, 2).Evaluate(users).Select(u => u.Id));
        Assert.True(new UsersPageSpec().AsNoTracking);
    }

    private static List<long> Ids(IEnumerable<Contact> contacts) => [.. contacts.Select(c => c.Id)];
}
