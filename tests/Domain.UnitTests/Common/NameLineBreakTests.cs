using Modular.Domain.Channels;
using Modular.Domain.Contacts;
using Modular.Domain.Inboxes;
using Modular.Domain.Organizations;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Common;

/// <summary>A name ends up in headers and in the dashboard: no aggregate takes one with a line break.</summary>
public sealed class NameLineBreakTests
{
    public static TheoryData<string> Names => ["Ann\r\nBcc: x@example.com", "Ann\n", "\rAnn", "Ann\r"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Organization_name_with_a_line_break_is_refused(string name) =>
        ResultAssert.ValidationError(Organization.Create(name, Clock.Now), "name");

    [Theory]
    [MemberData(nameof(Names))]
    public void User_name_with_a_line_break_is_refused(string name) =>
        ResultAssert.ValidationError(User.Create(1, name, Addresses.Email("ann@example.com"), Clock.Now), "name");

    [Theory]
    [MemberData(nameof(Names))]
    public void Channel_name_with_a_line_break_is_refused_at_creation_and_rename(string name)
    {
        ResultAssert.ValidationError(Channel.Create(1, name, Addresses.Email("support@example.com"), null, null, Clock.Now), "name");
        var channel = ResultAssert.Success(Channel.Create(1, "Support", Addresses.Email("support@example.com"), null, null, Clock.Now));
        ResultAssert.ValidationError(channel.Rename(name, Clock.Now), "name");
        ResultAssert.ValidationError(channel.ChangeSenderName(name, Clock.Now), "sender_name");
        Assert.Equal("Support", channel.Name);
        Assert.Null(channel.SenderName);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Inbox_name_with_a_line_break_is_refused(string name) =>
        ResultAssert.ValidationError(Inbox.Create(1, name, 2, Clock.Now), "name");

    [Theory]
    [MemberData(nameof(Names))]
    public void Contact_name_with_a_line_break_is_refused(string name) =>
        ResultAssert.ValidationError(Contact.Create(1, Addresses.Email("ann@example.com"), name, Clock.Now), "name");
}
