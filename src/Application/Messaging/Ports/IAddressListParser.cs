using Modular.Domain.Common;

namespace Modular.Application.Messaging.Ports;

/// <summary>
/// Reads an RFC 5322 address list (<c>"Doe, Jane" &lt;jane@example.com&gt;, bob@example.com</c>): commas
/// inside quoted names or comments do not split it. Each address must also be one this service sends
/// to (see <see cref="EmailAddress"/>).
/// </summary>
public interface IAddressListParser
{
    /// <summary>The mailboxes of <paramref name="list"/>, in order; or a validation error on <paramref name="field"/> saying why not.</summary>
    Result<IReadOnlyList<Mailbox>> Parse(string? list, string field);
}
