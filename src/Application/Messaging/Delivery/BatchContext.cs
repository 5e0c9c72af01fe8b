namespace Modular.Application.Messaging.Delivery;

/// <summary>
/// The unit of work of a delivery batch's scope is shared by the batch's attempts, which record their
/// handover points in it side by side, and by the saves of its outcomes: whoever changes it holds this,
/// one at a time, and only for in-memory work and the save (never while waiting for an SMTP server).
/// </summary>
public sealed class BatchContext : IDisposable
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public void Dispose() => Gate.Dispose();
}
