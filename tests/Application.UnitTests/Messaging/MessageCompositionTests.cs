using Modular.Application.Messaging;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Messaging;

public sealed class MessageCompositionTests
{
    [Theory]
    [InlineData("Hello Ann")]
    [InlineData("Line one\nLine two")]
    [InlineData("1 < 2")]
    [InlineData("x > y")]
    [InlineData("Write to <ann@example.com>")]
    [InlineData("<3 from the team")]
    [InlineData("<>")]
    public void A_body_without_a_tag_is_plain_text(string body) =>
        Assert.Equal((body, null), MessageComposition.SplitBody(body));

    [Fact]
    public void A_comparison_with_spaces_is_plain_text_not_a_tag() =>
        Assert.Equal(("a < b and c > d", null), MessageComposition.SplitBody("a < b and c > d"));

    [Theory]
    [InlineData("<p>x</p>")]
    [InlineData("Hi<br/>there")]
    [InlineData("Hi<br />there")]
    [InlineData("Hi<br>there")]
    [InlineData("<div class=\"x\">Hello</div>")]
    [InlineData("<DIV>Hello</DIV>")]
    [InlineData("Hello <b>Ann</b>")]
    [InlineData("<custom-element>x</custom-element>")]
    [InlineData("<h1>Title</h1>")]
    public void A_body_with_a_tag_is_html(string body) =>
        Assert.Equal((null, body), MessageComposition.SplitBody(body));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_body_is_neither(string? body) =>
        Assert.Equal((null, null), MessageComposition.SplitBody(body));

    [Fact]
    public void The_first_message_of_a_thread_has_no_reply_headers()
    {
        var (inReplyTo, references) = MessageComposition.ReplyHeaders(null);

        Assert.Null(inReplyTo);
        Assert.Empty(references);
    }

    [Fact]
    public void A_reply_to_the_first_message_refers_to_it()
    {
        var previous = Aggregates.Message(1, 10, messageId: "first@example.com");

        var (inReplyTo, references) = MessageComposition.ReplyHeaders(previous);

        Assert.Equal("first@example.com", inReplyTo);
        Assert.Equal(["first@example.com"], references);
    }

    [Fact]
    public void A_reply_extends_the_previous_references_with_the_previous_id()
    {
        var previous = Aggregates.Message(3, 10, messageId: "third@example.com", references: ["first@example.com", "second@example.com"]);

        var (inReplyTo, references) = MessageComposition.ReplyHeaders(previous);

        Assert.Equal("third@example.com", inReplyTo);
        Assert.Equal(["first@example.com", "second@example.com", "third@example.com"], references);
    }

    [Fact]
    public void A_chain_of_exactly_20_is_kept_whole()
    {
        var earlier = Enumerable.Range(1, 19).Select(i => $"m{i}@example.com").ToList();
        var previous = Aggregates.Message(20, 10, messageId: "m20@example.com", references: earlier);

        var (_, references) = MessageComposition.ReplyHeaders(previous);

        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"m{i}@example.com"), references);
    }

    [Fact]
    public void A_long_chain_is_capped_at_20_keeping_the_first_and_the_latest()
    {
        var earlier = Enumerable.Range(1, 29).Select(i => $"m{i}@example.com").ToList();
        var previous = Aggregates.Message(30, 10, messageId: "m30@example.com", references: earlier);

        var (inReplyTo, references) = MessageComposition.ReplyHeaders(previous);

        Assert.Equal("m30@example.com", inReplyTo);
        Assert.Equal(20, references.Count);
        Assert.Equal("m1@example.com", references[0]);
        Assert.Equal(Enumerable.Range(12, 19).Select(i => $"m{i}@example.com"), references.Skip(1));
    }

    [Fact]
    public void A_capped_chain_stays_capped_as_the_thread_goes_on()
    {
        var references = (IReadOnlyList<string>)Enumerable.Range(1, 20).Select(i => $"m{i}@example.com").ToList();
        for (var id = 21; id <= 25; id++)
        {
            references = MessageComposition.ReplyHeaders(Aggregates.Message(id, 10, messageId: $"m{id}@example.com", references: references)).References;
        }

        Assert.Equal(20, references.Count);
        Assert.Equal("m1@example.com", references[0]);
        Assert.Equal("m25@example.com", references[^1]);
        Assert.Equal(references.Count, references.Distinct().Count());
    }

    [Theory]
    [InlineData("New subject", "New subject")]
    [InlineData("  New subject  ", "New subject")]
    [InlineData("Re: something else", "Re: something else")]
    public void A_given_subject_wins_and_is_trimmed(string subject, string expected) =>
        Assert.Equal(expected, MessageComposition.ReplySubject(subject, "Your order"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Without_a_subject_the_reply_is_re_the_title(string? subject) =>
        Assert.Equal("Re: Your order", MessageComposition.ReplySubject(subject, "Your order"));

    [Theory]
    [InlineData("Re: Your order")]
    [InlineData("RE: Your order")]
    [InlineData("re: Your order")]
    [InlineData("Re:Your order")]
    public void A_title_that_already_starts_with_re_is_not_prefixed_twice(string title) =>
        Assert.Equal(title, MessageComposition.ReplySubject(null, title));

    [Fact]
    public void A_title_that_only_starts_with_the_letters_re_is_prefixed() =>
        Assert.Equal("Re: Refund", MessageComposition.ReplySubject(null, "Refund"));

    [Fact]
    public void An_empty_title_gives_a_bare_re() =>
        Assert.Equal("Re:", MessageComposition.ReplySubject(null, ""));

    [Fact]
    public void A_new_message_id_is_on_the_given_domain_without_angle_brackets()
    {
        var id = MessageComposition.NewMessageId("mail.example.com");

        Assert.EndsWith("@mail.example.com", id, StringComparison.Ordinal);
        Assert.DoesNotContain('<', id);
        Assert.DoesNotContain('>', id);
        Assert.Single(id, c => c == '@');
        Assert.True(id.IndexOf('@', StringComparison.Ordinal) > 0);
    }

    [Fact]
    public void New_message_ids_are_unique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => MessageComposition.NewMessageId("example.com")).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }
}
