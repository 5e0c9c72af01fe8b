using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Modular.Api.Common;

namespace Modular.Api.Startup;

/// <summary>
/// The largest request body the service reads (<c>Limits:MaxRequestBytes</c>, 2 MiB by default). A
/// <c>Content-Length</c> above it is answered 413 before a byte of the body is read; a body without
/// one (chunked) is cut off by Kestrel at the same size, which also answers 413.
/// </summary>
internal static class RequestLimits
{
    public const long DefaultMaxRequestBytes = 2 * 1024 * 1024;

    public static long MaxRequestBytes(IConfiguration configuration)
    {
        var max = configuration.GetValue("Limits:MaxRequestBytes", DefaultMaxRequestBytes);
        return max > 0 ? max : throw new InvalidOperationException("Limits:MaxRequestBytes must be positive.");
    }

    public static WebApplicationBuilder AddRequestLimits(this WebApplicationBuilder builder)
    {
        var max = MaxRequestBytes(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = max);
        return builder;
    }

    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app, IConfiguration configuration)
    {
        var defaultMax = MaxRequestBytes(configuration);
        return app.Use(async (context, next) =>
        {
            // An endpoint may take more (the raw inbound email endpoint: Inbound:MaxBytes).
            var max = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? defaultMax;
            if (context.Request.ContentLength > max)
            {
                // The client may still be sending: close the connection instead of reading the rest.
                context.Response.Headers.Connection = "close";
                await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request too large",
                    max == defaultMax ? TooLarge(max) : string.Create(CultureInfo.InvariantCulture, $"A request body to this endpoint has at most {max} bytes."));
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = max;
            }

            await next(context);
        });
    }

    public static string TooLarge(long max) =>
        string.Create(CultureInfo.InvariantCulture, $"A request body has at most {max} bytes (Limits:MaxRequestBytes).");
}
