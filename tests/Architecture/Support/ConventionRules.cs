using System.Reflection;
using System.Runtime.CompilerServices;
using FluentValidation;
using Mediator;

namespace Modular.ArchitectureTests.Support;

/// <summary>Naming and immutability conventions, checked by reflection. Each returns what breaks them.</summary>
internal static class ConventionRules
{
    private static readonly Type[] HandlerInterfaces =
    [
        typeof(ICommandHandler<>),
        typeof(ICommandHandler<,>),
        typeof(IQueryHandler<,>),
        typeof(IRequestHandler<>),
        typeof(IRequestHandler<,>),
        typeof(IStreamCommandHandler<,>),
        typeof(IStreamQueryHandler<,>),
        typeof(IStreamRequestHandler<,>),
    ];

    public static IEnumerable<Type> Handlers(IEnumerable<Type> types) =>
        types.Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(IsHandlerInterface));

    public static IEnumerable<Type> Validators(IEnumerable<Type> types) =>
        types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IValidator).IsAssignableFrom(t));

    /// <summary>Mediator handlers that are not sealed or whose name does not end with <c>Handler</c>.</summary>
    public static IEnumerable<string> HandlerViolations(IEnumerable<Type> types)
    {
        foreach (var handler in Handlers(types))
        {
            if (!NameOf(handler).EndsWith("Handler", StringComparison.Ordinal))
            {
                yield return $"{handler.FullName}: the name does not end with 'Handler'";
            }

            if (!handler.IsSealed)
            {
                yield return $"{handler.FullName}: not sealed";
            }
        }
    }

    /// <summary>FluentValidation validators whose name does not end with <c>Validator</c>.</summary>
    public static IEnumerable<string> ValidatorViolations(IEnumerable<Type> types) =>
        Validators(types)
            .Where(v => !NameOf(v).EndsWith("Validator", StringComparison.Ordinal))
            .Select(v => $"{v.FullName}: the name does not end with 'Validator'");

    /// <summary>
    /// Properties with a public setter that is not init-only, and public fields that are not read-only:
    /// state that code outside the type can change after it was made.
    /// </summary>
    public static IEnumerable<string> PublicMutableMembers(IEnumerable<Type> types)
    {
        const BindingFlags publicMembers = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy;
        foreach (var type in types)
        {
            foreach (var property in type.GetProperties(publicMembers))
            {
                if (property.GetSetMethod(nonPublic: false) is { } setter && !IsInitOnly(setter))
                {
                    yield return $"{type.FullName}.{property.Name}: public setter";
                }
            }

            foreach (var field in type.GetFields(publicMembers))
            {
                if (!field.IsInitOnly && !field.IsLiteral)
                {
                    yield return $"{type.FullName}.{field.Name}: public writable field";
                }
            }
        }
    }

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));

    private static bool IsHandlerInterface(Type type) =>
        type.IsGenericType && HandlerInterfaces.Contains(type.GetGenericTypeDefinition());

    /// <summary>The simple name without a generic arity suffix (<c>FooHandler`1</c> → <c>FooHandler</c>).</summary>
    private static string NameOf(Type type) =>
        type.Name.IndexOf('`', StringComparison.Ordinal) is var tick and >= 0 ? type.Name[..tick] : type.Name;
}
