using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Messaging;

[Collection(ApiCollection.Name)]
public sealed class IdempotencyTests(ApiFactory api)
{
    private const int Concurrent = 50;

    public static TheoryData<string> Endpoints => ["channel", "inbox"];

    private sealed record Endpoint(string Path, HttpStatusCode Success, Func<string, string, object> Body);

    private async Task<(TestOrganization Organization, Endpoint Endpoint)> SetUpAsync(string kind)
    {
        var setup = await InboxSetup.CreateAsync(api);
        return kind == "channel"
            ? (setup.Organization, new Endpoint("/v1/messaging/email", HttpStatusCode.Created,
                (to, text) => new { From = setup.ChannelEmail, To = to, Body = text, Subject = "Once" }))
            : (setup.Organization, new Endpoint("/v1/email/send", HttpStatusCode.OK,
                (to, text) => new { CreatorId = setup.UserId, Inbox = setup.InboxId, Text = text, ConvTitle = "Once", Targets = new[] { $"to:{to}" } }));
    }

    private static long MessageId(System.Text.Json.JsonElement answer) =>
        answer.TryGetProperty("data", out var data) ? data.GetProperty("id").GetInt64() : answer.GetProperty("id").GetInt64();

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Fifty_concurrent_requests_with_one_new_local_id_get_the_same_answer_and_one_email_is_delivered(string kind)
    {
        var (organization, endpoint) = await SetUpAsync(kind);
        var to = MailDev.UniqueAddress();
        var key = $"order-{Guid.NewGuid():N}";
        var body = endpoint.Body(to, "Hello once");
        var withKey = System.Text.Json.JsonSerializer.SerializeToNode(body, HttpJson.Options)!.AsObject();
        withKey["local_id"] = key;

        using var start = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, Concurrent).Select(async _ =>
        {
            await start.WaitAsync();
            using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, endpoint.Path, withKey.ToJsonString());
            var answer = await ApiAssert.StatusAsync(response, endpoint.Success);
            return (Answer: answer.GetRawText(), Replayed: response.Headers.Contains("Idempotent-Replayed"));
        }).ToList();
        start.Release(Concurrent);
        var results = await Task.WhenAll(requests);

        Assert.Single(results.Select(r => r.Answer).Distinct());
        Assert.Equal(Concurrent - 1, results.Count(r => r.Replayed));
        var messageId = MessageId(System.Text.Json.JsonDocument.Parse(results[0].Answer).RootElement);
        await organization.WaitForStatusAsync(messageId, TimeSpan.FromSeconds(20), "sent");
        Assert.Single(await MailDev.WaitForAsync(to));
        await Task.Delay(1000);
        Assert.Single(await MailDev.ForRecipientAsync(to));
        Assert.Equal(1, (await organization.Client.GetOkAsync("/v1/conversations")).GetProperty("total").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Repeat_returns_the_first_answer_with_the_replay_header_and_creates_nothing(string kind)
    {
        var (organization, endpoint) = await SetUpAsync(kind);
        var to = MailDev.UniqueAddress();
        var key = $"k-{Guid.NewGuid():N}";

        async Task<(string Body, bool Replayed)> SendAsync()
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, endpoint.Path)
            {
                Content = System.Net.Http.Json.JsonContent.Create(endpoint.Body(to, "Hi"), options: HttpJson.Options),
            };
            message.Headers.Add("Idempotency-Key", key);
            using var response = await organization.Client.SendAsync(message);
            var answer = await ApiAssert.StatusAsync(response, endpoint.Success);
            return (answer.GetRawText(), response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Single() == "true");
        }

        var first = await SendAsync();
        var second = await SendAsync();

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.Body, second.Body);
        var messages = await organization.Client.GetOkAsync("/v1/conversations");
        Assert.Equal(1, messages.GetProperty("total").GetInt32());
        var conversation = messages.GetProperty("data")[0].GetProperty("id").GetInt64();
        Assert.Equal(1, (await organization.Client.GetOkAsync($"/v1/conversations/{conversation}/messages")).GetProperty("total").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Same_local_id_with_another_request_answers_422_naming_local_id(string kind)
    {
        var (organization, endpoint) = await SetUpAsync(kind);
        var to = MailDev.UniqueAddress();
        var key = $"k-{Guid.NewGuid():N}";

        string WithKey(string text)
        {
            var node = System.Text.Json.JsonSerializer.SerializeToNode(endpoint.Body(to, text), HttpJson.Options)!.AsObject();
            node["local_id"] = key;
            return node.ToJsonString();
        }

        using (var first = await organization.Client.SendRawJsonAsync(HttpMethod.Post, endpoint.Path, WithKey("First text")))
        {
            await ApiAssert.StatusAsync(first, endpoint.Success);
        }

        using var second = await organization.Client.SendRawJsonAsync(HttpMethod.Post, endpoint.Path, WithKey("Another text"));

        await ApiAssert.ValidationProblemAsync(second, "local_id");
        var conversations = await organization.Client.GetOkAsync("/v1/conversations");
        var conversation = conversations.GetProperty("data")[0].GetProperty("id").GetInt64();
        Assert.Equal(1, (await organization.Client.GetOkAsync($"/v1/conversations/{conversation}/messages")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Keys_are_per_organization()
    {
        var key = $"shared-{Guid.NewGuid():N}";
        var first = await InboxSetup.CreateAsync(api);
        var second = await InboxSetup.CreateAsync(api);

        var a = await first.Organization.SendAsync(new { From = first.ChannelEmail, To = MailDev.UniqueAddress(), Body = "Hi", LocalId = key });
        var b = await second.Organization.SendAsync(new { From = second.ChannelEmail, To = MailDev.UniqueAddress(), Body = "Hi", LocalId = key });

        Assert.NotEqual(a.Id(), b.Id());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task After_the_retention_window_the_same_key_creates_a_new_message(string kind)
    {
        var (organization, endpoint) = await SetUpAsync(kind);
        var key = $"late-{Guid.NewGuid():N}";
        string WithKey()
        {
            var node = System.Text.Json.JsonSerializer.SerializeToNode(endpoint.Body(MailDev.UniqueAddress(), "Again"), HttpJson.Options)!.AsObject();
            node["local_id"] = key;
            return node.ToJsonString();
        }

        using var first = await organization.Client.SendRawJsonAsync(HttpMethod.Post, endpoint.Path, WithKey());
        var firstId = MessageId(await ApiAssert.StatusAsync(first, endpoint.Success));
        Assert.Equal(1, await AgeKeysAsync(organization, TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1), key));

        // Another request under the expired key: not a replay, not a 422, a new message.
        using var second = await organization.Client.SendRawJsonAsync(HttpMethod.Post, endpoint.Path, WithKey());
        var secondId = MessageId(await ApiAssert.StatusAsync(second, endpoint.Success));

        Assert.False(second.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(firstId, secondId);
        using var third = await organization.Client.SendRawJsonAsync(HttpMethod.Post, endpoint.Path, WithKey());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, third.StatusCode);
    }

    [Fact]
    public async Task The_expiry_job_removes_keys_older_than_the_window_and_keeps_the_others()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var keys = Enumerable.Range(0, 3).Select(i => $"expiry-{i}-{Guid.NewGuid():N}").ToList();
        foreach (var key in keys)
        {
            await setup.Organization.SendAsync(new { From = setup.ChannelEmail, To = MailDev.UniqueAddress(), Body = "Hi", LocalId = key });
        }

        await AgeKeysAsync(setup.Organization, TimeSpan.FromDays(8), keys[0], keys[1]);
        await AgeKeysAsync(setup.Organization, TimeSpan.FromDays(6), keys[2]);

        await using (var scope = api.Services.CreateAsyncScope())
        {
            var job = scope.ServiceProvider.GetRequiredService<Modular.Infrastructure.Messaging.Idempotency.IdempotencyExpiryJob>();
            Assert.True(await job.RemoveExpiredAsync(CancellationToken.None) >= 2);
        }

        Assert.Equal([keys[2]], await KeysAsync(setup.Organization));
    }

    /// <summary>Moves the creation time of this organization's records of <paramref name="keys"/> back by <paramref name="age"/>.</summary>
    private static async Task<int> AgeKeysAsync(TestOrganization organization, TimeSpan age, params string[] keys)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ApiFactory.SharedConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "UPDATE idempotency_keys SET created_at = now() - @age WHERE organization_id = @organization AND key = ANY(@keys)", connection);
        command.Parameters.AddWithValue("age", age);
        command.Parameters.AddWithValue("organization", organization.Id);
        command.Parameters.AddWithValue("keys", keys);
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> KeysAsync(TestOrganization organization)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ApiFactory.SharedConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT key FROM idempotency_keys WHERE organization_id = @organization ORDER BY key", connection);
        command.Parameters.AddWithValue("organization", organization.Id);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
