using System.Text;
using MimeKit.Text;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>Derives the plain-text alternative of an HTML body: text kept, blocks as lines, links as "text (url)".</summary>
public static class HtmlText
{
    public static string ToPlainText(string html)
    {
        var output = new StringBuilder(html.Length / 2);
        var tokenizer = new HtmlTokenizer(new StringReader(html));
        var skipDepth = 0;
        string? href = null;
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Id is HtmlTagId.Script or HtmlTagId.Style or HtmlTagId.Head or HtmlTagId.Title:
                    skipDepth = tag.IsEndTag ? Math.Max(0, skipDepth - 1) : tag.IsEmptyElement ? skipDepth : skipDepth + 1;
                    break;
                case HtmlTagToken tag when tag.Id == HtmlTagId.A:
                    if (tag.IsEndTag)
                    {
                        if (href is not null && !EndsWith(output, href))
                        {
                            output.Append(" (").Append(href).Append(')');
                        }

                        href = null;
                    }
                    else
                    {
                        href = tag.Attributes.FirstOrDefault(a => a.Id == HtmlAttributeId.Href)?.Value;
                        href = href is not null && href.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? href : null;
                    }

                    break;
                case HtmlTagToken tag when tag.Id is HtmlTagId.Br:
                    output.Append('\n');
                    break;
                case HtmlTagToken tag when tag.Id == HtmlTagId.LI && !tag.IsEndTag:
                    NewLine(output);
                    output.Append("- ");
                    break;
                case HtmlTagToken tag when IsBlock(tag.Id):
                    NewLine(output);
                    if (tag.Id is HtmlTagId.P or HtmlTagId.H1 or HtmlTagId.H2 or HtmlTagId.H3 && tag.IsEndTag)
                    {
                        output.Append('\n');
                    }

                    break;
                case HtmlDataToken data when skipDepth == 0:
                    AppendCollapsed(output, data.Data);
                    break;
            }
        }

        return CollapseBlankLines(output.ToString()).Trim();
    }

    private static bool IsBlock(HtmlTagId id) => id is HtmlTagId.P or HtmlTagId.Div or HtmlTagId.TR or HtmlTagId.Table
        or HtmlTagId.H1 or HtmlTagId.H2 or HtmlTagId.H3 or HtmlTagId.H4 or HtmlTagId.H5 or HtmlTagId.H6
        or HtmlTagId.UL or HtmlTagId.OL or HtmlTagId.BlockQuote or HtmlTagId.HR or HtmlTagId.Pre;

    /// <summary>Whether the text so far ends with <paramref name="value"/>, without copying all of it.</summary>
    private static bool EndsWith(StringBuilder output, string value)
    {
        if (output.Length < value.Length)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (output[output.Length - value.Length + i] != value[i])
            {
                return false;
            }
        }

        return true;
    }

    private static void NewLine(StringBuilder output)
    {
        if (output.Length > 0 && output[^1] != '\n')
        {
            output.Append('\n');
        }
    }

    private static void AppendCollapsed(StringBuilder output, string text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (output.Length > 0 && output[^1] is not (' ' or '\n'))
                {
                    output.Append(' ');
                }
            }
            else
            {
                output.Append(c);
            }
        }
    }

    private static string CollapseBlankLines(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim());
        var builder = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            blank = line.Length == 0 ? blank + 1 : 0;
            if (blank <= 1)
            {
                builder.Append(line).Append('\n');
            }
        }

        return builder.ToString();
    }
}
