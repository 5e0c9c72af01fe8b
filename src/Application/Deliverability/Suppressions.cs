using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Deliverability;

namespace Modular.Application.Deliverability;

/// <summary>The suppressions of any of these addresses (normalized).</summary>
public sealed class SuppressionsByEmailsSpec : Specification<Suppression>
{
    public SuppressionsByEmailsSpec(IReadOnlyCollection<string> normalizedEmails)
    {
        if (normalizedEmails.Count == 1)
        {
            var only = normalizedEmails.First();
            Query.Where(s => s.NormalizedEmail == only);
        }
        else
        {
            Query.Where(s => normalizedEmails.Contains(s.NormalizedEmail));
        }
    }
}

/// <summary>Puts addresses on the organization's suppression list, or strengthens the reason of one already on it.</summary>
public sealed class Suppressor(IRepository<Suppression> suppressions, ICurrentTenant tenant)
{
    public async Task<Suppression> SuppressAsync(EmailAddress email, SuppressionReason reason, string? detail, long? messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = await suppressions.FirstOrDefaultAsync(new SuppressionsByEmailsSpec([email.Normalized]), cancellationToken);
        if (existing is not null)
        {
            existing.Escalate(reason, detail, messageId, now);
            return existing;
        }

        var created = Suppression.Create(tenant.OrganizationId, email, reason, detail, messageId, now);
        await suppressions.AddAsync(created, cancellationToken);
        return created;
    }
}

public sealed record SuppressionResponse(string Email, string Reason, string? Detail, long? MessageId, DateTimeOffset CreatedAt)
{
    public static SuppressionResponse From(Suppression suppression) =>
        new(suppression.Email, Suppression.Format(suppression.Reason), suppression.Detail, suppression.MessageId, suppression.CreatedAt);
}
