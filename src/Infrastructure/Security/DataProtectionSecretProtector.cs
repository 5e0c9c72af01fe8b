using Microsoft.AspNetCore.DataProtection;
using Modular.Application.Common.Security;

namespace Modular.Infrastructure.Security;

/// <summary>
/// Encrypts secrets with ASP.NET Core Data Protection. Its key ring lives in the database, so every
/// instance of the service can read what another one wrote.
/// </summary>
internal sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("Modular.Secrets.v1");

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string protectedText) => _protector.Unprotect(protectedText);
}
