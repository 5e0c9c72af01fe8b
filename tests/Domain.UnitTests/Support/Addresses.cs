using Modular.Domain.Common;

namespace Modular.Domain.UnitTests.Support;

/// <summary>Parses addresses known to be valid.</summary>
internal static class Addresses
{
    public static EmailAddress Email(string value) => EmailAddress.Parse(value, "email").Value;

    public static Mailbox MailboxOf(string value) => Mailbox.Parse(value, "from").Value;
}
