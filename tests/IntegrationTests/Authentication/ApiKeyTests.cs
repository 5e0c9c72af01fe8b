using System.Net;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Authentication;

/// <summary>An organization's keys as records: listed, issued, revoked, expiring.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiKeyTests(ApiFactory api)
{
    [Fact]
    public async Task The_first_key_is_listed_by_its_prefix_and_never_by_the_key_or_its_hash()
    {
        var organization = await api.CreateOrganizationAsync();

        var list = await organization.Client.GetOkAsync("/v1/api_keys");

        var key = Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.StartsWith(key.GetProperty("prefix").GetString()!, organization.ApiKey, StringComparison.Ordinal);
        Assert.True(key.GetProperty("prefix").GetString()!.Length < organization.ApiKey.Length);
        Assert.Equal("first key", key.GetProperty("name").GetString());
        Assert.Equal(
            ["created_at", "expires_at", "id", "last_used_at", "name", "prefix"],
            key.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(organization.ApiKey[4..], list.GetRawText(), StringComparison.Ordinal);
        // Listing used the key: its use is recorded (at most once a minute).
        Assert.Equal(JsonValueKind.String, key.GetProperty("last_used_at").ValueKind);
    }

    [Fact]
    public async Task A_second_key_is_shown_once_works_and_is_listed_without_the_key()
    {
        var organization = await api.CreateOrganizationAsync();
        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);

        var created = await organization.Client.CreateAsync("/v1/api_keys", new { Name = "ci", ExpiresAt = expiresAt });

        var secret = created.GetProperty("api_key").GetString()!;
        Assert.StartsWith("mod_", secret, StringComparison.Ordinal);
        Assert.NotEqual(organization.ApiKey, secret);
        Assert.Equal("ci", created.GetProperty("name").GetString());
        Assert.Equal(expiresAt.ToUnixTimeMilliseconds(), created.GetProperty("expires_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("last_used_at").ValueKind);

        using var second = api.CreateClient(secret);
        var users = await second.GetOkAsync("/v1/users");
        Assert.Equal(0, users.GetProperty("total").GetInt32());

        var list = await organization.Client.GetOkAsync("/v1/api_keys");
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        Assert.Contains(created.Id(), list.Ids());
        Assert.DoesNotContain(secret[4..], list.GetRawText(), StringComparison.Ordinal);
        var listed = list.GetProperty("data").EnumerateArray().Single(k => k.Id() == created.Id());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("last_used_at").ValueKind);
        Assert.False(listed.TryGetProperty("api_key", out _));
    }

    [Fact]
    public async Task A_key_without_a_body_field_gets_no_name_and_no_expiry()
    {
        var organization = await api.CreateOrganizationAsync();

        var created = await organization.Client.CreateAsync("/v1/api_keys", new { });

        Assert.Equal(JsonValueKind.Null, created.GetProperty("name").ValueKind);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("expires_at").ValueKind);
    }

    [Fact]
    public async Task An_expiry_in_the_past_or_a_bad_name_is_422_naming_the_field()
    {
        var organization = await api.CreateOrganizationAsync();

        using var past = await organization.Client.PostJsonAsync("/v1/api_keys", new { ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        await ApiAssert.ValidationProblemAsync(past, "expires_at");

        using var longName = await organization.Client.PostJsonAsync("/v1/api_keys", new { Name = new string('k', 101) });
        await ApiAssert.ValidationProblemAsync(longName, "name");

        using var lineBreak = await organization.Client.PostJsonAsync("/v1/api_keys", new { Name = "a\nb" });
        await ApiAssert.ValidationProblemAsync(lineBreak, "name");

        using var notADate = await organization.Client.SendRawJsonAsync(HttpMethod.Post, "/v1/api_keys", """{"expires_at":"tomorrow"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notADate.StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_and_the_others_keep_working()
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync("/v1/api_keys", new { Name = "to revoke" });
        using var revokedClient = api.CreateClient(created.GetProperty("api_key").GetString()!);
        await revokedClient.GetOkAsync("/v1/users");

        using var revoke = await organization.Client.DeleteAsync($"/v1/api_keys/{created.Id()}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        using var refused = await revokedClient.GetAsync("/v1/users");
        await ApiAssert.ProblemAsync(refused, HttpStatusCode.Unauthorized);
        await organization.Client.GetOkAsync("/v1/users");
        var list = await organization.Client.GetOkAsync("/v1/api_keys");
        Assert.DoesNotContain(created.Id(), list.Ids());

        using var again = await organization.Client.DeleteAsync($"/v1/api_keys/{created.Id()}");
        await ApiAssert.ProblemAsync(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_key_in_use_may_revoke_itself()
    {
        var organization = await api.CreateOrganizationAsync();
        var first = (await organization.Client.GetOkAsync("/v1/api_keys")).Ids().Single();
        var spare = await organization.Client.CreateAsync("/v1/api_keys", new { Name = "spare" });

        using var revoke = await organization.Client.DeleteAsync($"/v1/api_keys/{first}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        using var refused = await organization.Client.GetAsync("/v1/api_keys");
        await ApiAssert.ProblemAsync(refused, HttpStatusCode.Unauthorized);
        using var spareClient = api.CreateClient(spare.GetProperty("api_key").GetString()!);
        var list = await spareClient.GetOkAsync("/v1/api_keys");
        Assert.Equal([spare.Id()], list.Ids());
    }

    [Fact]
    public async Task Another_organizations_key_is_404_and_stays_valid()
    {
        var owner = await api.CreateOrganizationAsync();
        var other = await api.CreateOrganizationAsync();
        var key = (await owner.Client.GetOkAsync("/v1/api_keys")).Ids().Single();

        using var response = await other.Client.DeleteAsync($"/v1/api_keys/{key}");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        await owner.Client.GetOkAsync("/v1/users");
        Assert.DoesNotContain(key, (await other.Client.GetOkAsync("/v1/api_keys")).Ids());
    }

    [Fact]
    public async Task A_key_stops_working_when_its_expiry_passes_even_while_it_is_cached()
    {
        var organization = await api.CreateOrganizationAsync();
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(4);
        var created = await organization.Client.CreateAsync("/v1/api_keys", new { ExpiresAt = expiresAt });
        using var expiring = api.CreateClient(created.GetProperty("api_key").GetString()!);
        // Used (and so cached) before its expiry.
        await expiring.GetOkAsync("/v1/users");

        var wait = expiresAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(50));
        }

        using var refused = await expiring.GetAsync("/v1/users");
        await ApiAssert.ProblemAsync(refused, HttpStatusCode.Unauthorized);
        // An expired key is still listed, with its expiry, until it is revoked.
        Assert.Contains(created.Id(), (await organization.Client.GetOkAsync("/v1/api_keys")).Ids());
    }
}
