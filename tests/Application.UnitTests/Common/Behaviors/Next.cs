using Mediator;

namespace Modular.Application.UnitTests.Common.Behaviors;

/// <summary>The rest of the pipeline, as a behavior sees it: records each call and answers with a fixed response.</summary>
internal sealed class Next<TMessage, TResponse>(TResponse? response = default)
    where TMessage : notnull, IMessage
{
    public int Calls { get; private set; }

    public TMessage? LastMessage { get; private set; }

    public CancellationToken LastToken { get; private set; }

    /// <summary>Runs before the response is returned (to record order, or to throw).</summary>
    public Action? OnCall { get; init; }

    public MessageHandlerDelegate<TMessage, TResponse> Delegate => (message, cancellationToken) =>
    {
        Calls++;
        LastMessage = message;
        LastToken = cancellationToken;
        OnCall?.Invoke();
        return ValueTask.FromResult(response!);
    };
}
