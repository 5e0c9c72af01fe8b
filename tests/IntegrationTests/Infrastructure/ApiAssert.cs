using System.Net;
using System.Text.Json;

namespace Modular.IntegrationTests.Infrastructure;

/// <summary>Assertions on HTTP answers: status codes, created resources and problem details (RFC 9457).</summary>
public static class ApiAssert
{
    /// <summary>Asserts the status (showing the body when it differs) and returns the JSON body.</summary>
    public static async Task<JsonElement> StatusAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            Assert.Fail($"Expected {(int)expected} {expected} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}, "
                + $"got {(int)response.StatusCode} {response.StatusCode}: {text}");
        }

        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>201 with a <c>Location</c> of <c>{collection}/{id}</c> naming the created resource.</summary>
    public static async Task<JsonElement> CreatedAsync(HttpResponseMessage response, string collection)
    {
        var body = await StatusAsync(response, HttpStatusCode.Created);
        var id = body.GetProperty("id").GetInt64();
        Assert.True(id > 0);
        Assert.Equal($"{collection.TrimEnd('/')}/{id}", response.Headers.Location?.OriginalString);
        return body;
    }

    /// <summary>An <c>application/problem+json</c> answer with this status in the body too.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await StatusAsync(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonValueKind.Object, problem.ValueKind);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>A 422 whose <c>errors</c> object names exactly <paramref name="fields"/>, each with a message.</summary>
    public static async Task<JsonElement> ValidationProblemAsync(HttpResponseMessage response, params string[] fields)
    {
        var problem = await ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var errors = problem.GetProperty("errors");
        var named = errors.EnumerateObject().Select(field => field.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(fields.Order(StringComparer.Ordinal), named);
        foreach (var field in errors.EnumerateObject())
        {
            Assert.NotEmpty(field.Value.EnumerateArray());
            Assert.All(field.Value.EnumerateArray(), message => Assert.False(string.IsNullOrWhiteSpace(message.GetString())));
        }

        return problem;
    }

    /// <summary>
    /// The same resource. Times are compared to the microsecond: PostgreSQL keeps microseconds, so a create's
    /// answer (made before the row was stored) can carry a tenth of a microsecond more than a later read.
    /// </summary>
    public static void SameResource(JsonElement expected, JsonElement actual) =>
        Assert.Equal(Canonical(expected), Canonical(actual));

    private static string Canonical(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().Select(p => $"\"{p.Name}\":{Canonical(p.Value)}")) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Canonical)) + "]",
        JsonValueKind.String when element.TryGetDateTimeOffset(out var time) =>
            new DateTimeOffset(time.Ticks - (time.Ticks % 10), time.Offset).ToString("O"),
        _ => element.GetRawText(),
    };
}
