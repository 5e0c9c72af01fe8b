using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Modular.IntegrationTests.Support;

/// <summary>A real HTTP server on 127.0.0.1 that serves files for attachment tests and counts requests.</summary>
public sealed class AttachmentServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Content, string ContentType)> _files = new();
    private readonly ConcurrentDictionary<string, int> _hits = new();

    private AttachmentServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = string.Empty;

    public static async Task<AttachmentServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new AttachmentServer(app);
        app.MapGet("/files/{name}", (string name, HttpContext context) =>
        {
            server._hits.AddOrUpdate(name, 1, (_, n) => n + 1);
            if (!server._files.TryGetValue(name, out var file))
            {
                return Results.NotFound();
            }

            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            return Results.Bytes(file.Content, file.ContentType);
        });
        app.MapGet("/redirect/{name}", (string name) => Results.Redirect($"/files/{name}"));
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    /// <summary>Serves <paramref name="content"/> at <c>/files/{name}</c> and returns its URL.</summary>
    public string Serve(string name, byte[] content, string contentType)
    {
        _files[name] = (content, contentType);
        return $"{BaseUrl}/files/{name}";
    }

    public int Hits(string name) => _hits.GetValueOrDefault(name);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
