using System.Collections.Concurrent;
using Modular.Application.Common.Security;

namespace Modular.Application.Webhooks;

/// <summary>Decrypts endpoints' signing secrets for the dispatcher, once per secret (kept in memory, capped).</summary>
public sealed class WebhookSecrets(ISecretProtector protector)
{
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<string, string> _plain = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Plain(IReadOnlyList<string> protectedSecrets) => [.. protectedSecrets.Select(Plain)];

    private string Plain(string protectedSecret)
    {
        if (_plain.TryGetValue(protectedSecret, out var plain))
        {
            return plain;
        }

        if (_plain.Count >= Capacity)
        {
            _plain.Clear();
        }

        plain = protector.Unprotect(protectedSecret);
        _plain[protectedSecret] = plain;
        return plain;
    }
}
