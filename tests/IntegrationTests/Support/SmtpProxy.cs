using System.Net;
using System.Net.Sockets;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// A TCP relay to the real SMTP server that a test can take down and bring back, on a port of its own:
/// while it is down nothing listens (connections are refused, as with a stopped server).
/// </summary>
public sealed class SmtpProxy : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private TcpListener? _listener;
    private CancellationTokenSource? _running;

    public SmtpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }

    /// <summary>How many connections the proxy accepted since it was made.</summary>
    public int Connections => _connections;

    private int _connections;

    public void Start()
    {
        _running = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptLoopAsync(_listener, _running.Token);
    }

    public void Stop()
    {
        _running?.Cancel();
        _listener?.Stop();
        _listener = null;
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                Interlocked.Increment(ref _connections);
                _ = RelayAsync(client, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(_targetHost, _targetPort, cancellationToken);
                var a = client.GetStream().CopyToAsync(upstream.GetStream(), cancellationToken);
                var b = upstream.GetStream().CopyToAsync(client.GetStream(), cancellationToken);
                await Task.WhenAny(a, b);
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException)
            {
                // Either side went away.
            }
        }
    }
}
