using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Validation;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Scheduling.RescheduleMessage;

/// <summary>
/// Moves a <c>scheduled</c> message to a new time (409 in any other status). The old job can no longer
/// send it: it is removed, and a job that still fires finds the message not due yet.
/// </summary>
public sealed record RescheduleMessageCommand(long Id, string? ScheduleAt) : ICommand<Result<MessageResponse>>;

public sealed class RescheduleMessageValidator : AbstractValidator<RescheduleMessageCommand>
{
    public RescheduleMessageValidator(TimeProvider clock)
    {
        RuleFor(x => x.ScheduleAt).NotEmpty();
        RuleFor(x => x.ScheduleAt).ScheduleTime(clock);
    }
}

public sealed class RescheduleMessageHandler(IRepository<Message> messages, TimeProvider clock)
    : ICommandHandler<RescheduleMessageCommand, Result<MessageResponse>>
{
    public async ValueTask<Result<MessageResponse>> Handle(RescheduleMessageCommand command, CancellationToken cancellationToken)
    {
        var message = await messages.FirstOrDefaultAsync(new ByIdSpec<Message>(command.Id), cancellationToken);
        if (message is null)
        {
            return Error.NotFound("message", command.Id);
        }

        var now = clock.GetUtcNow();
        var rescheduled = message.Reschedule(ScheduleTime.Parse(command.ScheduleAt!, now).Value, now);
        return rescheduled.IsFailure ? rescheduled.Error! : MessageResponse.Of(message);
    }
}
