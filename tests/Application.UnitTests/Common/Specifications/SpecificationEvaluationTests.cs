using Ardalis.Specification;
using Modular.Application.Common.Specifications;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Contacts;

namespace Modular.Application.UnitTests.Common.Specifications;

/// <summary>How a specification's parts combine when Ardalis.Specification's in-memory evaluator runs it over a list.</summary>
public sealed class SpecificationEvaluationTests
{
    private static readonly List<Contact> People =
    [
        Aggregates.Contact(1, "ann@example.com", "Ann", organizationId: 1, createdAt: Clock.Later(1)),
        Aggregates.Contact(2, "bob@example.com", "Bob", organizationId: 1, createdAt: Clock.Later(2)),
        Aggregates.Contact(3, "ann.lee@example.com", "Ann", organizationId: 1, createdAt: Clock.Later(3)),
        Aggregates.Contact(4, "cid@example.com", null, organizationId: 1, createdAt: Clock.Later(4)),
        Aggregates.Contact(5, "ann@other.example", "Ann", organizationId: 2, createdAt: Clock.Later(5)),
        Aggregates.Contact(6, "abe@example.com", "Abe", organizationId: 1, createdAt: Clock.Later(3)),
    ];

    [Fact]
    public void A_specification_without_parts_returns_the_source_as_it_is()
    {
        var spec = new ContactsSpec(_ => { });

        Assert.Equal([1L, 2, 3, 4, 5, 6], Ids(spec.Evaluate(People)));
        Assert.Empty(spec.WhereExpressions);
        Assert.Empty(spec.OrderExpressions);
        Assert.Equal(-1, spec.Skip); // Ardalis.Specification: -1 = not set
        Assert.Equal(-1, spec.Take); // Ardalis.Specification: -1 = not set
        Assert.False(spec.AsNoTracking);
    }

    [Fact]
    public void Criteria_are_combined_with_AND()
    {
        var spec = new ContactsSpec(q => q.Where(c => c.OrganizationId == 1).Where(c => c.Name == "Ann"));

        Assert.Equal([1L, 3], Ids(spec.Evaluate(People)));
        Assert.Equal(2, spec.WhereExpressions.Count());
    }

    [Fact]
    public void Criteria_that_exclude_each_other_match_nothing()
    {
        var spec = new ContactsSpec(q => q.Where(c => c.Id < 3).Where(c => c.Id > 3));

        Assert.Empty(spec.Evaluate(People));
    }

    [Fact]
    public void Descending_order_reverses_the_key()
    {
        var spec = new ContactsSpec(q => q.OrderByDescending(c => c.Id));

        Assert.Equal([6L, 5, 4, 3, 2, 1], Ids(spec.Evaluate(People)));
    }

    [Fact]
    public void Later_keys_break_ties_of_earlier_ones_in_their_own_direction()
    {
        // Name ascending (null first), then CreatedAt descending, then Id ascending.
        var spec = new ContactsSpec(q => q.OrderBy(c => c.Name).ThenByDescending(c => c.CreatedAt).ThenBy(c => c.Id));

        Assert.Equal([4L, 6, 5, 3, 1, 2], Ids(spec.Evaluate(People)));
        Assert.Equal([OrderTypeEnum.OrderBy, OrderTypeEnum.ThenByDescending, OrderTypeEnum.ThenBy], spec.OrderExpressions.Select(o => o.OrderType));
    }

    [Fact]
    public void A_descending_first_key_with_an_ascending_tie_breaker()
    {
        var spec = new ContactsSpec(q => q.OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id));

        Assert.Equal([5L, 4, 3, 6, 2, 1], Ids(spec.Evaluate(People)));
    }

    [Fact]
    public void Paging_applies_after_criteria_and_ordering()
    {
        var spec = new ContactsSpec(q => q.Where(c => c.OrganizationId == 1).OrderByDescending(c => c.Id).Skip(1).Take(2));

        Assert.Equal([4L, 3], Ids(spec.Evaluate(People)));
        Assert.Equal(1, spec.Skip);
        Assert.Equal(2, spec.Take);
    }

    [Fact]
    public void Skip_alone_drops_the_first_items_and_keeps_the_rest()
    {
        var spec = new ContactsSpec(q => q.OrderBy(c => c.Id).Skip(4));

        Assert.Equal([5L, 6], Ids(spec.Evaluate(People)));
        Assert.Equal(-1, spec.Take); // Ardalis.Specification: -1 = not set
    }

    [Fact]
    public void Take_alone_keeps_the_first_items()
    {
        var spec = new ContactsSpec(q => q.OrderBy(c => c.Id).Take(2));

        Assert.Equal([1L, 2], Ids(spec.Evaluate(People)));
        Assert.Equal(-1, spec.Skip); // Ardalis.Specification: -1 = not set
    }

    [Fact]
    public void A_page_past_the_end_is_empty()
    {
        var spec = new ContactsSpec(q => q.OrderBy(c => c.Id).Skip(10).Take(5));

        Assert.Empty(spec.Evaluate(People));
    }

    [Fact]
    public void No_tracking_is_a_flag_for_the_evaluator_and_changes_nothing_in_memory()
    {
        var tracked = new ContactsSpec(q => q.OrderBy(c => c.Id));
        var untracked = new ContactsSpec(q => q.OrderBy(c => c.Id).AsNoTracking());

        Assert.False(tracked.AsNoTracking);
        Assert.True(untracked.AsNoTracking);
        Assert.Equal(Ids(tracked.Evaluate(People)), Ids(untracked.Evaluate(People)));
    }

    [Fact]
    public void Includes_are_recorded_for_the_evaluator()
    {
        var spec = new ContactsSpec(q => q.Include(c => c.Consents));

        var include = Assert.Single(spec.IncludeExpressions);
        Assert.Equal(IncludeTypeEnum.Include, include.Type);
        Assert.Same(People[0].Consents, include.LambdaExpression.Compile().DynamicInvoke(People[0]));
        Assert.Equal([1L, 2, 3, 4, 5, 6], Ids(spec.Evaluate(People)));
    }

    [Fact]
    public void Evaluation_leaves_the_source_untouched()
    {
        var source = People.ToList();
        var spec = new ContactsSpec(q => q.OrderByDescending(c => c.Id).Take(1));

        _ = spec.Evaluate(source).ToList();

        Assert.Equal(Ids(People), Ids(source));
    }

    [Fact]
    public void By_id_finds_the_one_entity_with_that_id_and_tracks_it()
    {
        var spec = new ByIdSpec<Contact>(3);

        var found = Assert.Single(spec.Evaluate(People));
        Assert.Equal("ann.lee@example.com", found.Email);
        Assert.False(spec.AsNoTracking);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(-1)]
    public void By_id_finds_nothing_for_an_unknown_id(long id) =>
        Assert.Empty(new ByIdSpec<Contact>(id).Evaluate(People));

    private static List<long> Ids(IEnumerable<Contact> contacts) => [.. contacts.Select(c => c.Id)];

    /// <summary>A specification built by the test, through the same builder the application's use.</summary>
    private sealed class ContactsSpec : Specification<Contact>
    {
        public ContactsSpec(Action<ISpecificationBuilder<Contact>> build) => build(Query);
    }
}
