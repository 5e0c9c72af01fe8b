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

            document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
            foreach (var (eventType, data) in WebhookEndpointsCatalog.Types)
            {
                document.Webhooks[eventType] = new OpenApiPathItem
                {
                    Operations = new Dictionary<HttpMethod, OpenApiOperation>
                    {
                        [HttpMethod.Post] = new()
                        {
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
