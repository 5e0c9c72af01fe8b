using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Modular.Api.Authentication;

namespace Modular.Api.Common;

/// <summary>
/// Conventions that make <c>/openapi/v1.json</c> a document a client generator can use, applied to every
/// endpoint without anything on the endpoint itself: typed strings, honest <c>required</c> lists, no
/// computed members, an <c>operationId</c> for each operation, the problem+json errors each one can
/// answer, the API-key security scheme and snake_case query parameters. See docs/api.md.
/// </summary>
internal static class OpenApiConventions
{
    /// <summary>The security scheme of the API key (Authorization: Bearer; X-Api-Key works as well).</summary>
    public const string SecurityScheme = "api_key";

    /// <summary>The component schema of every error answer.</summary>
    public const string ProblemSchema = "ProblemDetails";

    /// <summary>What each group of endpoints is for (Scalar shows it above the group). A new tag without one only warns in the lint.</summary>
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Messaging"] = "Sending email: channel-style (from a channel's address) or inbox-style (from an inbox, to targets or in a thread).",
        ["Inbound"] = "Email received: raw MIME handed to a channel (the IMAP watcher does the same on its own).",
        ["Administration"] = "Organizations and their first API key; the admin key only.",
        ["Users"] = "The people of an organization who send from its inboxes.",
        ["Channels"] = "Sending addresses with their SMTP relay (or the default one), mailbox and DKIM key.",
        ["Inboxes"] = "Shared inboxes over a channel, for the inbox-style send.",
        ["Contacts"] = "The people emailed, and their consent per channel.",
        ["Messages"] = "Each email with its delivery status and attempts; scheduled sends can be rescheduled or canceled.",
        ["Conversations"] = "Threads between a channel and a contact, with their messages.",
        ["Suppressions"] = "Addresses never sent to (bounced, complained, unsubscribed, or added by hand).",
        ["Webhooks"] = "Endpoints that receive signed events (message.*, contact.*), with their delivery log.",
    };

    public static OpenApiOptions AddModularConventions(this OpenApiOptions options)
    {
        options.AddSchemaTransformer((schema, context, _) =>
        {
            TypeStrings(schema, context);
            PlainNumbers(schema);
            DropComputedMembers(schema, context);
            RequireValidatedMembers(schema, context);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            NameOperation(operation, context);
            SnakeCaseQueryParameters(operation);
            DeclareErrors(operation, context);
            DeclareSecurity(operation, context);
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Modular";
            document.Info.Description =
                "Email conversations over your own SMTP and IMAP. Authenticate with an organization's API key: "
                + "`Authorization: Bearer <key>` (or `X-Api-Key: <key>`). Errors are RFC 9457 problem details.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An organization's API key (or the admin key for /v1/admin). `X-Api-Key: <key>` is accepted too.",
            };
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[ProblemSchema] = Problem();
            foreach (var tag in document.Tags?.AsEnumerable() ?? [])
            {
                tag.Description ??= tag.Name is { } name && TagDescriptions.TryGetValue(name, out var text) ? text : null;
            }

            UniqueOperationIds(document);
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/');
            }

            return Task.CompletedTask;
        });
        return options;
    }

    /// <summary>
    /// NoNulStringConverter (a custom converter for <see cref="string"/>) hides the type from the schema
    /// generator, which then writes <c>{}</c>. The converter reads and writes plain JSON strings, so say so.
    /// </summary>
    private static void TypeStrings(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        // A list of strings loses its items altogether (an "any" item is left out): put them back.
        if (context.JsonTypeInfo.ElementType == typeof(string) && schema.Type is { } listType
            && listType.HasFlag(JsonSchemaType.Array) && schema.Items is null)
        {
            schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
        }

        // The same for the values of a map of strings (compliance_results: address → reason).
        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Dictionary
            && context.JsonTypeInfo.ElementType == typeof(string) && schema.AdditionalProperties is null)
        {
            schema.AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String };
        }

        if (context.JsonTypeInfo.Type != typeof(string) || schema.Type is not null)
        {
            return;
        }

        schema.Type = context.JsonPropertyInfo is { } property && (property.IsGetNullable || property.IsSetNullable)
            ? JsonSchemaType.String | JsonSchemaType.Null
            : JsonSchemaType.String;
    }

    /// <summary>
    /// The web JSON defaults also read numbers written as strings, so the generator documents an id as
    /// <c>integer | string</c> with a digits pattern. This service writes numbers as numbers: document that
    /// (a client that sends a number is always understood), so generated clients type ids as numbers.
    /// </summary>
    private static void PlainNumbers(OpenApiSchema schema)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String)
            && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
    }

    /// <summary>
    /// An object's nullable members are optional in requests (a client may leave them out), and a member
    /// computed from others (no setter, no constructor parameter: <c>port_or_default</c>) is no part of the
    /// contract. Both rules read the type itself, so a new request type follows them without attributes.
    /// </summary>
    private static void DropComputedMembers(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (schema.Properties is null)
        {
            return;
        }

        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (property.Set is null && property.AssociatedParameter is null)
            {
                schema.Properties.Remove(property.Name);
                schema.Required?.Remove(property.Name);
                continue;
            }

            if (schema.Required is not null && (property.IsSetNullable || property.AssociatedParameter is { IsNullable: true }
                || property.AssociatedParameter is { HasDefaultValue: true }))
            {
                schema.Required.Remove(property.Name);
            }
        }

        if (schema.Required is { Count: 0 })
        {
            schema.Required = null;
        }
    }

    /// <summary>
    /// The request types are all-nullable records (a missing field must become a 422 naming it, not a
    /// binding error), so the type alone says nothing is required. Their validator does: a member with an
    /// unconditional NotNull or NotEmpty rule is required and not null (<c>from</c> and <c>to</c> of the
    /// channel send; <c>creator_id</c>, <c>inbox</c> and <c>text</c> of the inbox send).
    /// </summary>
    private static void RequireValidatedMembers(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (schema.Properties is null || context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        using var scope = context.ApplicationServices.CreateScope();
        if (scope.ServiceProvider.GetService(typeof(IValidator<>).MakeGenericType(context.JsonTypeInfo.Type)) is not IValidator validator)
        {
            return;
        }

        var descriptor = validator.CreateDescriptor();
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (property.AttributeProvider is not MemberInfo member || !schema.Properties.TryGetValue(property.Name, out var propertySchema)
                || !descriptor.GetRulesForMember(member.Name).SelectMany(r => r.Components)
                    .Any(c => !c.HasCondition && !c.HasAsyncCondition && c.Validator is INotNullValidator or INotEmptyValidator))
            {
                continue;
            }

            schema.Required ??= new HashSet<string>(StringComparer.Ordinal);
            schema.Required.Add(property.Name);
            if (propertySchema is OpenApiSchema { Type: { } type } concrete)
            {
                concrete.Type = type & ~JsonSchemaType.Null;
            }
            else if (propertySchema is OpenApiSchema { Type: null } untypedString && property.PropertyType == typeof(string))
            {
                // Typed here, before TypeStrings reaches the property (it would add null).
                untypedString.Type = JsonSchemaType.String;
            }
        }
    }

    /// <summary>
    /// Every operation has an <c>operationId</c>: the endpoint's own name (<c>WithName</c>) when it has one,
    /// else one made from the method and the route: <c>GET /v1/messages/{id}</c> → <c>getMessagesById</c>.
    /// </summary>
    private static void NameOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        if (!string.IsNullOrEmpty(operation.OperationId))
        {
            return;
        }

        var description = context.Description;
        operation.OperationId = OperationIdOf(description.HttpMethod ?? "GET", description.RelativePath ?? string.Empty);
    }

    /// <summary><c>POST</c>, <c>v1/messages/{id}/cancel</c> → <c>postMessagesByIdCancel</c> (the version segment is left out).</summary>
    public static string OperationIdOf(string method, string relativePath)
    {
        var name = new StringBuilder(method.ToLowerInvariant());
        foreach (var segment in relativePath.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment.Length == 2 && segment[0] == 'v' && char.IsDigit(segment[1]))
            {
                continue;
            }

            if (segment.StartsWith('{'))
            {
                var parameter = segment.Trim('{', '}').Split(':')[0];
                name.Append("By");
                AppendPascal(name, parameter);
            }
            else
            {
                AppendPascal(name, segment);
            }
        }

        return name.ToString();
    }

    private static void AppendPascal(StringBuilder name, string words)
    {
        foreach (var word in words.Split(['_', '-', '.'], StringSplitOptions.RemoveEmptyEntries))
        {
            name.Append(char.ToUpperInvariant(word[0])).Append(word[1..]);
        }
    }

    /// <summary>Two routes that differ only in punctuation would share an id: number the later ones.</summary>
    private static void UniqueOperationIds(OpenApiDocument document)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            var id = operation.OperationId ?? string.Empty;
            for (var n = 2; !seen.Add(id); n++)
            {
                id = operation.OperationId + n.ToString(CultureInfo.InvariantCulture);
            }

            operation.OperationId = id;
        }
    }

    /// <summary>
    /// Query parameters bound from a record with <c>[AsParameters]</c> take the C# name (<c>Limit</c>);
    /// binding ignores case, so a one-word name is documented in lower case. A name of more words
    /// (<c>ChannelId</c>) would not bind as <c>channel_id</c>: it is left as it is, and the OpenAPI test
    /// fails until the endpoint names it with <c>[FromQuery(Name = "channel_id")]</c>.
    /// </summary>
    private static void SnakeCaseQueryParameters(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.In == ParameterLocation.Query && parameter.Name is { Length: > 0 } name
                && name.Skip(1).All(c => !char.IsUpper(c)))
            {
                parameter.Name = name.ToLowerInvariant();
            }
        }
    }

    /// <summary>
    /// The errors an operation can answer, each as problem+json, from what the endpoint is: 401/403 unless
    /// anonymous, 404 with a route parameter, 409 for writes, 413 with a body, 422 with any input, 429
    /// unless rate limiting is off, 503 always (the database away). An endpoint's own declaration wins.
    /// </summary>
    private static void DeclareErrors(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var method = description.HttpMethod?.ToUpperInvariant() ?? "GET";
        var hasBody = operation.RequestBody is not null;
        var hasInput = hasBody || operation.Parameters is { Count: > 0 };

        var errors = new List<(int Status, string Description)>();
        if (!anonymous)
        {
            errors.Add((401, "No API key, or one that is not valid."));
            errors.Add((403, "The key may not use this endpoint (an organization's key on /v1/admin, or the admin key elsewhere)."));
        }

        if (description.RelativePath?.Contains('{', StringComparison.Ordinal) == true)
        {
            errors.Add((404, "Not found, or another organization's."));
        }

        if (method is "POST" or "PUT" or "PATCH" or "DELETE")
        {
            errors.Add((409, "The resource is not in a state that allows this, or it already exists."));
        }

        if (hasBody)
        {
            errors.Add((413, "The request body is larger than this service accepts."));
        }

        if (hasInput)
        {
            errors.Add((422, "A field is invalid: errors names each field and why."));
        }

        if (!metadata.OfType<DisableRateLimitingAttribute>().Any())
        {
            errors.Add((429, "The rate limit was reached: retry after the seconds in Retry-After."));
        }

        errors.Add((503, "The database cannot be reached at the moment: retry after the seconds in Retry-After."));

        operation.Responses ??= new OpenApiResponses();
        foreach (var (status, text) in errors)
        {
            var key = status.ToString(CultureInfo.InvariantCulture);
            if (operation.Responses.ContainsKey(key))
            {
                continue;
            }

            operation.Responses[key] = new OpenApiResponse
            {
                Description = text,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
                },
            };
        }
    }

    private static void DeclareSecurity(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(SecurityScheme, context.Document)] = [],
        });
    }

    /// <summary>RFC 9457 problem details as this service writes them (<c>trace_id</c> always; <c>code</c> and <c>errors</c> where they apply).</summary>
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A stable code for the error, where it has one." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "422 only: each invalid field (snake_case, with [i] for list elements) and its reasons.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };

    /// <summary>Sets the JSON example of an operation's request body (Scalar shows it and sends it as is).</summary>
    public static TBuilder WithRequestExample<TBuilder>(this TBuilder builder, string json)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
            {
                body.Example = JsonNode.Parse(json);
            }

            return Task.CompletedTask;
        });
}
