using FluentValidation;
using Modular.Domain.Common;

namespace Modular.Application.Common.Validation;

/// <summary>Validator building blocks shared by the use cases.</summary>
public static class Rules
{
    public const int MaxLimit = 500;
    public const int DefaultLimit = 50;

    /// <summary>An addr-spec with a dotted domain (see <see cref="EmailAddress"/>); the reason is the message.</summary>
    public static IRuleBuilderOptionsConditions<T, string?> EmailAddress<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Custom((value, context) =>
        {
            if (!Domain.Common.EmailAddress.TryParse(value, out _, out var reason))
            {
                context.AddFailure(reason);
            }
        });

    /// <summary>An address that may carry a display name (<c>Ann &lt;ann@example.com&gt;</c>).</summary>
    public static IRuleBuilderOptionsConditions<T, string?> Mailbox<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Custom((value, context) =>
        {
            var parsed = Domain.Common.Mailbox.Parse(value, context.PropertyPath);
            if (parsed.IsFailure)
            {
                context.AddFailure(parsed.Error!.Fields!.Values.First()[0]);
            }
        });

    public static IRuleBuilderOptions<T, string?> SingleLine<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => !HeaderText.HasLineBreak(value)).WithMessage("Line breaks are not allowed.");

    public static IRuleBuilderOptions<T, string?> OneOf<T>(this IRuleBuilder<T, string?> rule, params string[] allowed) =>
        rule.Must(value => value is null || allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
            .WithMessage($"Must be one of: {string.Join(", ", allowed)}.");

    public static void Paging<T>(this AbstractValidator<T> validator, Func<T, int?> limit, Func<T, int?> offset)
    {
        validator.RuleFor(x => limit(x)).InclusiveBetween(1, MaxLimit).OverridePropertyName("limit")
            .WithMessage($"The limit must be between 1 and {MaxLimit}.");
        validator.RuleFor(x => offset(x)).GreaterThanOrEqualTo(0).OverridePropertyName("offset")
            .WithMessage("The offset cannot be negative.");
    }
}

/// <summary>A page of a list: <c>{ "data": [...], "total", "limit", "offset" }</c>.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Data, int Total, int Limit, int Offset);
