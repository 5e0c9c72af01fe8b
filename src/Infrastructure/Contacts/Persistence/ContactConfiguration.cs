using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Domain.Contacts;
using Modular.Domain.Organizations;

namespace Modular.Infrastructure.Contacts.Persistence;

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> builder)
    {
        builder.ToTable("contacts");
        builder.Property(c => c.Email).HasMaxLength(254);
        builder.Property(c => c.NormalizedEmail).HasMaxLength(254);
        builder.Property(c => c.Name).HasMaxLength(Contact.NameMaxLength);
        builder.HasIndex(c => new { c.OrganizationId, c.NormalizedEmail }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
        builder.OwnsMany(c => c.Consents, consent =>
        {
            consent.ToJson("consents");
            consent.Property(x => x.State).HasConversion<string>();
            consent.Property(x => x.Source).HasConversion<string>();
        });
        builder.Navigation(c => c.Consents).HasField("_consents");
        builder.OwnsMany(c => c.ConsentHistory, change =>
        {
            change.ToJson("consent_history");
            change.Property(x => x.State).HasConversion<string>();
            change.Property(x => x.Source).HasConversion<string>();
        });
        builder.Navigation(c => c.ConsentHistory).HasField("_consentHistory");
        builder.Ignore(c => c.IsErased);
        builder.Ignore(c => c.DomainEvents);
    }
}
