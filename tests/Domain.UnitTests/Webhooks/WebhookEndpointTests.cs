using Modular.Domain.UnitTests.Support;
using Modular.Domain.Webhooks;

namespace Modular.Domain.UnitTests.Webhooks;

public sealed class WebhookEndpointTests
{
    private static readonly Uri Url = new("https://hooks.example.com/modular");

    [Fact]
    public void A_new_endpoint_is_enabled_with_its_event_types_sorted_once_each()
    {
        var endpoint = Create(["message.sent", "contact.opted_out", "message.sent"]);

        Assert.True(endpoint.Enabled);
        Assert.Equal(["contact.opted_out", "message.sent"], endpoint.EventTypes);
        Assert.True(endpoint.Wants("message.sent"));
        Assert.False(endpoint.Wants("message.failed"));
        Assert.Equal("https://hooks.example.com/modular", endpoint.Url);
    }

    [Fact]
    public void The_wildcard_wants_every_type_and_stands_alone()
    {
        var endpoint = Create(["message.sent", "*"]);

        Assert.Equal(["*"], endpoint.EventTypes);
        Assert.All(WebhookEventTypes.Known, t => Assert.True(endpoint.Wants(t)));
    }

    [Theory]
    [InlineData("message.exploded")]
    [InlineData("")]
    public void Unknown_event_types_are_refused(string type)
    {
        var created = WebhookEndpoint.Create(1, Url, ["message.sent", type], null, "protected", Clock.Now);

        Assert.True(created.IsFailure);
        Assert.Equal(["events"], created.Error!.Fields!.Keys);
    }

    [Fact]
    public void No_event_type_is_refused()
    {
        Assert.True(WebhookEndpoint.Create(1, Url, [], null, "protected", Clock.Now).IsFailure);
        Assert.True(Create(["*"]).ChangeEvents([], Clock.Now).IsFailure);
    }

    [Fact]
    public void A_description_with_a_line_break_is_refused()
    {
        var created = WebhookEndpoint.Create(1, Url, ["*"], "two\nlines", "protected", Clock.Now);

        Assert.Equal(["description"], created.Error!.Fields!.Keys);
    }

    [Fact]
    public void After_a_rotation_both_secrets_sign_for_24_hours_then_only_the_new_one()
    {
        var endpoint = Create(["*"]);

        endpoint.RotateSecret("new", Clock.Later(10));

        Assert.Equal(["new", "protected"], endpoint.SigningSecrets(Clock.Later(10)));
        Assert.Equal(["new", "protected"], endpoint.SigningSecrets(Clock.Later(10) + TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1)));
        Assert.Equal(["new"], endpoint.SigningSecrets(Clock.Later(10) + TimeSpan.FromHours(24)));
        Assert.Equal(Clock.Later(10) + TimeSpan.FromHours(24), endpoint.PreviousSecretExpiresAt);
    }

    [Fact]
    public void Enabling_a_disabled_endpoint_clears_the_reason()
    {
        var endpoint = Create(["*"]);
        endpoint.Disable("Disabled after 30 consecutive failed events.", Clock.Later(1));
        Assert.False(endpoint.Enabled);
        Assert.NotNull(endpoint.DisabledReason);

        endpoint.Enable(Clock.Later(2));

        Assert.True(endpoint.Enabled);
        Assert.Null(endpoint.DisabledReason);
        Assert.Equal(0, endpoint.ConsecutiveFailures);
    }

    private static WebhookEndpoint Create(IReadOnlyList<string> types) =>
        WebhookEndpoint.Create(1, Url, types, "Hooks", "protected", Clock.Now).Value;
}
