using System.Diagnostics;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// Verifies DKIM signatures with an implementation independent of MimeKit: Debian's <c>python3-dkim</c>
/// (dkimpy), run by the system Python, which is given the published TXT record instead of asking DNS.
/// </summary>
public static class DkimVerifier
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, dkim
        message = open(sys.argv[1], 'rb').read()
        record = open(sys.argv[2], 'rb').read()
        name = sys.argv[3].encode()
        def dnsfunc(queried, timeout=5):
            return record if queried.rstrip(b'.').lower() == name.lower() else None
        print('valid' if dkim.verify(message, dnsfunc=dnsfunc) else 'invalid')
        """;

    /// <summary>True when the message's DKIM signature verifies against <paramref name="dnsValue"/> published at <paramref name="dnsName"/>.</summary>
    public static async Task<bool> VerifyAsync(byte[] message, string dnsName, string dnsValue)
    {
        var folder = Directory.CreateTempSubdirectory("modular-dkim-");
        try
        {
            var (script, mail, record) = (Path.Combine(folder.FullName, "verify.py"), Path.Combine(folder.FullName, "message.eml"), Path.Combine(folder.FullName, "record.txt"));
            await File.WriteAllTextAsync(script, Script);
            await File.WriteAllBytesAsync(mail, message);
            await File.WriteAllTextAsync(record, dnsValue);
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { script, mail, record, dnsName })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{Python} with dkim failed ({process.ExitCode}): {error}");
            return output.Trim() == "valid";
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The bytes of a DATA transfer as the server keeps them: dot-stuffing undone (RFC 5321 4.5.2).</summary>
    public static byte[] Unstuffed(string data) =>
        System.Text.Encoding.ASCII.GetBytes(string.Join("\r\n", data.Split("\r\n").Select(line => line.StartsWith("..", StringComparison.Ordinal) ? line[1..] : line)));
}
