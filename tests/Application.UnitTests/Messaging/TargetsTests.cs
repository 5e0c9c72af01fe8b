using Modular.Application.Messaging.SendInboxEmail;
using Modular.Infrastructure.Messaging;

namespace Modular.Application.UnitTests.Messaging;

public sealed class TargetsTests
{
    private static readonly MimeKitAddressListParser Parser = new();

    [Fact]
    public void A_quoted_display_name_with_a_comma_is_one_address()
    {
        var parsed = Targets.Parse(["to:\"Doe, Jane\" <jane@example.com>, bob@example.com", "cc:\"Lee, Cid (sales)\" <cid@example.com>"], Parser);

        Assert.Empty(parsed.Errors);
        Assert.Equal(["jane@example.com", "bob@example.com"], parsed.To.Select(m => m.Address.Value));
        Assert.Equal("Doe, Jane", parsed.To[0].Name);
        Assert.Equal("Lee, Cid (sales)", parsed.Cc[0].Name);
    }

    [Fact]
    public void An_unquoted_name_with_a_comma_before_an_angle_address_is_read_as_one_name_as_mail_clients_do()
    {
        var parsed = Targets.Parse(["to:Doe, Jane <jane@example.com>"], Parser);

        Assert.Empty(parsed.Errors);
        var only = Assert.Single(parsed.To);
        Assert.Equal(("jane@example.com", "Doe, Jane"), (only.Address.Value, only.Name));
    }

    [Theory]
    [InlineData("to:a@x.com,,b@x.com", 2)]
    [InlineData("to:a@x.com,", 1)]
    public void Empty_list_elements_are_skipped_as_rfc_5322_obsolete_syntax_allows(string target, int count)
    {
        var parsed = Targets.Parse([target], Parser);

        Assert.Empty(parsed.Errors);
        Assert.Equal(count, parsed.To.Count);
    }

    [Fact]
    public void To_and_cc_elements_are_read_into_their_lists()
    {
        var parsed = Targets.Parse(["to:a@x.com,b@x.com", "cc:c@x.com"], Parser);

        Assert.Empty(parsed.Errors);
        Assert.Equal(["a@x.com", "b@x.com"], parsed.To.Select(m => m.Address.Value));
        Assert.Equal(["c@x.com"], parsed.Cc.Select(m => m.Address.Value));
    }

    [Fact]
    public void Several_elements_of_one_kind_add_up()
    {
        var parsed = Targets.Parse(["to:a@x.com", "cc:c@x.com", "to:b@x.com"], Parser);

        Assert.Equal(["a@x.com", "b@x.com"], parsed.To.Select(m => m.Address.Value));
        Assert.Single(parsed.Cc);
    }

    [Theory]
    [InlineData("to: a@x.com , b@x.com")]
    [InlineData("to:a@x.com,b@x.com")]
    [InlineData("  to :a@x.com,   b@x.com  ")]
    [InlineData("to:\ta@x.com,\tb@x.com")]
    public void Spaces_around_commas_and_the_prefix_are_tolerated(string target)
    {
        var parsed = Targets.Parse([target], Parser);

        Assert.Empty(parsed.Errors);
        Assert.Equal(["a@x.com", "b@x.com"], parsed.To.Select(m => m.Address.Value));
    }

    [Theory]
    [InlineData("TO:a@x.com", true)]
    [InlineData("To:a@x.com", true)]
    [InlineData("CC:a@x.com", false)]
    [InlineData("Cc:a@x.com", false)]
    public void The_prefix_is_read_in_any_case(string target, bool isTo)
    {
        var parsed = Targets.Parse([target], Parser);

        Assert.Empty(parsed.Errors);
        Assert.Equal(isTo ? 1 : 0, parsed.To.Count);
        Assert.Equal(isTo ? 0 : 1, parsed.Cc.Count);
    }

    [Fact]
    public void Display_names_are_kept()
    {
        var parsed = Targets.Parse(["to:Ann <ann@x.com>, bob@x.com", "cc:\"Cid Lee\" <cid@x.com>"], Parser);

        Assert.Empty(parsed.Errors);
        Assert.Equal("Ann", parsed.To[0].Name);
        Assert.Equal("ann@x.com", parsed.To[0].Address.Value);
        Assert.Null(parsed.To[1].Name);
        Assert.Equal("Cid Lee", parsed.Cc[0].Name);
    }

    [Fact]
    public void Addresses_keep_their_case_and_are_normalized_for_look_ups()
    {
        var parsed = Targets.Parse(["to:Ann.Lee@X.com"], Parser);

        Assert.Equal("Ann.Lee@X.com", parsed.To[0].Address.Value);
        Assert.Equal("ann.lee@x.com", parsed.To[0].Address.Normalized);
    }

    [Theory]
    [InlineData("a@x.com")]
    [InlineData("bcc:a@x.com")]
    [InlineData("from:a@x.com")]
    [InlineData("to a@x.com")]
    [InlineData("")]
    public void An_element_without_a_to_or_cc_prefix_is_an_error_at_its_index(string target)
    {
        var parsed = Targets.Parse(["to:ok@x.com", target], Parser);

        var (index, reason) = Assert.Single(parsed.Errors);
        Assert.Equal(1, index);
        Assert.Equal("Must start with to: or cc: followed by comma-separated addresses.", reason);
        Assert.Single(parsed.To);
    }

    [Fact]
    public void A_null_element_is_an_error_at_its_index()
    {
        var parsed = Targets.Parse([null!, "to:a@x.com"], Parser);

        Assert.Equal(0, Assert.Single(parsed.Errors).Index);
    }

    [Theory]
    [InlineData("to:")]
    [InlineData("to:   ")]
    [InlineData("cc: , ")]
    public void An_element_without_an_address_is_an_error_at_its_index(string target)
    {
        var parsed = Targets.Parse(["to:ok@x.com", "cc:c@x.com", target], Parser);

        var (index, reason) = Assert.Single(parsed.Errors);
        Assert.Equal(2, index);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Theory]
    [InlineData("to:invalid@something")]
    [InlineData("to:a@x.com,bob")]
    [InlineData("cc:Ann <invalid@something>")]
    public void An_invalid_address_is_an_error_at_its_index(string target)
    {
        var parsed = Targets.Parse([target], Parser);

        var (index, reason) = Assert.Single(parsed.Errors);
        Assert.Equal(0, index);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void A_line_break_in_an_element_never_becomes_a_header()
    {
        var parsed = Targets.Parse(["to:a@x.com\r\nBcc: victim@x.com"], Parser);

        Assert.Equal(0, Assert.Single(parsed.Errors).Index);
        Assert.DoesNotContain(parsed.To.Concat(parsed.Cc), m => m.Address.Value.Contains("victim", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_bad_element_is_reported_once_with_its_own_index()
    {
        var parsed = Targets.Parse(["nope", "to:a@x.com", "to:b@x.com,bob", "cc:invalid@something,also@bad", "to:b@x.com"], Parser);

        Assert.Equal([0, 2, 3], parsed.Errors.Select(e => e.Index));
        Assert.Equal(["a@x.com", "b@x.com"], parsed.To.Select(m => m.Address.Value));
    }

    [Fact]
    public void An_empty_list_reads_as_nothing() =>
        Assert.Equal((0, 0, 0), (Targets.Parse([], Parser).To.Count, Targets.Parse([], Parser).Cc.Count, Targets.Parse([], Parser).Errors.Count));
}
