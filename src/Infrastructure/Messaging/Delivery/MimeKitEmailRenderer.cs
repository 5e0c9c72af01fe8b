using Modular.Application.Messaging.Ports;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>The MIME message the transport would send, built and sealed the same way (<see cref="MimeMessageFactory"/>).</summary>
internal sealed class MimeKitEmailRenderer : IEmailRenderer
{
    public byte[] Render(OutgoingEmail email) => MimeMessageFactory.Seal(MimeMessageFactory.Create(email));
}
