using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Configuration;
using Modular.Application.Common.Security;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.Security;

/// <summary>A secret of the service itself (not of an organization), stored protected by Data Protection.</summary>
public sealed class ServerSecret
{
    private ServerSecret()
    {
        Name = string.Empty;
        ProtectedValue = string.Empty;
    }

    public ServerSecret(string name, string protectedValue)
    {
        Name = name;
        ProtectedValue = protectedValue;
    }

    public string Name { get; private set; }

    public string ProtectedValue { get; private set; }
}

internal sealed class ServerSecretConfiguration : IEntityTypeConfiguration<ServerSecret>
{
    public void Configure(EntityTypeBuilder<ServerSecret> builder)
    {
        builder.ToTable("server_secrets");
        builder.HasKey(s => s.Name);
        builder.Property(s => s.Name).HasMaxLength(64);
    }
}

/// <summary>
/// The key of the tokens email carries (unsubscribe links, VERP return paths). <c>Deliverability:TokenSecret</c>
/// when configured (at least 32 characters, the same on every instance); otherwise 32 random bytes made
/// by the first instance that needs them, kept in <c>server_secrets</c> encrypted with the Data
/// Protection key ring (which is itself encrypted at rest), and read by every other instance. Never a
/// constant in code.
/// </summary>
internal sealed class TokenKey : ITokenKey
{
    public const string ConfigurationKey = "Deliverability:TokenSecret";
    private const string SecretName = "mail_tokens.v1";

    private readonly Lazy<byte[]> _key;

    public TokenKey(IConfiguration configuration, IDbContextFactory<ModularDbContext> contexts, ISecretProtector protector)
    {
        var configured = configuration[ConfigurationKey];
        if (configured is { Length: > 0 } && configured.Length < 32)
        {
            throw new InvalidOperationException($"{ConfigurationKey} must have at least 32 characters.");
        }

        _key = new Lazy<byte[]>(
            () => configured is { Length: > 0 } ? SHA256.HashData(Encoding.UTF8.GetBytes(configured)) : LoadOrCreate(contexts, protector),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public byte[] Mac(byte[] data) => HMACSHA256.HashData(_key.Value, data);

    /// <summary>Inserts a new secret unless one exists (the first instance wins a race), then reads the one that is there.</summary>
    private static byte[] LoadOrCreate(IDbContextFactory<ModularDbContext> contexts, ISecretProtector protector)
    {
        using var db = contexts.CreateDbContext();
        var candidate = protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        db.Database.ExecuteSql($"INSERT INTO server_secrets (name, protected_value) VALUES ({SecretName}, {candidate}) ON CONFLICT (name) DO NOTHING");
        var stored = db.Set<ServerSecret>().AsNoTracking().Single(s => s.Name == SecretName);
        return Convert.FromBase64String(protector.Unprotect(stored.ProtectedValue));
    }
}
