using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Modular.IntegrationTests.Infrastructure;

/// <summary>Sends bodies as the API takes them (snake_case JSON) and reads its answers.</summary>
public static class HttpJson
{
    /// <summary>C# property names become snake_case: <c>new { SenderName = "x" }</c> sends <c>sender_name</c>.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body, Options);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string path, object body) =>
        client.PatchAsJsonAsync(path, body, Options);

    /// <summary>Sends <paramref name="json"/> as it is, for bodies no C# object would produce (wrong types, bad JSON).</summary>
    public static async Task<HttpResponseMessage> SendRawJsonAsync(this HttpClient client, HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        return await client.SendAsync(request);
    }

    /// <summary>The body as JSON; <see cref="JsonValueKind.Undefined"/> when it is empty.</summary>
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>Sends and expects success, returning the JSON answer.</summary>
    public static async Task<JsonElement> GetOkAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await ApiAssert.StatusAsync(response, System.Net.HttpStatusCode.OK);
    }

    /// <summary>Posts and expects 201, returning the created resource.</summary>
    public static async Task<JsonElement> CreateAsync(this HttpClient client, string path, object body)
    {
        using var response = await client.PostJsonAsync(path, body);
        return await ApiAssert.CreatedAsync(response, path);
    }

    /// <summary>The ids of a list answer's <c>data</c>, in order.</summary>
    public static long[] Ids(this JsonElement list) =>
        [.. list.GetProperty("data").EnumerateArray().Select(item => item.GetProperty("id").GetInt64())];

    public static long Id(this JsonElement resource) => resource.GetProperty("id").GetInt64();
}
