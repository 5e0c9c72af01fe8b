using System.Net.Sockets;
using System.Text;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// The real IMAP server (Dovecot, started by test.sh with a throwaway configuration under .local/).
/// Tests put mail into it with IMAP APPEND, byte for byte (a LITERAL+ literal), each test in a folder
/// of its own of the user <c>modular</c>.
/// </summary>
public static class Dovecot
{
    public const string User = "modular";
    public const string Password = "modular";

    public static string Host => "127.0.0.1";

    /// <summary><c>Dovecot__Port</c> (test.sh sets it from MODULAR_IMAP_PORT), else 1143.</summary>
    public static int Port => int.TryParse(Environment.GetEnvironmentVariable("Dovecot__Port"), out var port) ? port : 1143;

    /// <summary>The channel's <c>imap</c> settings for a folder of the test user.</summary>
    public static object Settings(string folder) => new { Host, Port, Security = "none", Username = User, Password, Folder = folder };

    /// <summary>Creates a new, empty folder and returns its name.</summary>
    public static async Task<string> CreateFolderAsync()
    {
        var folder = $"t{Guid.NewGuid():N}";
        await using var session = await Session.OpenAsync();
        await session.CommandAsync($"CREATE {folder}");
        return folder;
    }

    /// <summary>Deletes a folder and creates it again (a new UIDVALIDITY).</summary>
    public static async Task RecreateFolderAsync(string folder)
    {
        await using var session = await Session.OpenAsync();
        await session.CommandAsync($"DELETE {folder}");
        await session.CommandAsync($"CREATE {folder}");
    }

    /// <summary>APPENDs each message, exactly as given, to the folder.</summary>
    public static async Task AppendAsync(string folder, params byte[][] messages)
    {
        await using var session = await Session.OpenAsync();
        foreach (var message in messages)
        {
            await session.CommandAsync($"APPEND {folder} {{{message.Length}+}}", message);
        }
    }

    private sealed class Session : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly StreamReader _reader;
        private int _tag;

        private Session(TcpClient client)
        {
            _client = client;
            _stream = client.GetStream();
            _reader = new StreamReader(_stream, Encoding.ASCII);
        }

        public static async Task<Session> OpenAsync()
        {
            var client = new TcpClient();
            await client.ConnectAsync(Host, Port);
            var session = new Session(client);
            _ = await session._reader.ReadLineAsync();
            await session.CommandAsync($"LOGIN {User} {Password}");
            return session;
        }

        /// <summary>Sends a command (with a literal after it, if given) and waits for its tagged OK.</summary>
        public async Task CommandAsync(string command, byte[]? literal = null)
        {
            var tag = $"T{++_tag}";
            var bytes = Encoding.ASCII.GetBytes($"{tag} {command}\r\n");
            await _stream.WriteAsync(bytes);
            if (literal is not null)
            {
                await _stream.WriteAsync(literal);
                await _stream.WriteAsync("\r\n"u8.ToArray());
            }

            while (await _reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    Assert.True(line.StartsWith($"{tag} OK", StringComparison.Ordinal), $"IMAP {command.Split(' ')[0]} failed: {line}");
                    return;
                }
            }

            Assert.Fail($"The IMAP server closed the connection during {command.Split(' ')[0]}.");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _stream.WriteAsync(Encoding.ASCII.GetBytes($"T{++_tag} LOGOUT\r\n"));
            }
            catch (IOException)
            {
                // Already closed.
            }

            _reader.Dispose();
            _client.Dispose();
        }
    }
}
