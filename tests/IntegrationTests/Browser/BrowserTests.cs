using Microsoft.Playwright;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Scheduling;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Browser;

/// <summary>
/// The pages a person opens, in a real browser: Debian's chromium driven by Playwright (no browser
/// download: <c>ExecutablePath</c> is the package's binary). The service runs as its own process outside
/// Development, so the dashboard asks for the admin key as it does in production. Screenshots go to
/// .local/test-results/screenshots.
/// </summary>
public sealed class BrowserTests
{
    /// <summary>The binary of Debian's chromium package (/usr/bin/chromium is a wrapper script around it).</summary>
    private static readonly string Chromium = new[] { "/usr/lib/chromium/chromium", "/usr/bin/chromium" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("Debian's chromium is not installed: apt-get install -y chromium (./test.sh does it).");

    [Fact]
    public async Task Scalar_shows_both_send_operations()
    {
        await using var api = await ApiProcess.StartAsync(TestDatabase.Own("_browser"));
        await using var browser = await LaunchAsync();
        var page = await (await browser.Browser.NewContextAsync(new() { BaseURL = api.BaseAddress.ToString() })).NewPageAsync();

        var response = await page.GotoAsync("/scalar");

        Assert.Equal(200, response?.Status);
        // Scalar renders the document in the page: each operation by its summary.
        var channelSend = page.GetByText("Send an email from a channel (now, or at schedule_at)").First;
        var inboxSend = page.GetByText("Send an email from an inbox: a new thread to targets, or a reply in convo_id").First;
        await channelSend.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await inboxSend.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.ScreenshotAsync(new() { Path = Screenshot("scalar.png"), FullPage = false });
        // The sidebar entry opens the operation: its request body and the API-key authentication.
        await inboxSend.ClickAsync();
        await page.GetByText("creator_id").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.ScreenshotAsync(new() { Path = Screenshot("scalar-inbox-send.png") });
    }

    [Fact]
    public async Task The_dashboard_shows_a_scheduled_slot_job_by_its_name_to_the_admin_only()
    {
        await using var api = await ApiProcess.StartAsync(TestDatabase.Own("_browser"));
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress("later"), Body = "Later", ScheduleAt = ScheduledSendTests.At(TimeSpan.FromHours(2)) });
        await using var browser = await LaunchAsync();

        // Without the key: 401 with a Basic challenge (a page load would stop at the browser's login prompt).
        var stranger = await browser.Browser.NewContextAsync(new() { BaseURL = api.BaseAddress.ToString() });
        var refused = await stranger.APIRequest.GetAsync("/hangfire");
        Assert.Equal(401, refused.Status);
        Assert.StartsWith("Basic", refused.Headers["www-authenticate"], StringComparison.Ordinal);

        // A browser answers the Basic challenge with the admin key as the password.
        var admin = await (await browser.Browser.NewContextAsync(new()
        {
            BaseURL = api.BaseAddress.ToString(),
            HttpCredentials = new HttpCredentials { Username = "admin", Password = ApiFactory.AdminKey },
        })).NewPageAsync();
        var dashboard = await admin.GotoAsync("/hangfire/jobs/scheduled");

        Assert.Equal(200, dashboard?.Status);
        var slot = admin.GetByText("Deliver messages due at").First;
        await slot.WaitForAsync();
        Assert.Matches(@"Deliver messages due at \d{4}-\d{2}-\d{2}", await slot.InnerTextAsync());
        await admin.ScreenshotAsync(new() { Path = Screenshot("hangfire-scheduled.png"), FullPage = true });
    }

    private static string Screenshot(string name) => Path.Combine(NodeTools.ResultsFolder("screenshots"), name);

    private static async Task<Session> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        return new Session(playwright, browser);
    }

    private sealed record Session(IPlaywright Playwright, IBrowser Browser) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Browser.DisposeAsync();
            Playwright.Dispose();
        }
    }
}
