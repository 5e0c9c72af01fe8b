using Modular.ArchitectureTests.Canary.Infrastructure.Channels;

namespace Modular.ArchitectureTests.Canary.Infrastructure.Contacts;

/// <summary>Breaks "no module uses another module's Infrastructure": Contacts reaches into Channels.</summary>
public sealed class ContactImporter(RelayPool pool)
{
    public int Parallelism => pool.Size;
}
