using FluentValidation;
using Mediator;
using Modular.Application.Channels;
using Modular.Application.Channels.CreateChannel;
using Modular.Application.Common.Behaviors;
using Modular.Application.Contacts;
using Modular.Application.Contacts.CreateContact;
using Modular.Domain.Common;

namespace Modular.Application.UnitTests.Common.Behaviors;

public sealed class ValidationBehaviorTests
{
    private static readonly CreateChannelCommand ValidChannel =
        new("Support", "support@example.com", "Support Team", new SmtpInput("smtp.example.com", 587, "starttls", "user", "secret"));

    [Fact]
    public async Task A_valid_command_reaches_the_next_step_and_its_answer_comes_back()
    {
        var next = new Next<CreateChannelCommand, Result<ChannelResponse>>(Result<ChannelResponse>.Failure(Error.Conflict("marker", "from next")));
        var behavior = new ValidationBehavior<CreateChannelCommand, Result<ChannelResponse>>([new CreateChannelValidator()]);

        var result = await behavior.Handle(ValidChannel, next.Delegate, CancellationToken.None);

        Assert.Equal(1, next.Calls);
        Assert.Same(ValidChannel, next.LastMessage);
        Assert.Equal("marker", result.Error?.Code);
    }

    [Fact]
    public async Task An_invalid_command_never_reaches_the_next_step_and_fails_with_snake_case_fields()
    {
        var next = new Next<CreateChannelCommand, Result<ChannelResponse>>();
        var behavior = new ValidationBehavior<CreateChannelCommand, Result<ChannelResponse>>([new CreateChannelValidator()]);
        var command = ValidChannel with
        {
            Name = "",
            SenderName = "Support\r\nBcc: victim@example.com",
            Smtp = new SmtpInput("smtp example com", 0, "tls", null, null),
        };

        var result = await behavior.Handle(command, next.Delegate, CancellationToken.None);

        Assert.Equal(0, next.Calls);
        Assert.True(result.IsFailure);
        var error = result.Error!;
        Assert.Equal(ErrorType.Validation, error.Type);
        Assert.Equal("validation", error.Code);
        Assert.Equal(
            ["name", "sender_name", "smtp.host", "smtp.port", "smtp.security"],
            error.Fields!.Keys.Order(StringComparer.Ordinal));
        Assert.All(error.Fields.Values, messages => Assert.NotEmpty(messages));
    }

    [Fact]
    public async Task Indexed_fields_keep_their_index()
    {
        var next = new Next<CreateContactCommand, Result<ContactResponse>>();
        var behavior = new ValidationBehavior<CreateContactCommand, Result<ContactResponse>>([new CreateContactValidator()]);
        var command = new CreateContactCommand("ann@example.com", null, [new ChannelRef(4), new ChannelRef(0)], null);

        var result = await behavior.Handle(command, next.Delegate, CancellationToken.None);

        Assert.Equal(0, next.Calls);
        Assert.Equal(["opt_in_to[1]"], result.Error!.Fields!.Keys);
    }

    [Fact]
    public async Task Failures_of_every_validator_are_gathered_per_field()
    {
        var next = new Next<CreateChannelCommand, Result<ChannelResponse>>();
        var extra = new InlineValidator<CreateChannelCommand>();
        extra.RuleFor(c => c.Name).Must(_ => false).WithMessage("second opinion");
        extra.RuleFor(c => c.SenderName).Must(_ => false).WithMessage("no sender names today");
        var behavior = new ValidationBehavior<CreateChannelCommand, Result<ChannelResponse>>([new CreateChannelValidator(), extra]);

        var result = await behavior.Handle(ValidChannel with { Name = null }, next.Delegate, CancellationToken.None);

        Assert.Equal(0, next.Calls);
        var fields = result.Error!.Fields!;
        Assert.Equal(2, fields["name"].Length);
        Assert.Equal("second opinion", fields["name"][1]);
        Assert.Equal(["no sender names today"], fields["sender_name"]);
    }

    [Fact]
    public async Task Without_validators_every_command_passes()
    {
        var next = new Next<CreateChannelCommand, Result<ChannelResponse>>();
        var behavior = new ValidationBehavior<CreateChannelCommand, Result<ChannelResponse>>([]);

        await behavior.Handle(new CreateChannelCommand(null, null, null, null), next.Delegate, CancellationToken.None);

        Assert.Equal(1, next.Calls);
    }

    [Fact]
    public async Task A_command_answering_a_plain_result_fails_the_same_way()
    {
        var next = new Next<Ping, Result>(Result.Success());
        var validator = new InlineValidator<Ping>();
        validator.RuleFor(p => p.ReplyTo).NotEmpty();
        var behavior = new ValidationBehavior<Ping, Result>([validator]);

        var refused = await behavior.Handle(new Ping(null), next.Delegate, CancellationToken.None);
        var passed = await behavior.Handle(new Ping("ann@example.com"), next.Delegate, CancellationToken.None);

        Assert.Equal(["reply_to"], refused.Error!.Fields!.Keys);
        Assert.True(passed.IsSuccess);
        Assert.Equal(1, next.Calls);
    }

    [Fact]
    public async Task The_cancellation_token_reaches_the_next_step()
    {
        using var source = new CancellationTokenSource();
        var next = new Next<CreateChannelCommand, Result<ChannelResponse>>();
        var behavior = new ValidationBehavior<CreateChannelCommand, Result<ChannelResponse>>([new CreateChannelValidator()]);

        await behavior.Handle(ValidChannel, next.Delegate, source.Token);

        Assert.Equal(source.Token, next.LastToken);
    }

    public sealed record Ping(string? ReplyTo) : ICommand<Result>;
}
