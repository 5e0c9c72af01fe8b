using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Domain.Common;
using Modular.Domain.Organizations;
using Modular.Domain.Webhooks;

namespace Modular.Infrastructure.Webhooks.Persistence;

/// <summary>The names the dispatcher's SQL uses for a delivery's state.</summary>
internal static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>Deliveries still to be attempted: the claim's index holds only these.</summary>
    public const string PendingFilter = $"status = '{Pending}'";
}

/// <summary>
/// One event for one endpoint: pending until a 2xx (succeeded) or until its retries run out (failed).
/// Written by the dispatcher's SQL; the model here makes the table, its indexes and keys.
/// </summary>
internal sealed class WebhookDeliveryRow : ITenantOwned
{
    public long Id { get; set; }

    public long OrganizationId { get; set; }

    public long EndpointId { get; set; }

    public long EventId { get; set; }

    /// <summary>The event's subject (<c>message:42</c>); a replay has one of its own, so it waits for nothing.</summary>
    public string OrderingKey { get; set; } = string.Empty;

    public string Status { get; set; } = WebhookDeliveryStatus.Pending;

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>While a dispatcher holds the delivery for an attempt: until then nobody else takes it.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One attempt of a delivery, for the delivery log.</summary>
internal sealed class WebhookAttemptRow : ITenantOwned
{
    public long Id { get; set; }

    public long OrganizationId { get; set; }

    public long EndpointId { get; set; }

    public long DeliveryId { get; set; }

    public long EventId { get; set; }

    /// <summary>Which attempt of its delivery this was (1 for the first).</summary>
    public int Number { get; set; }

    public DateTimeOffset AttemptedAt { get; set; }

    public bool Succeeded { get; set; }

    public int? StatusCode { get; set; }

    public int DurationMs { get; set; }

    /// <summary>The first bytes of the receiver's answer.</summary>
    public string? ResponseExcerpt { get; set; }

    public string? Error { get; set; }
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTable("webhook_endpoints");
        builder.Property(w => w.Url).HasMaxLength(WebhookEndpoint.UrlMaxLength);
        builder.Property(w => w.Description).HasMaxLength(WebhookEndpoint.DescriptionMaxLength);
        builder.PrimitiveCollection(w => w.EventTypes).HasField("_eventTypes");
        builder.Property(w => w.DisabledReason).HasMaxLength(1000);
        builder.HasOne<Organization>().WithMany().HasForeignKey(w => w.OrganizationId);
        builder.HasIndex(w => w.OrganizationId);
        builder.Ignore(w => w.DomainEvents);
    }
}

internal sealed class WebhookEventConfiguration : IEntityTypeConfiguration<WebhookEvent>
{
    public void Configure(EntityTypeBuilder<WebhookEvent> builder)
    {
        builder.ToTable("webhook_events");
        // Assigned by the database when the row is written: events of one subject are written one
        // transaction after another, so their ids are in the order they happened.
        builder.Property(e => e.Id).UseIdentityByDefaultColumn();
        builder.Property(e => e.PublicId).HasMaxLength(40);
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.Property(e => e.OrderingKey).HasMaxLength(64);
        builder.HasIndex(e => e.PublicId).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId);
        // The dispatcher's fan-out reads only the events that have no deliveries yet, oldest first.
        builder.HasIndex(e => e.Id).HasDatabaseName("ix_webhook_events_new").HasFilter("fanned_out_at IS NULL");
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDeliveryRow>
{
    public void Configure(EntityTypeBuilder<WebhookDeliveryRow> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.Property(d => d.Id).UseIdentityByDefaultColumn();
        builder.Property(d => d.OrderingKey).HasMaxLength(80);
        builder.Property(d => d.Status).HasMaxLength(16).HasDefaultValue(WebhookDeliveryStatus.Pending);
        builder.Property(d => d.CreatedAt).HasDefaultValueSql("now()");
        builder.Property(d => d.UpdatedAt).HasDefaultValueSql("now()");
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<WebhookEvent>().WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(d => d.OrganizationId);
        // The claim: pending deliveries by due time; and the ordering rule: an earlier pending event of
        // the same subject for the same endpoint.
        builder.HasIndex(d => d.NextAttemptAt).HasDatabaseName("ix_webhook_deliveries_due").HasFilter(WebhookDeliveryStatus.PendingFilter);
        builder.HasIndex(d => new { d.EndpointId, d.OrderingKey, d.EventId }).HasDatabaseName("ix_webhook_deliveries_order").HasFilter(WebhookDeliveryStatus.PendingFilter);
    }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttemptRow>
{
    public void Configure(EntityTypeBuilder<WebhookAttemptRow> builder)
    {
        builder.ToTable("webhook_attempts");
        builder.Property(a => a.Id).UseIdentityByDefaultColumn();
        builder.Property(a => a.ResponseExcerpt).HasMaxLength(WebhookOptions.ExcerptChars);
        builder.Property(a => a.Error).HasMaxLength(1000);
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(a => a.EndpointId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<WebhookDeliveryRow>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<WebhookEvent>().WithMany().HasForeignKey(a => a.EventId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId);
        // The delivery log: an endpoint's attempts, newest first.
        builder.HasIndex(a => new { a.EndpointId, a.Id }).IsDescending(false, true);
    }
}
