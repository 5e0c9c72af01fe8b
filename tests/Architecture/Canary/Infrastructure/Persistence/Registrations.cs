using Modular.ArchitectureTests.Canary.Infrastructure.Channels;

namespace Modular.ArchitectureTests.Canary.Infrastructure.Persistence;

/// <summary>Keeps the rule: shared code outside the module folders may use any module.</summary>
public sealed class Registrations(RelayPool pool)
{
    public RelayPool Pool { get; } = pool;
}
