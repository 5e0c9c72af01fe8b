namespace Modular.Domain.Common;

/// <summary>Rules for single-line header text (subjects, display names).</summary>
public static class HeaderText
{
    public static bool HasLineBreak(string? value) => value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0;
}
