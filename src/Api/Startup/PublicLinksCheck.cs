using Modular.Application.Messaging.Ports;

namespace Modular.Api.Startup;

/// <summary>Says at start when email cannot offer one-click unsubscribe because <c>Public:BaseUrl</c> is missing.</summary>
internal static partial class PublicLinksCheck
{
    public static void WarnWhenMissing(IServiceProvider services)
    {
        if (services.GetRequiredService<PublicLinks>().BaseUrl is null)
        {
            LogMissing(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PublicLinksCheck).FullName!));
        }
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning,
        Message = "Public:BaseUrl is not set (or is not an absolute http(s) URL): email offers only the mailto: unsubscribe address, without one-click unsubscribe (RFC 8058)")]
    private static partial void LogMissing(ILogger logger);
}
