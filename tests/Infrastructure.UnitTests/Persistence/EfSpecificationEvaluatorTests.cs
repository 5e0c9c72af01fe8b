using Ardalis.Specification;
using Modular.Domain.Contacts;
using Modular.Domain.Conversations;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.UnitTests.Persistence;

/// <summary>How Ardalis Include/ThenInclude chains become EF Core's navigation paths.</summary>
public sealed class EfSpecificationEvaluatorTests
{
    [Fact]
    public void Each_include_chain_becomes_one_dotted_path()
    {
        var spec = new Build<Conversation>(q => q.Include(c => c.Participants));

        Assert.Equal(["Participants"], EfSpecificationEvaluator.IncludePaths(spec.IncludeExpressions));
    }

    [Fact]
    public void ThenInclude_extends_the_path_of_the_include_before_it_and_a_new_include_starts_another()
    {
        var spec = new Build<Parent>(q =>
        {
            q.Include(p => p.Children).ThenInclude(c => c.Toys);
            q.Include(p => p.Pet!.Owner);
        });

        Assert.Equal(["Children.Toys", "Pet.Owner"], EfSpecificationEvaluator.IncludePaths(spec.IncludeExpressions));
    }

    [Fact]
    public void A_filtered_include_is_refused_with_the_expression_named()
    {
        var spec = new Build<Contact>(q => q.Include(c => c.Consents.Where(x => x.ChannelId == 1)));

        var refused = Assert.Throws<NotSupportedException>(() => EfSpecificationEvaluator.IncludePaths(spec.IncludeExpressions).ToList());
        Assert.Contains("Where", refused.Message, StringComparison.Ordinal);
    }

    private sealed record Parent(List<Child> Children, Pet? Pet);

    private sealed record Child(List<string> Toys);

    private sealed record Pet(Parent Owner);

    private sealed class Build<T> : Specification<T>
    {
        public Build(Action<ISpecificationBuilder<T>> build) => build(Query);
    }
}
