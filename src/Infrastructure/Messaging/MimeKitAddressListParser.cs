using MimeKit;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Common;

namespace Modular.Infrastructure.Messaging;

/// <summary>RFC 5322 address lists parsed by MimeKit's <see cref="InternetAddressList"/>, each address then held to the service's own rules.</summary>
public sealed class MimeKitAddressListParser : IAddressListParser
{
    private static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
    };

    public Result<IReadOnlyList<Mailbox>> Parse(string? list, string field)
    {
        if (HeaderText.HasLineBreak(list))
        {
            return Error.Validation(field, "An address cannot contain a line break.");
        }

        if (string.IsNullOrWhiteSpace(list))
        {
            return Error.Validation(field, "An email address is required.");
        }

        if (!InternetAddressList.TryParse(Strict, list, out var parsed))
        {
            return Error.Validation(field, $"'{list.Trim()}' is not a list of addresses such as Ann <ann@example.com>, \"Doe, Jane\" <jane@example.com>.");
        }

        var mailboxes = new List<Mailbox>(parsed.Count);
        foreach (var address in parsed)
        {
            if (address is not MailboxAddress mailbox)
            {
                return Error.Validation(field, $"'{address}' is a group; give its addresses one by one.");
            }

            var email = EmailAddress.Parse(mailbox.Address, field);
            if (email.IsFailure)
            {
                return email.Error!;
            }

            mailboxes.Add(new Mailbox(email.Value, string.IsNullOrWhiteSpace(mailbox.Name) ? null : mailbox.Name.Trim()));
        }

        return mailboxes.Count > 0 ? mailboxes : Error.Validation(field, "An email address is required.");
    }
}
