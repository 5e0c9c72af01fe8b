namespace Modular.ArchitectureTests.Canary.Infrastructure.Channels;

/// <summary>A canary module's adapter, used by another canary module (see ContactImporter).</summary>
public sealed class RelayPool
{
    public int Size { get; } = 1;
}
