using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Messaging;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>The default relay (<c>Smtp</c> section) used by channels without relay settings of their own.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1025;

    public string Security { get; set; } = "none";

    public string? Username { get; set; }

    public string? Password { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public SmtpRoute ToRoute() => new(Host, Port, Application.Channels.SmtpInput.ParseSecurity(Security), Username, Password);
}

/// <summary>
/// Sends with MailKit, one connection per delivery, and classifies failures: before the server had the
/// whole message (connect, auth, envelope, a 4xx) is transient; a 5xx is permanent; a connection lost
/// after the last byte of DATA was written is uncertain, because the server may have accepted it.
/// </summary>
internal sealed class MailKitEmailTransport(IOptions<SmtpOptions> options) : IEmailTransport
{
    public async Task<TransportOutcome> SendAsync(OutgoingEmail email, SmtpRoute? route, CancellationToken cancellationToken)
    {
        var relay = route ?? options.Value.ToRoute();
        var message = MimeMessageFactory.Create(email);
        var progress = new DataProgress();
        var phase = DeliveryPhase.Connect;
        using var client = new SmtpClient { Timeout = (int)options.Value.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(relay.Host, relay.Port, ToSocketOptions(relay.Security), cancellationToken);
            if (!string.IsNullOrEmpty(relay.Username))
            {
                phase = DeliveryPhase.Authenticate;
                await client.AuthenticateAsync(relay.Username, relay.Password ?? string.Empty, cancellationToken);
            }

            phase = DeliveryPhase.Envelope;
            var reply = await client.SendAsync(
                message, MailboxAddress.Parse(email.EnvelopeFrom), MimeMessageFactory.EnvelopeRecipients(email), cancellationToken, progress);
            await QuitQuietlyAsync(client);
            return TransportOutcome.Sent(250, reply);
        }
        catch (SmtpCommandException exception)
        {
            var code = (int)exception.StatusCode;
            var failedPhase = exception.ErrorCode switch
            {
                SmtpErrorCode.MessageNotAccepted => DeliveryPhase.Data,
                SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.RecipientNotAccepted => DeliveryPhase.Envelope,
                _ => phase,
            };
            return new TransportOutcome(code >= 500 ? AttemptOutcome.Permanent : AttemptOutcome.Transient, failedPhase, code, exception.Message);
        }
        catch (AuthenticationException exception)
        {
            return new TransportOutcome(AttemptOutcome.Permanent, DeliveryPhase.Authenticate, 535, exception.Message);
        }
        catch (Exception exception) when (progress.Complete && IsConnectionFailure(exception))
        {
            return new TransportOutcome(AttemptOutcome.Uncertain, DeliveryPhase.Data, null,
                $"The connection broke after the message was handed over: {exception.Message}");
        }
        catch (Exception exception) when (IsConnectionFailure(exception))
        {
            return new TransportOutcome(AttemptOutcome.Transient, progress.Started ? DeliveryPhase.Data : phase, null, exception.Message);
        }
    }

    private static bool IsConnectionFailure(Exception exception) => exception is SocketException or IOException
        or SmtpProtocolException or TimeoutException or SslHandshakeException or ServiceNotConnectedException
        or OperationCanceledException;

    private static SecureSocketOptions ToSocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };

    private static async Task QuitQuietlyAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception exception) when (IsConnectionFailure(exception))
        {
            // The server already accepted the message; a failed QUIT changes nothing.
        }
    }

    /// <summary>Watches the DATA transfer: whether it began, and whether every byte was written.</summary>
    private sealed class DataProgress : ITransferProgress
    {
        public bool Started { get; private set; }

        public bool Complete { get; private set; }

        public void Report(long bytesTransferred, long totalSize)
        {
            Started = true;
            Complete = totalSize > 0 && bytesTransferred >= totalSize;
        }

        public void Report(long bytesTransferred) => Started = true;
    }
}
