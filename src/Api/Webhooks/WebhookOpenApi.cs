using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Modular.Application.Webhooks;

namespace Modular.Api.Webhooks;

/// <summary>Puts the webhook payloads in the OpenAPI document: their schemas, and one entry per event type under <c>webhooks</c>.</summary>
internal static class WebhookOpenApi
{
    public static OpenApiOptions AddWebhookPayloads(this OpenApiOptions options) =>
        options.AddDocumentTransformer(async (document, context, cancellationToken) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            foreach (var type in new[] { typeof(WebhookEnvelope), typeof(MessageEventData), typeof(MessageReportEventData), typeof(ContactEventData), typeof(ContactErasedEventData) })
            {
                document.Components.Schemas[type.Name] = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
            }

            // data is one of the four payloads (which one the type says): typed, not "any".
            if (document.Components.Schemas[nameof(WebhookEnvelope)] is OpenApiSchema { Properties: { } envelope } && envelope.ContainsKey("data"))
            {
                envelope["data"] = new OpenApiSchema
                {
                    Description = "MessageEventData for message.* (MessageReportEventData for message.bounced and message.complained), ContactEventData for contact.* (ContactErasedEventData for contact.erased).",
                    OneOf =
                    [
                        new OpenApiSchemaReference(nameof(MessageEventData), document),
                        new OpenApiSchemaReference(nameof(MessageReportEventData), document),
                        new OpenApiSchemaReference(nameof(ContactEventData), document),
                        new OpenApiSchemaReference(nameof(ContactErasedEventData), document),
                    ],
                };
            }

            document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
            foreach (var (eventType, data) in WebhookEndpointsCatalog.Types)
            {
                document.Webhooks[eventType] = new OpenApiPathItem
                {
                    Operations = new Dictionary<HttpMethod, OpenApiOperation>
                    {
                        [HttpMethod.Post] = new()
                        {
                            OperationId = "webhook" + string.Concat(eventType.Split('.', '_').Select(w => char.ToUpperInvariant(w[0]) + w[1..])),
                            // The receiver checks the signature, not a key of this service: no security scheme applies.
                            Security = [new OpenApiSecurityRequirement()],
                            Summary = $"{eventType}: a WebhookEnvelope whose data is {data}",
                            Description = WebhookEndpointsCatalog.Signing,
                            RequestBody = new OpenApiRequestBody
                            {
                                Content = new Dictionary<string, OpenApiMediaType>
                                {
                                    ["application/json"] = new() { Schema = new OpenApiSchemaReference(nameof(WebhookEnvelope), document) },
                                },
                            },
                            Responses = new OpenApiResponses { ["200"] = new OpenApiResponse { Description = "Any 2xx within 15 s: delivered." } },
                        },
                    },
                };
            }
        });
}
