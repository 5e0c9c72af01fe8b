using Modular.Application.Channels.CreateDkimKey;
using Modular.Application.Deliverability.AddSuppression;
using Modular.Application.Deliverability.ListSuppressions;
using Modular.Application.Deliverability.RemoveSuppression;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Deliverability;

public sealed class DeliverabilityValidatorTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("s1")]
    [InlineData("modular-2026")]
    [InlineData("A1")]
    public void A_selector_that_is_one_dns_label_or_none_is_valid(string? selector) =>
        ValidationAssert.Valid(new CreateDkimKeyValidator().Validate(new CreateDkimKeyCommand(1, selector)));

    [Theory]
    [InlineData("")]
    [InlineData("two.labels")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("has space")]
    [InlineData("ümlaut")]
    public void A_selector_that_is_not_one_dns_label_fails(string selector) =>
        ValidationAssert.FailsOnlyOn(new CreateDkimKeyValidator().Validate(new CreateDkimKeyCommand(1, selector)), "Selector");

    [Fact]
    public void A_selector_longer_than_a_dns_label_fails() =>
        ValidationAssert.FailsOnlyOn(new CreateDkimKeyValidator().Validate(new CreateDkimKeyCommand(1, new string('a', 64))), "Selector");

    [Theory]
    [InlineData("ann@example.com", null)]
    [InlineData("ann@example.com", "manual")]
    [InlineData("ann@example.com", "MANUAL")]
    public void A_manual_suppression_of_an_address_is_valid(string email, string? reason) =>
        ValidationAssert.Valid(new AddSuppressionValidator().Validate(new AddSuppressionCommand(email, reason)));

    [Theory]
    [InlineData("complaint")]
    [InlineData("hard_bounce")]
    [InlineData("other")]
    public void Only_manual_suppressions_can_be_added(string reason) =>
        ValidationAssert.FailsOnlyOn(new AddSuppressionValidator().Validate(new AddSuppressionCommand("ann@example.com", reason)), "Reason");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("invalid@something")]
    [InlineData("no-at-sign")]
    public void A_suppression_needs_an_address(string? email)
    {
        ValidationAssert.FailsOnlyOn(new AddSuppressionValidator().Validate(new AddSuppressionCommand(email, "manual")), "Email");
        ValidationAssert.FailsOnlyOn(new RemoveSuppressionValidator().Validate(new RemoveSuppressionCommand(email)), "Email");
    }

    [Fact]
    public void Removing_a_suppression_of_an_address_is_valid() =>
        ValidationAssert.Valid(new RemoveSuppressionValidator().Validate(new RemoveSuppressionCommand("Ann@Example.com")));

    [Theory]
    [InlineData(null, null, null, null)]
    [InlineData("ann@example.com", "hard_bounce", 10, 0)]
    [InlineData(null, "soft_bounce", 500, 20)]
    [InlineData(null, "complaint", 1, null)]
    [InlineData(null, "manual", null, null)]
    public void A_page_of_suppressions_is_valid(string? email, string? reason, int? limit, int? offset) =>
        ValidationAssert.Valid(new ListSuppressionsValidator().Validate(new ListSuppressionsQuery(email, reason, limit, offset)));

    [Fact]
    public void An_unknown_reason_or_a_bad_page_fails()
    {
        var validator = new ListSuppressionsValidator();
        ValidationAssert.FailsOnlyOn(validator.Validate(new ListSuppressionsQuery(null, "bounced", null, null)), "Reason");
        ValidationAssert.FailsOn(validator.Validate(new ListSuppressionsQuery(null, null, 501, null)), "limit");
        ValidationAssert.FailsOn(validator.Validate(new ListSuppressionsQuery(null, null, null, -1)), "offset");
        ValidationAssert.FailsOnlyOn(validator.Validate(new ListSuppressionsQuery("a\u0000b", null, null, null)), "Email");
    }
}
