using System.Globalization;
using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Common.Specifications;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Channels.CreateDkimKey;

/// <summary>
/// Makes a new RSA-2048 key for the channel (replacing any key it had) and signs its email with it from
/// the next delivery on. The private key is stored protected; the answer says what to publish in DNS.
/// </summary>
public sealed record CreateDkimKeyCommand(long ChannelId, string? Selector) : ICommand<Result<DkimResponse>>;

public sealed class CreateDkimKeyValidator : AbstractValidator<CreateDkimKeyCommand>
{
    public CreateDkimKeyValidator() =>
        RuleFor(x => x.Selector).Must(DkimKey.IsValidSelector).When(x => x.Selector is not null)
            .WithMessage($"A selector is one DNS label: 1 to {DkimKey.SelectorMaxLength} letters, digits or inner hyphens.");
}

public sealed class CreateDkimKeyHandler(IRepository<Channel> channels, ISecretProtector secrets, TimeProvider clock)
    : ICommandHandler<CreateDkimKeyCommand, Result<DkimResponse>>
{
    public const int KeySize = 2048;

    public async ValueTask<Result<DkimResponse>> Handle(CreateDkimKeyCommand command, CancellationToken cancellationToken)
    {
        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(command.ChannelId), cancellationToken);
        if (channel is null)
        {
            return Error.NotFound("channel", command.ChannelId);
        }

        var now = clock.GetUtcNow();
        using var rsa = RSA.Create(KeySize);
        var selector = command.Selector?.ToLowerInvariant() ?? "modular" + now.ToString("yyyyMM", CultureInfo.InvariantCulture);
        var key = new DkimKey(
            selector,
            secrets.Protect(rsa.ExportRSAPrivateKeyPem()),
            Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()),
            now);
        channel.UseDkimKey(key, now);
        return DkimResponse.From(channel, key);
    }
}
