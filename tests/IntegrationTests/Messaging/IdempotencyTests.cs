using System.Net;
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
}
