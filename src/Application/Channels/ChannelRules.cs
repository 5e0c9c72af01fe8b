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

public sealed class ImapInputValidator : AbstractValidator<ImapInput>
{
    public ImapInputValidator()
    {
        RuleFor(x => x.Host).NotEmpty().MaximumLength(255).Must(h => h is null || !h.Any(char.IsWhiteSpace))
            .WithMessage("A host name cannot contain spaces.");
        RuleFor(x => x.Port).InclusiveBetween(1, 65535);
        RuleFor(x => x.Security).OneOf(SmtpInput.SecurityValues);
        RuleFor(x => x.Username).NotEmpty().MaximumLength(255).SingleLine();
        RuleFor(x => x.Password).MaximumLength(1024);
        RuleFor(x => x.Folder).MaximumLength(255).SingleLine();
    }
}

internal static class ImapSettingsFactory
{
    /// <summary>A 422 on <c>imap.host</c> when the server is on an address the service may not connect to (the relays' rule).</summary>
    public static async Task<Error?> RefuseServerAsync(ImapInput input, IRelayHostPolicy servers, CancellationToken cancellationToken) =>
        await servers.RefusalAsync(input.Host!.Trim(), input.PortOrDefault, cancellationToken) is { } reason
            ? Error.Validation("imap.host", reason)
            : null;

    /// <summary>The mailbox settings, the password protected; without a password the current one is kept for the same server and user.</summary>
    public static Result<ImapSettings> Create(ImapInput input, ImapSettings? current, ISecretProtector protector)
    {
        var same = current is not null && current.Host == input.Host && current.Username == input.Username;
        var protectedPassword = input.Password is { Length: > 0 } password
            ? protector.Protect(password)
            : same ? current!.ProtectedPassword : null;
        return ImapSettings.Create(input.Host!, input.PortOrDefault, SmtpInput.ParseSecurity(input.Security ?? "ssl"), input.Username!, protectedPassword, input.Folder);
    }
}
