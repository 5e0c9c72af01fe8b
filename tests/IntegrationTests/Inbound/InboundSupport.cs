using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Inbound;

/// <summary>Raw emails for inbound tests, and posting them to <c>POST /v1/channels/{id}/inbound</c>.</summary>
internal static class InboundSupport
{
    /// <summary>A plain email with CRLF line ends; <paramref name="headers"/> come after the usual ones.</summary>
    public static byte[] Email(string from, string to, string subject, string body, string? messageId = null, params string[] headers)
    {
        var builder = new StringBuilder();
        builder.Append("From: ").Append(from).Append("\r\n");
        builder.Append("To: ").Append(to).Append("\r\n");
        builder.Append("Subject: ").Append(subject).Append("\r\n");
        builder.Append("Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n");
        builder.Append("Message-ID: <").Append(messageId ?? NewMessageId()).Append(">\r\n");
        foreach (var header in headers)
        {
            builder.Append(header).Append("\r\n");
        }

        builder.Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").Append(body).Append("\r\n");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    public static string NewMessageId() => $"{Guid.NewGuid():N}@mail.customer.example.com";

    public static async Task<HttpResponseMessage> PostRawAsync(this HttpClient client, long channelId, byte[] raw, string contentType = "message/rfc822")
    {
        using var content = new ByteArrayContent(raw);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await client.PostAsync($"/v1/channels/{channelId}/inbound", content);
    }

    /// <summary>Posts and expects 202; returns the answer.</summary>
    public static async Task<JsonElement> ReceiveAsync(this TestOrganization organization, long channelId, byte[] raw)
    {
        using var response = await organization.Client.PostRawAsync(channelId, raw);
        var body = await ApiAssert.StatusAsync(response, HttpStatusCode.Accepted);
        Assert.Equal($"/v1/messages/{body.Id()}", response.Headers.Location?.ToString());
        return body;
    }

    public static long Long(this JsonElement element, string property) => element.GetProperty(property).GetInt64();
}
