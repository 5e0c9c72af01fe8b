using FluentValidation.Results;
using Modular.Application.Channels.ListChannels;
using Modular.Application.Contacts.ListContacts;
using Modular.Application.Inboxes.ListInboxes;
using Modular.Application.UnitTests.Support;
using Modular.Application.Users.ListUsers;
using Modular.Application.Webhooks.ListWebhookDeliveries;
using Modular.Application.Webhooks.ListWebhooks;

namespace Modular.Application.UnitTests.Common.Validation;

/// <summary>Every list takes <c>limit</c> 1..500 (default 50) and <c>offset</c> ≥ 0 (default 0).</summary>
public sealed class ListValidatorTests
{
    public static TheoryData<string> Lists => ["channels", "contacts", "inboxes", "users", "webhooks", "webhook deliveries"];

    [Theory]
    [MemberData(nameof(Lists))]
    public void Defaults_are_valid(string list) => ValidationAssert.Valid(Validate(list, null, null));

    [Theory]
    [MemberData(nameof(Lists))]
    public void The_limit_is_between_1_and_500(string list)
    {
        ValidationAssert.Valid(Validate(list, 1, 0));
        ValidationAssert.Valid(Validate(list, 500, 0));
        ValidationAssert.FailsOnlyOn(Validate(list, 0, 0), "limit");
        ValidationAssert.FailsOnlyOn(Validate(list, 501, 0), "limit");
        ValidationAssert.FailsOnlyOn(Validate(list, -1, null), "limit");
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public void The_offset_is_not_negative(string list)
    {
        ValidationAssert.Valid(Validate(list, null, 0));
        ValidationAssert.Valid(Validate(list, null, int.MaxValue));
        ValidationAssert.FailsOnlyOn(Validate(list, null, -1), "offset");
        ValidationAssert.FailsOnlyOn(Validate(list, 50, int.MinValue), "offset");
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public void Both_are_reported_with_the_names_clients_use(string list)
    {
        var result = Validate(list, 1000, -5);

        Assert.Equal(["limit", "offset"], result.Errors.Select(e => e.PropertyName).Order(StringComparer.Ordinal));
        Assert.Equal("The limit must be between 1 and 500.", ValidationAssert.FailsOn(result, "limit")[0].ErrorMessage);
        Assert.Equal("The offset cannot be negative.", ValidationAssert.FailsOn(result, "offset")[0].ErrorMessage);
    }

    [Fact]
    public void The_contacts_email_filter_has_at_most_254_characters()
    {
        var validator = new ListContactsValidator();
        var longest = new string('a', 242) + "@example.com";

        ValidationAssert.Valid(validator.Validate(new ListContactsQuery(longest, null, null)));
        ValidationAssert.FailsOnlyOn(validator.Validate(new ListContactsQuery("a" + longest, null, null)), "Email");
    }

    private static ValidationResult Validate(string list, int? limit, int? offset) => list switch
    {
        "channels" => new ListChannelsValidator().Validate(new ListChannelsQuery(limit, offset)),
        "contacts" => new ListContactsValidator().Validate(new ListContactsQuery(null, limit, offset)),
        "inboxes" => new ListInboxesValidator().Validate(new ListInboxesQuery(limit, offset)),
        "users" => new ListUsersValidator().Validate(new ListUsersQuery(limit, offset)),
        "webhooks" => new ListWebhooksValidator().Validate(new ListWebhooksQuery(limit, offset)),
        "webhook deliveries" => new ListWebhookDeliveriesValidator().Validate(new ListWebhookDeliveriesQuery(1, limit, offset)),
        _ => throw new ArgumentOutOfRangeException(nameof(list), list, "Unknown list."),
    };
}
