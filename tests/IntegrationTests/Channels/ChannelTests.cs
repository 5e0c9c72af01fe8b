using System.Net;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Npgsql;

namespace Modular.IntegrationTests.Channels;

[Collection(ApiCollection.Name)]
public sealed class ChannelTests(ApiFactory api)
{
    private const string Path = "/v1/channels";
    private const string Password = "s3cret-Relay-Passw0rd!";

    [Fact]
    public async Task Channel_is_created_with_location_and_body()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new
        {
            Name = "Support",
            Email = "Support@Acme.example.com",
            SenderName = "Acme Support",
            Smtp = new { Host = "smtp.acme.example.com", Port = 587, Security = "starttls", Username = "relay-user", Password },
        });

        var channel = await ApiAssert.CreatedAsync(response, Path);
        Assert.Equal("Support", channel.GetProperty("name").GetString());
        Assert.Equal("Support@Acme.example.com", channel.GetProperty("email").GetString());
        Assert.Equal("Acme Support", channel.GetProperty("sender_name").GetString());
        var smtp = channel.GetProperty("smtp");
        Assert.Equal("smtp.acme.example.com", smtp.GetProperty("host").GetString());
        Assert.Equal(587, smtp.GetProperty("port").GetInt32());
        Assert.Equal("starttls", smtp.GetProperty("security").GetString());
        Assert.Equal("relay-user", smtp.GetProperty("username").GetString());
        Assert.True(smtp.GetProperty("password_set").GetBoolean());
    }

    [Fact]
    public async Task Channel_without_smtp_uses_the_default_relay()
    {
        var organization = await api.CreateOrganizationAsync();

        var channel = await organization.Client.CreateAsync(Path, new { Name = "Support", Email = "support@example.com" });

        Assert.Equal(JsonValueKind.Null, channel.GetProperty("smtp").ValueKind);
        Assert.Equal(JsonValueKind.Null, channel.GetProperty("sender_name").ValueKind);
    }

    [Fact]
    public async Task Smtp_password_is_never_returned()
    {
        var organization = await api.CreateOrganizationAsync();
        using var created = await organization.Client.PostJsonAsync(Path, NewChannel("support@example.com"));
        var id = (await ApiAssert.CreatedAsync(created, Path)).Id();

        using var shown = await organization.Client.GetAsync($"{Path}/{id}");
        using var listed = await organization.Client.GetAsync(Path);
        using var patched = await organization.Client.PatchJsonAsync($"{Path}/{id}", new { Name = "Renamed" });

        foreach (var response in new[] { created, shown, listed, patched })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"password\"", text, StringComparison.Ordinal);
            Assert.Contains("\"password_set\":true", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Smtp_password_is_stored_encrypted()
    {
        var organization = await api.CreateOrganizationAsync();
        var id = (await organization.Client.CreateAsync(Path, NewChannel("support@example.com"))).Id();

        var stored = await ReadStoredPasswordAsync(id);

        Assert.False(string.IsNullOrEmpty(stored));
        Assert.DoesNotContain(Password, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Password)), stored, StringComparison.Ordinal);
        Assert.True(stored!.Length > Password.Length, "An encrypted secret is longer than the plaintext.");
    }

    [Fact]
    public async Task Channel_without_a_password_stores_none()
    {
        var organization = await api.CreateOrganizationAsync();
        var channel = await organization.Client.CreateAsync(Path, new
        {
            Name = "Support",
            Email = "support@example.com",
            Smtp = new { Host = "smtp.example.com", Port = 25, Security = "none" },
        });

        Assert.False(channel.GetProperty("smtp").GetProperty("password_set").GetBoolean());
        Assert.Null(await ReadStoredPasswordAsync(channel.Id()));
    }

    [Fact]
    public async Task Channel_is_shown_by_id()
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync(Path, NewChannel("support@example.com"));

        var shown = await organization.Client.GetOkAsync($"{Path}/{created.Id()}");

        ApiAssert.SameResource(created, shown);
    }

    [Fact]
    public async Task Unknown_channel_is_not_found()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync($"{Path}/999999999");

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("channel.not_found", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Channels_are_listed_and_paged()
    {
        var organization = await api.CreateOrganizationAsync();
        var ids = new List<long>();
        foreach (var name in new[] { "one", "two", "three" })
        {
            ids.Add((await organization.Client.CreateAsync(Path, new { Name = name, Email = $"{name}@example.com" })).Id());
        }

        var all = await organization.Client.GetOkAsync(Path);
        var page = await organization.Client.GetOkAsync($"{Path}?limit=1&offset=2");

        Assert.Equal(ids, all.Ids());
        Assert.Equal(3, all.GetProperty("total").GetInt32());
        Assert.Equal(50, all.GetProperty("limit").GetInt32());
        Assert.Equal(0, all.GetProperty("offset").GetInt32());
        Assert.Equal([ids[2]], page.Ids());
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(1, page.GetProperty("limit").GetInt32());
        Assert.Equal(2, page.GetProperty("offset").GetInt32());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task Channel_list_limit_out_of_range_is_refused_naming_limit(int limit)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync($"{Path}?limit={limit}");

        await ApiAssert.ValidationProblemAsync(response, "limit");
    }

    [Theory]
    [InlineData("support@example.com")]
    [InlineData("SUPPORT@EXAMPLE.COM")]
    [InlineData("Support@Example.Com")]
    public async Task Channel_address_is_unique_in_the_organization_in_any_case(string duplicate)
    {
        var organization = await api.CreateOrganizationAsync();
        await organization.Client.CreateAsync(Path, new { Name = "Support", Email = "support@example.com" });

        using var response = await organization.Client.PostJsonAsync(Path, new { Name = "Other", Email = duplicate });

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("channel.email_taken", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Channel_with_bad_fields_is_refused_naming_each_field()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new
        {
            Name = "",
            Email = "invalid@something",
            Smtp = new { Host = "smtp.example.com", Port = 0, Security = "tls" },
        });

        await ApiAssert.ValidationProblemAsync(response, "name", "email", "smtp.port", "smtp.security");
        Assert.Equal(0, (await organization.Client.GetOkAsync(Path)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Channel_with_bad_relay_host_and_sender_name_is_refused_naming_each_field()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PostJsonAsync(Path, new
        {
            Name = "Support",
            Email = "support@example.com",
            SenderName = "Acme\r\nBcc: victim@example.com",
            Smtp = new { Host = "smtp example.com", Port = 70000, Security = "ssl" },
        });

        await ApiAssert.ValidationProblemAsync(response, "sender_name", "smtp.host", "smtp.port");
    }

    [Theory]
    [InlineData("""{ "name": "Support", "email": "support@example.com", "smtp": { "host": "smtp.example.com", "port": "twenty-five" } }""", "smtp.port")]
    [InlineData("""{ "name": ["Support"], "email": "support@example.com" }""", "name")]
    [InlineData("""{ "name": "Support", "email": "support@example.com", "smtp": "smtp.example.com" }""", "smtp")]
    public async Task Channel_field_of_the_wrong_type_is_refused_naming_it(string json, string field)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, Path, json);

        await ApiAssert.ValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task Patch_changes_name_sender_name_and_relay()
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync(Path, NewChannel("support@example.com"));

        using var response = await organization.Client.PatchJsonAsync($"{Path}/{created.Id()}", new
        {
            Name = "Help desk",
            SenderName = "Acme Help",
            Smtp = new { Host = "smtp.other.example.com", Port = 465, Security = "ssl", Username = "other-user", Password = "another-secret" },
        });

        var patched = await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
        var shown = await organization.Client.GetOkAsync($"{Path}/{created.Id()}");
        foreach (var channel in new[] { patched, shown })
        {
            Assert.Equal("Help desk", channel.GetProperty("name").GetString());
            Assert.Equal("Acme Help", channel.GetProperty("sender_name").GetString());
            Assert.Equal("support@example.com", channel.GetProperty("email").GetString());
            var smtp = channel.GetProperty("smtp");
            Assert.Equal("smtp.other.example.com", smtp.GetProperty("host").GetString());
            Assert.Equal(465, smtp.GetProperty("port").GetInt32());
            Assert.Equal("ssl", smtp.GetProperty("security").GetString());
            Assert.Equal("other-user", smtp.GetProperty("username").GetString());
            Assert.True(smtp.GetProperty("password_set").GetBoolean());
        }

        var stored = await ReadStoredPasswordAsync(created.Id());
        Assert.DoesNotContain("another-secret", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_leaves_what_it_does_not_name()
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync(Path, NewChannel("support@example.com"));
        var storedBefore = await ReadStoredPasswordAsync(created.Id());

        var patched = await ApiAssert.StatusAsync(
            await organization.Client.PatchJsonAsync($"{Path}/{created.Id()}", new { Name = "Renamed" }), HttpStatusCode.OK);

        Assert.Equal("Renamed", patched.GetProperty("name").GetString());
        Assert.Equal(created.GetProperty("sender_name").GetRawText(), patched.GetProperty("sender_name").GetRawText());
        Assert.Equal(created.GetProperty("smtp").GetRawText(), patched.GetProperty("smtp").GetRawText());
        Assert.Equal(storedBefore, await ReadStoredPasswordAsync(created.Id()));
    }

    [Fact]
    public async Task Patch_of_the_relay_without_a_password_keeps_the_password_for_the_same_host_and_user()
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync(Path, NewChannel("support@example.com"));

        var patched = await ApiAssert.StatusAsync(
            await organization.Client.PatchJsonAsync($"{Path}/{created.Id()}", new
            {
                Smtp = new { Host = "smtp.acme.example.com", Port = 2525, Security = "starttls", Username = "relay-user" },
            }),
            HttpStatusCode.OK);

        Assert.Equal(2525, patched.GetProperty("smtp").GetProperty("port").GetInt32());
        Assert.True(patched.GetProperty("smtp").GetProperty("password_set").GetBoolean());
    }

    [Fact]
    public async Task Patch_to_the_default_relay_drops_the_relay_settings()
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync(Path, NewChannel("support@example.com"));

        var patched = await ApiAssert.StatusAsync(
            await organization.Client.PatchJsonAsync($"{Path}/{created.Id()}", new { UseDefaultRelay = true }), HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Null, patched.GetProperty("smtp").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await organization.Client.GetOkAsync($"{Path}/{created.Id()}")).GetProperty("smtp").ValueKind);
        Assert.Null(await ReadStoredPasswordAsync(created.Id()));
    }

    [Fact]
    public async Task Patch_to_the_address_of_another_channel_in_any_case_is_a_conflict()
    {
        var organization = await api.CreateOrganizationAsync();
        await organization.Client.CreateAsync(Path, new { Name = "Sales", Email = "sales@example.com" });
        var support = await organization.Client.CreateAsync(Path, new { Name = "Support", Email = "support@example.com" });

        using var response = await organization.Client.PatchJsonAsync($"{Path}/{support.Id()}", new { Email = "SALES@example.com" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("support@example.com", (await organization.Client.GetOkAsync($"{Path}/{support.Id()}")).GetProperty("email").GetString());
    }

    [Fact]
    public async Task Patch_with_bad_fields_is_refused_naming_each_field_and_changes_nothing()
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync(Path, NewChannel("support@example.com"));

        using var response = await organization.Client.PatchJsonAsync($"{Path}/{created.Id()}", new
        {
            Name = "",
            Email = "invalid@something",
            Smtp = new { Host = "smtp.example.com", Port = 0, Security = "tls" },
        });

        await ApiAssert.ValidationProblemAsync(response, "name", "email", "smtp.port", "smtp.security");
        ApiAssert.SameResource(created, await organization.Client.GetOkAsync($"{Path}/{created.Id()}"));
    }

    [Fact]
    public async Task Patch_of_an_unknown_channel_is_not_found()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.PatchJsonAsync($"{Path}/999999999", new { Name = "Renamed" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Relay_max_connections_is_returned_and_defaults_to_four()
    {
        var organization = await api.CreateOrganizationAsync();

        var given = await organization.Client.CreateAsync(Path, new
        {
            Name = "Bulk",
            Email = "bulk@example.com",
            Smtp = new { Host = "smtp.example.com", Port = 587, Security = "starttls", MaxConnections = 12 },
        });
        var defaulted = await organization.Client.CreateAsync(Path, NewChannel("support@example.com"));

        Assert.Equal(12, given.GetProperty("smtp").GetProperty("max_connections").GetInt32());
        Assert.Equal(12, (await organization.Client.GetOkAsync($"{Path}/{given.Id()}")).GetProperty("smtp").GetProperty("max_connections").GetInt32());
        Assert.Equal(4, defaulted.GetProperty("smtp").GetProperty("max_connections").GetInt32());
    }

    [Fact]
    public async Task Relay_max_connections_is_changed_by_patch_and_kept_when_not_given()
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync(Path, NewChannel("support@example.com"));
        var smtp = created.GetProperty("smtp");
        var relay = new { Host = smtp.GetProperty("host").GetString(), Port = smtp.GetProperty("port").GetInt32(), Security = smtp.GetProperty("security").GetString(), Username = smtp.GetProperty("username").GetString() };

        using var changed = await organization.Client.PatchJsonAsync($"{Path}/{created.Id()}", new { Smtp = new { relay.Host, relay.Port, relay.Security, relay.Username, MaxConnections = 100 } });
        using var kept = await organization.Client.PatchJsonAsync($"{Path}/{created.Id()}", new { Smtp = relay });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        var shown = await organization.Client.GetOkAsync($"{Path}/{created.Id()}");
        Assert.Equal(100, shown.GetProperty("smtp").GetProperty("max_connections").GetInt32());
        Assert.True(shown.GetProperty("smtp").GetProperty("password_set").GetBoolean());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(-3)]
    public async Task Relay_max_connections_outside_1_to_100_is_refused_naming_it(int maxConnections)
    {
        var organization = await api.CreateOrganizationAsync();
        var created = await organization.Client.CreateAsync(Path, NewChannel("support@example.com"));
        var relay = new { Host = "smtp.example.com", Port = 587, Security = "starttls", MaxConnections = maxConnections };

        using var posted = await organization.Client.PostJsonAsync(Path, new { Name = "Bulk", Email = "bulk@example.com", Smtp = relay });
        using var patched = await organization.Client.PatchJsonAsync($"{Path}/{created.Id()}", new { Smtp = relay });

        await ApiAssert.ValidationProblemAsync(posted, "smtp.max_connections");
        await ApiAssert.ValidationProblemAsync(patched, "smtp.max_connections");
        ApiAssert.SameResource(created, await organization.Client.GetOkAsync($"{Path}/{created.Id()}"));
    }

    private static object NewChannel(string email) => new
    {
        Name = "Support",
        Email = email,
        SenderName = "Acme Support",
        Smtp = new { Host = "smtp.acme.example.com", Port = 587, Security = "starttls", Username = "relay-user", Password },
    };

    private async Task<string?> ReadStoredPasswordAsync(long channelId)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT smtp_password_protected FROM channels WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", channelId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"Channel {channelId} has no row.");
        return await reader.IsDBNullAsync(0) ? null : reader.GetString(0);
    }
}
