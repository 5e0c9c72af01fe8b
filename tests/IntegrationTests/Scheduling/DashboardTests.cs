using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Modular.Api.Operations;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Scheduling;

[Collection(ApiCollection.Name)]
public sealed class DashboardTests(ApiFactory api)
{
    [Fact]
    public async Task Outside_development_the_dashboard_needs_the_admin_key()
    {
        using var anonymous = await api.CreateAnonymousClient().GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);

        var organization = await api.CreateOrganizationAsync();
        using var withOrganizationKey = await organization.Client.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Unauthorized, withOrganizationKey.StatusCode);

        using var withAdminKey = await api.CreateClient(ApiFactory.AdminKey).GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, withAdminKey.StatusCode);

        var basic = api.CreateAnonymousClient();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{ApiFactory.AdminKey}")));
        using var withBasic = await basic.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, withBasic.StatusCode);
    }

    [Fact]
    public async Task Scheduled_deliveries_show_as_one_readable_slot_per_second()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var at = DateTimeOffset.UtcNow.AddHours(1);
        var slot = new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var sent = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => organization.SendAsync(new
        {
            From = channel, To = MailDev.UniqueAddress(), Body = $"Later {i}", ScheduleAt = slot.AddMilliseconds(100 * i).ToString("O", CultureInfo.InvariantCulture),
        })));
        Assert.All(sent, s => Assert.Equal("scheduled", s.GetProperty("delivery_status").GetString()));

        var page = await api.CreateClient(ApiFactory.AdminKey).GetStringAsync("/hangfire/jobs/scheduled?count=1000");

        // One job for the three messages of that second, named for it.
        var name = $"Deliver messages due at {slot:yyyy-MM-dd HH:mm:ss}Z";
        Assert.Equal(1, Occurrences(page, name + "<"));
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Theory]
    [InlineData(true, "127.0.0.1", true)]
    [InlineData(true, "::1", true)]
    [InlineData(true, "203.0.113.9", false)]
    [InlineData(false, "127.0.0.1", false)]
    public void In_development_local_requests_are_let_in_without_a_key(bool development, string remote, bool allowed)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        var authorization = new DashboardAuthorization(development, ApiFactory.AdminKey);

        Assert.Equal(allowed, authorization.IsAllowed(http));
    }
}
