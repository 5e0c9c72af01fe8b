using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.OpenApi;

/// <summary>
/// <c>/openapi/v1.json</c> as the running service serves it is a document a client generator can use:
/// a real validator (Redocly CLI) finds no error, a generated TypeScript client type-checks a call of
/// each send, and the rules every endpoint must keep (also the ones added later) hold for each operation.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class OpenApiDocumentTests(ApiFactory api)
{
    private static readonly string[] SchemaKeywords = ["type", "$ref", "oneOf", "anyOf", "allOf", "enum", "const"];

    [Fact]
    public async Task Every_operation_has_a_unique_operationId()
    {
        var document = await DocumentAsync();

        var ids = Operations(document).Select(o => (o.Name, Id: o.Operation.TryGetProperty("operationId", out var id) ? id.GetString() : null)).ToList();

        Assert.NotEmpty(ids);
        Assert.Empty(ids.Where(o => o.Id is null || !OperationId().IsMatch(o.Id)).Select(o => o.Name));
        Assert.Empty(ids.GroupBy(o => o.Id).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Contains(ids, o => o is { Name: "POST /v1/messaging/email", Id: "sendChannelEmail" });
        Assert.Contains(ids, o => o is { Name: "POST /v1/email/send", Id: "sendInboxEmail" });
    }

    [Fact]
    public async Task Every_operation_declares_its_errors_as_problem_json_and_its_security()
    {
        var document = await DocumentAsync();
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("api_key").GetProperty("scheme").GetString());

        var missing = new List<string>();
        foreach (var (name, operation) in Operations(document))
        {
            var responses = operation.GetProperty("responses");
            var secured = operation.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
            var expected = new List<string> { "429", "503" };
            if (secured)
            {
                expected.AddRange(["401", "403"]);
                missing.AddRange(security.EnumerateArray().SelectMany(r => r.EnumerateObject())
                    .Where(r => !schemes.TryGetProperty(r.Name, out _)).Select(r => $"{name}: unknown security scheme {r.Name}"));
            }

            if (name.Contains('{', StringComparison.Ordinal))
            {
                expected.Add("404");
            }

            if (operation.TryGetProperty("requestBody", out _) || operation.TryGetProperty("parameters", out _))
            {
                expected.Add("422");
            }

            missing.AddRange(expected.Where(status => !responses.TryGetProperty(status, out _)).Select(status => $"{name}: no {status}"));
            missing.AddRange(responses.EnumerateObject()
                .Where(r => r.Name[0] is '4' or '5' && !(r.Value.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _)))
                .Select(r => $"{name}: {r.Name} is not application/problem+json"));
        }

        Assert.Empty(missing);
        var send = document.GetProperty("paths").GetProperty("/v1/messaging/email").GetProperty("post");
        Assert.Equal("api_key", send.GetProperty("security")[0].EnumerateObject().Single().Name);
    }

    [Fact]
    public async Task No_schema_is_untyped_and_no_computed_member_leaks()
    {
        var document = await DocumentAsync();

        var untyped = new List<string>();
        FindUntyped(document, "#", untyped);

        Assert.Empty(untyped);
        var properties = document.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .SelectMany(s => s.Value.TryGetProperty("properties", out var p) ? p.EnumerateObject().Select(x => x.Name) : []).ToHashSet();
        Assert.DoesNotContain("port_or_default", properties);
        Assert.DoesNotContain("idempotency_key", properties);
        Assert.DoesNotContain("preview", properties);
        var send = document.GetProperty("components").GetProperty("schemas").GetProperty("SendChannelEmailCommand").GetProperty("properties");
        Assert.False(send.TryGetProperty("dry_run", out _), "dry_run is a query parameter, not a field of the body.");
    }

    [Fact]
    public async Task Optional_nullable_fields_are_not_required()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");

        var send = schemas.GetProperty("SendChannelEmailCommand");
        Assert.Equal(["null", "string"], send.GetProperty("properties").GetProperty("subject").GetProperty("type").EnumerateArray().Select(t => t.GetString()!).Order());
        Assert.False(send.TryGetProperty("required", out var required) && required.EnumerateArray().Any(r => r.GetString() == "subject"));
        // What the validator requires unconditionally is required, and not null.
        Assert.Equal(["from", "to"], send.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order());
        Assert.Equal("string", send.GetProperty("properties").GetProperty("to").GetProperty("type").GetString());
        var inbox = schemas.GetProperty("SendInboxEmailCommand");
        Assert.Equal(["creator_id", "inbox", "text"], inbox.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order());
        var sent = schemas.GetProperty("SentEmail");
        Assert.Contains("id", sent.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("integer", sent.GetProperty("properties").GetProperty("id").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Query_parameters_are_snake_case_and_the_conversation_list_has_status_brackets()
    {
        var document = await DocumentAsync();

        var queries = Operations(document)
            .SelectMany(o => o.Operation.TryGetProperty("parameters", out var p) ? p.EnumerateArray().Select(x => (o.Name, Parameter: x)) : [])
            .Where(p => p.Parameter.GetProperty("in").GetString() == "query")
            .Select(p => (p.Name, Query: p.Parameter.GetProperty("name").GetString()!)).ToList();

        Assert.Empty(queries.Where(q => !SnakeCase().IsMatch(q.Query)).Select(q => $"{q.Name} ?{q.Query}"));
        var conversations = queries.Where(q => q.Name == "GET /v1/conversations").Select(q => q.Query).ToList();
        Assert.Contains("status[]", conversations);
        Assert.Contains("status", conversations);
        Assert.Contains("limit", queries.Where(q => q.Name == "GET /v1/messages").Select(q => q.Query));
    }

    [Fact]
    public async Task Both_send_dialects_have_a_request_example()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        var channel = Example(paths, "/v1/messaging/email");
        var inbox = Example(paths, "/v1/email/send");

        Assert.Equal("demo@modular.example.com", channel.GetProperty("from").GetString());
        Assert.True(channel.TryGetProperty("to", out _));
        Assert.Equal(5, inbox.GetProperty("inbox").GetInt32());
        Assert.StartsWith("to:", inbox.GetProperty("targets")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_real_validator_finds_no_error()
    {
        var (folder, file) = await SaveDocumentAsync();

        var (exitCode, output) = await NodeTools.RunAsync("redocly", folder, "lint", file, "--format=stylish");
        await File.WriteAllTextAsync(Path.Combine(folder, "redocly-lint.txt"), output);

        Assert.True(exitCode == 0, $"redocly lint exited with {exitCode}:\n{output}");
        Assert.Contains("Your API description is valid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_generated_TypeScript_client_type_checks_a_call_of_each_send()
    {
        var (_, file) = await SaveDocumentAsync();
        // Inside the tools folder, so the compiler finds openapi-fetch in its node_modules.
        var check = Path.Combine(NodeTools.ToolsFolder(), "check");
        Directory.CreateDirectory(check);
        foreach (var name in new[] { "client.ts", "tsconfig.json" })
        {
            File.Copy(Path.Combine(NodeTools.Repository, "tests", "OpenApiClient", name), Path.Combine(check, name), overwrite: true);
        }

        var generated = await NodeTools.RunAsync("openapi-typescript", check, file, "-o", Path.Combine(check, "schema.d.ts"));
        Assert.True(generated.ExitCode == 0, $"openapi-typescript exited with {generated.ExitCode}:\n{generated.Output}");
        File.Copy(Path.Combine(check, "schema.d.ts"), Path.Combine(Path.GetDirectoryName(file)!, "schema.d.ts"), overwrite: true);

        var (exitCode, output) = await NodeTools.RunAsync("tsc", check, "-p", "tsconfig.json");

        Assert.True(exitCode == 0, $"tsc found errors in the generated client's calls (tests/OpenApiClient/client.ts):\n{output}");
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await api.CreateAnonymousClient().GetAsync("/openapi/v1.json");
        return await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
    }

    /// <summary>The document as served, saved into the test results (openapi/v1.json).</summary>
    private async Task<(string Folder, string File)> SaveDocumentAsync()
    {
        using var response = await api.CreateAnonymousClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var folder = NodeTools.ResultsFolder("openapi");
        var file = Path.Combine(folder, $"v1-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, await response.Content.ReadAsStringAsync());
        File.Copy(file, Path.Combine(folder, "v1.json"), overwrite: true);
        return (folder, file);
    }

    private static IEnumerable<(string Name, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete")
            .Select(o => ($"{o.Name.ToUpperInvariant()} {path.Name}", o.Value)));

    private static JsonElement Example(JsonElement paths, string path) =>
        paths.GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");

    /// <summary>Every schema (a <c>schema</c> value, a component, a property, items, additionalProperties) says what it is.</summary>
    private static void FindUntyped(JsonElement element, string path, List<string> untyped)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                FindUntyped(item, $"{path}/{i++}", untyped);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var member in element.EnumerateObject())
        {
            var at = $"{path}/{member.Name}";
            if (member.Name is "example" or "examples")
            {
                continue;
            }

            if (member.Name is "schema" or "items" || (member.Name == "additionalProperties" && member.Value.ValueKind == JsonValueKind.Object))
            {
                CheckSchema(member.Value, at, untyped);
            }
            else if (member.Name == "properties" || (member.Name == "schemas" && path == "#/components"))
            {
                foreach (var property in member.Value.EnumerateObject())
                {
                    CheckSchema(property.Value, $"{at}/{property.Name}", untyped);
                }
            }

            FindUntyped(member.Value, at, untyped);
        }
    }

    private static void CheckSchema(JsonElement schema, string path, List<string> untyped)
    {
        if (schema.ValueKind == JsonValueKind.Object && !SchemaKeywords.Any(k => schema.TryGetProperty(k, out _)))
        {
            untyped.Add(path);
        }
    }

    [GeneratedRegex("^[a-z][A-Za-z0-9]*$")]
    private static partial Regex OperationId();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\[\])?$")]
    private static partial Regex SnakeCase();
}
