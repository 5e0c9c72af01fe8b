using FluentValidation;
using Modular.Application.Channels.Ports;
using Modular.Application.Common.Security;
using Modular.Application.Common.Validation;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Channels;

public sealed class SmtpInputValidator : AbstractValidator<SmtpInput>
{
    public SmtpInputValidator()
    {
        RuleFor(x => x.Host).NotEmpty().MaximumLength(255).Must(h => h is null || !h.Any(char.IsWhiteSpace))
            .WithMessage("A host name cannot contain spaces.");
        RuleFor(x => x.Port).InclusiveBetween(1, 65535);
        RuleFor(x => x.Security).OneOf(SmtpInput.SecurityValues);
        RuleFor(x => x.Username).MaximumLength(255).SingleLine();
        RuleFor(x => x.Password).MaximumLength(1024);
        RuleFor(x => x.MaxConnections).InclusiveBetween(1, SmtpSettings.MaxMaxConnections).When(x => x.MaxConnections is not null);
    }
}

internal static class SmtpSettingsFactory
{
    /// <summary>A 422 on <c>smtp.host</c> when the relay is on an address the service may not connect to.</summary>
    public static async Task<Error?> RefuseRelayAsync(SmtpInput input, IRelayHostPolicy relays, CancellationToken cancellationToken) =>
        await relays.RefusalAsync(input.Host!.Trim(), input.PortOrDefault, cancellationToken) is { } reason
            ? Error.Validation("smtp.host", reason)
            : null;

    /// <summary>
    /// Builds the relay settings, protecting the password. Without a password, the one the channel
    /// already has is kept when host and user are unchanged; so is its number of connections when
    /// <c>max_connections</c> is not given (else the default).
    /// </summary>
    public static Result<SmtpSettings> Create(SmtpInput input, SmtpSettings? current, ISecretProtector protector)
    {
        var sameRelay = current is not null && current.Host == input.Host && current.Username == input.Username;
        var protectedPassword = input.Password is { Length: > 0 } password
            ? protector.Protect(password)
            : sameRelay ? current!.ProtectedPassword : null;
        var maxConnections = input.MaxConnections ?? (sameRelay ? current!.MaxConnections : null);
        return SmtpSettings.Create(input.Host!, input.PortOrDefault, SmtpInput.ParseSecurity(input.Security), input.Username, protectedPassword, maxConnections);
    }
}
