using Modular.Application.Common.Specifications;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks;

public sealed class WebhooksPageSpec(int? skip = null, int? take = null) : PageSpec<WebhookEndpoint>(skip, take);
