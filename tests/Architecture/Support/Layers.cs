using System.Reflection;
using Modular.Domain.Common;

namespace Modular.ArchitectureTests.Support;

/// <summary>The four layers of the service, as assemblies, and the module folders inside them.</summary>
internal static class Layers
{
    public const string Root = "Modular";

    public static readonly Assembly Domain = typeof(Entity).Assembly;

    public static readonly Assembly Application = typeof(global::Modular.Application.DependencyInjection).Assembly;

    public static readonly Assembly Infrastructure = typeof(global::Modular.Infrastructure.DependencyInjection).Assembly;

    public static readonly Assembly Api = typeof(Program).Assembly;

    public static readonly IReadOnlyList<Assembly> All = [Domain, Application, Infrastructure, Api];

    /// <summary>The module folders of every layer (DESIGN.md section 2, STYLE.md section 1).</summary>
    public static readonly IReadOnlyList<string> Modules =
        ["Organizations", "Users", "Channels", "Inboxes", "Contacts", "Conversations", "Messaging", "Scheduling", "Deliverability", "Webhooks"];

    /// <summary>The layers whose module folders hold code other modules could reach into.</summary>
    public static readonly IReadOnlyList<string> ModuleLayers = ["Domain", "Application", "Infrastructure", "Api"];

    /// <summary>What the Application layer must never touch: adapters and the web host belong elsewhere.</summary>
    public static readonly string[] ForbiddenInApplication =
        ["Microsoft.EntityFrameworkCore", "Npgsql", "MailKit", "MimeKit", "Hangfire", "Microsoft.AspNetCore"];

    /// <summary>The project's own types in <paramref name="assembly"/> (not compiler- or generator-made ones).</summary>
    public static IEnumerable<Type> OwnTypes(Assembly assembly) =>
        assembly.GetTypes().Where(t => t.Namespace is not null && t.Namespace.StartsWith(Root + ".", StringComparison.Ordinal));
}
