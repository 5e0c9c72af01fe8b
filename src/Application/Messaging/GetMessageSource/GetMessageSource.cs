using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.GetMessageSource;

/// <summary>The raw source of a message (<c>GET /v1/messages/{id}/raw</c>): the bytes as received, or as handed to SMTP.</summary>
public sealed record GetMessageSourceQuery(long MessageId) : IQuery<Result<MessageFile>>;

/// <summary>One attachment that came with an inbound message (<c>GET /v1/messages/{id}/attachments/{n}</c>, n from 0).</summary>
public sealed record GetMessageAttachmentQuery(long MessageId, int Index) : IQuery<Result<MessageFile>>;

/// <summary>Bytes to download, with their type and (for attachments) file name.</summary>
public sealed record MessageFile(byte[] Content, string ContentType, string? FileName);

public sealed class GetMessageAttachmentValidator : AbstractValidator<GetMessageAttachmentQuery>
{
    public GetMessageAttachmentValidator() => RuleFor(x => x.Index).GreaterThanOrEqualTo(0);
}

public sealed class GetMessageSourceHandler(IRepository<Message> messages, IMessageContentStore contents)
    : IQueryHandler<GetMessageSourceQuery, Result<MessageFile>>
{
    public async ValueTask<Result<MessageFile>> Handle(GetMessageSourceQuery query, CancellationToken cancellationToken)
    {
        if (!await messages.AnyAsync(new ByIdSpec<Message>(query.MessageId), cancellationToken))
        {
            return Error.NotFound("message", query.MessageId);
        }

        var source = await contents.FindSourceAsync(query.MessageId, cancellationToken);
        return source is null
            ? new Error("message.source.not_found", $"Message {query.MessageId} has no raw source (an outbound message has one once it was handed to SMTP).", ErrorType.NotFound)
            : new MessageFile(source.Content, "message/rfc822", null);
    }
}

public sealed class GetMessageAttachmentHandler(IRepository<Message> messages, IMessageContentStore contents)
    : IQueryHandler<GetMessageAttachmentQuery, Result<MessageFile>>
{
    public async ValueTask<Result<MessageFile>> Handle(GetMessageAttachmentQuery query, CancellationToken cancellationToken)
    {
        if (!await messages.AnyAsync(new ByIdSpec<Message>(query.MessageId), cancellationToken))
        {
            return Error.NotFound("message", query.MessageId);
        }

        var attachment = await contents.FindAttachmentAsync(query.MessageId, query.Index, cancellationToken);
        return attachment is null
            ? new Error("message.attachment.not_found", $"Message {query.MessageId} has no attachment {query.Index}.", ErrorType.NotFound)
            : new MessageFile(attachment.Content, attachment.ContentType, attachment.FileName);
    }
}
