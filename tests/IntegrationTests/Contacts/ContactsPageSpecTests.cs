using System.Text.RegularExpressions;
using Ardalis.Specification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Application.Contacts.ListContacts;
using Modular.Domain.Contacts;
using Modular.IntegrationTests.Infrastructure;
using Modular.Infrastructure.Persistence;

namespace Modular.IntegrationTests.Contacts;

/// <summary>The specification's SQL translation, run by EF Core on PostgreSQL (the unit tests run it over a list).</summary>
[Collection(ApiCollection.Name)]
public sealed class ContactsPageSpecTests(ApiFactory api)
{
    [Fact]
    public async Task Email_filter_is_translated_to_a_case_insensitive_match_inside_the_tenant()
    {
        var organization = await api.CreateOrganizationAsync();
        var ann = await organization.Client.CreateAsync("/v1/contacts", new { Email = "Ann@Example.com" });
        await organization.Client.CreateAsync("/v1/contacts", new { Email = "bob@example.com" });

        await using var scope = api.Services.CreateAsyncScope();
        var query = Query(scope, organization.Id, new ContactsPageSpec("  ANN@example.COM ", skip: 0, take: 10));
        var sql = query.ToQueryString();
        var found = await query.ToListAsync();

        Assert.Equal([ann.Id()], found.Select(c => c.Id));
        Assert.Equal("ann@example.com", Assert.Single(found).NormalizedEmail);
        // Erased contacts are never listed.
        var where = Find(@"WHERE (\w+)\.organization_id = @(\w+) AND \1\.erased_at IS NULL AND \1\.normalized_email = @(\w+)\s", sql);
        Assert.Equal(organization.Id.ToString(), Parameter(sql, where.Groups[2].Value));
        Assert.Equal("ann@example.com", Parameter(sql, where.Groups[3].Value));
        Assert.Matches(@"ORDER BY \w+\.id\s", sql);
        // The first page needs no OFFSET: Ardalis.Specification's paging skips only when skip > 0.
        var paging = Find(@"LIMIT @(\w+)\s*$", sql);
        Assert.Equal("10", Parameter(sql, paging.Groups[1].Value));
        Assert.DoesNotContain("OFFSET", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("lower(", sql, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Paging_is_translated_to_limit_and_offset_in_id_order()
    {
        var organization = await api.CreateOrganizationAsync();
        var ids = new List<long>();
        foreach (var name in new[] { "ann", "bob", "cat", "dan" })
        {
            ids.Add((await organization.Client.CreateAsync("/v1/contacts", new { Email = $"{name}@example.com" })).Id());
        }

        await using var scope = api.Services.CreateAsyncScope();
        var query = Query(scope, organization.Id, new ContactsPageSpec(email: null, skip: 1, take: 2));
        var sql = query.ToQueryString();
        var page = await query.ToListAsync();

        Assert.Equal(ids[1..3], page.Select(c => c.Id));
        var where = Find(@"WHERE \w+\.organization_id = @(\w+)\s", sql);
        Assert.Equal(organization.Id.ToString(), Parameter(sql, where.Groups[1].Value));
        Assert.DoesNotContain("normalized_email =", sql, StringComparison.Ordinal);
        Assert.Matches(@"ORDER BY \w+\.id\s", sql);
        var paging = Find(@"LIMIT @(\w+) OFFSET @(\w+)", sql);
        Assert.Equal("2", Parameter(sql, paging.Groups[1].Value));
        Assert.Equal("1", Parameter(sql, paging.Groups[2].Value));
        Assert.All(page, contact => Assert.Equal(EntityState.Detached, scope.ServiceProvider.GetRequiredService<ModularDbContext>().Entry(contact).State));
    }

    [Fact]
    public async Task Count_query_ignores_paging_but_keeps_the_filters()
    {
        var organization = await api.CreateOrganizationAsync();
        foreach (var name in new[] { "ann", "bob", "cat" })
        {
            await organization.Client.CreateAsync("/v1/contacts", new { Email = $"{name}@example.com" });
        }

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.TenantDb(organization.Id);
        var count = EfSpecificationEvaluator.Apply(db.Set<Contact>(), new ContactsPageSpec(email: null, skip: 1, take: 1), forCount: true);
        var sql = count.ToQueryString();

        Assert.Equal(3, await count.CountAsync());
        Assert.DoesNotContain("LIMIT", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("OFFSET", sql, StringComparison.Ordinal);
        Assert.Matches(@"WHERE \w+\.organization_id = @\w+", sql);
        Assert.DoesNotContain("ORDER BY", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Specification_sees_nothing_of_another_tenant()
    {
        var owner = await api.CreateOrganizationAsync();
        var other = await api.CreateOrganizationAsync();
        var address = $"owner-{owner.Id}@example.com";
        await owner.Client.CreateAsync("/v1/contacts", new { Email = address });

        await using var ownerScope = api.Services.CreateAsyncScope();
        await using var otherScope = api.Services.CreateAsyncScope();

        Assert.Single(await Query(ownerScope, owner.Id, new ContactsPageSpec(address)).ToListAsync());
        Assert.Empty(await Query(otherScope, other.Id, new ContactsPageSpec(address)).ToListAsync());
    }

    [Fact]
    public async Task Specification_without_a_tenant_matches_nothing()
    {
        var organization = await api.CreateOrganizationAsync();
        await organization.Client.CreateAsync("/v1/contacts", new { Email = "ann@example.com" });

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ModularDbContext>();

        Assert.Empty(await EfSpecificationEvaluator.Apply(db.Set<Contact>(), new ContactsPageSpec("ann@example.com")).ToListAsync());
    }

    [Fact]
    public async Task Tags_tie_breakers_split_queries_and_ignored_filters_reach_the_sql()
    {
        var mine = await api.CreateOrganizationAsync();
        var other = await api.CreateOrganizationAsync();
        var email = $"shared-{Guid.NewGuid():N}@example.com";
        var first = (await mine.Client.CreateAsync("/v1/contacts", new { Email = email })).Id();
        var second = (await other.Client.CreateAsync("/v1/contacts", new { Email = email })).Id();

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.TenantDb(mine.Id);
        var withinTenant = EfSpecificationEvaluator.Apply(db.Set<Contact>(), new ContactsByEmailAcrossTenantsSpec(email, ignoreFilters: false));
        var acrossTenants = EfSpecificationEvaluator.Apply(db.Set<Contact>(), new ContactsByEmailAcrossTenantsSpec(email, ignoreFilters: true));
        var sql = acrossTenants.ToQueryString();

        Assert.Equal([first], (await withinTenant.ToListAsync()).Select(c => c.Id));
        Assert.Equal([second, first], (await acrossTenants.ToListAsync()).Select(c => c.Id));
        Assert.Matches(@"(?m)^-- contacts by email, every organization$", sql);
        Assert.Matches(@"ORDER BY \w+\.normalized_email, \w+\.id DESC", sql);
        Assert.DoesNotContain("organization_id = @", sql, StringComparison.Ordinal);
        Assert.Contains("organization_id = @", withinTenant.ToQueryString(), StringComparison.Ordinal);
    }

    /// <summary>Every part the evaluator maps to EF Core's own methods, in one specification.</summary>
    private sealed class ContactsByEmailAcrossTenantsSpec : Specification<Contact>
    {
        public ContactsByEmailAcrossTenantsSpec(string email, bool ignoreFilters) =>
            Query.Where(c => c.NormalizedEmail == email)
                .OrderBy(c => c.NormalizedEmail).ThenByDescending(c => c.Id)
                .IgnoreQueryFilters(ignoreFilters)
                .AsSplitQuery()
                .AsNoTracking()
                .TagWith("contacts by email, every organization");
    }

    /// <summary>The value <c>ToQueryString()</c> declares for a parameter (<c>-- @name='value'</c>).</summary>
    private static string Parameter(string sql, string name) =>
        Find($@"(?m)^-- @{name}='(?<value>[^']*)'$", sql).Groups["value"].Value;

    private static Match Find(string pattern, string sql)
    {
        var match = Regex.Match(sql, pattern);
        Assert.True(match.Success, $"The SQL does not match {pattern}:\n{sql}");
        return match;
    }

    private static IQueryable<Contact> Query(AsyncServiceScope scope, long organizationId, ContactsPageSpec specification) =>
        EfSpecificationEvaluator.Apply(scope.TenantDb(organizationId).Set<Contact>(), specification);
}
