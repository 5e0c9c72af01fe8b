using System.Net;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;

namespace Modular.IntegrationTests.Common;

/// <summary>PATCH of contacts, users and inboxes: what is given changes, bad input is 422, another organization's is 404.</summary>
[Collection(ApiCollection.Name)]
public sealed class EditTests(ApiFactory api)
{
    [Fact]
    public async Task A_contacts_name_is_changed_removed_and_validated()
    {
        var organization = await api.CreateOrganizationAsync();
        var contact = await organization.Client.CreateAsync("/v1/contacts", new { Email = $"ann.{Guid.NewGuid():N}@customer.example.com", Name = "Ann" });

        using (var renamed = await organization.Client.PatchJsonAsync($"/v1/contacts/{contact.Id()}", new { Name = "  Ann Smith " }))
        {
            Assert.Equal("Ann Smith", (await ApiAssert.StatusAsync(renamed, HttpStatusCode.OK)).GetProperty("name").GetString());
        }

        Assert.Equal("Ann Smith", (await organization.Client.GetOkAsync($"/v1/contacts/{contact.Id()}")).GetProperty("name").GetString());

        using (var kept = await organization.Client.PatchJsonAsync($"/v1/contacts/{contact.Id()}", new { }))
        {
            Assert.Equal("Ann Smith", (await ApiAssert.StatusAsync(kept, HttpStatusCode.OK)).GetProperty("name").GetString());
        }

        using (var removed = await organization.Client.PatchJsonAsync($"/v1/contacts/{contact.Id()}", new { Name = "" }))
        {
            Assert.Equal(JsonValueKind.Null, (await ApiAssert.StatusAsync(removed, HttpStatusCode.OK)).GetProperty("name").ValueKind);
        }

        using (var tooLong = await organization.Client.PatchJsonAsync($"/v1/contacts/{contact.Id()}", new { Name = new string('a', 201) }))
        {
            await ApiAssert.ValidationProblemAsync(tooLong, "name");
        }

        using (var lineBreak = await organization.Client.PatchJsonAsync($"/v1/contacts/{contact.Id()}", new { Name = "Ann\r\nBcc: x@y.example" }))
        {
            await ApiAssert.ValidationProblemAsync(lineBreak, "name");
        }

        var other = await api.CreateOrganizationAsync();
        using var foreign = await other.Client.PatchJsonAsync($"/v1/contacts/{contact.Id()}", new { Name = "Mallory" });
        await ApiAssert.ProblemAsync(foreign, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_users_name_and_email_change_and_an_email_of_another_user_is_a_conflict()
    {
        var organization = await api.CreateOrganizationAsync();
        var ann = await organization.Client.CreateAsync("/v1/users", new { Name = "Ann", Email = "ann@acme.example.com" });
        await organization.Client.CreateAsync("/v1/users", new { Name = "Ben", Email = "ben@acme.example.com" });

        using (var changed = await organization.Client.PatchJsonAsync($"/v1/users/{ann.Id()}", new { Name = "Ann Agent", Email = "Ann.Agent@acme.example.com" }))
        {
            var body = await ApiAssert.StatusAsync(changed, HttpStatusCode.OK);
            Assert.Equal("Ann Agent", body.GetProperty("name").GetString());
            Assert.Equal("Ann.Agent@acme.example.com", body.GetProperty("email").GetString());
        }

        using (var sameAddressOtherCase = await organization.Client.PatchJsonAsync($"/v1/users/{ann.Id()}", new { Email = "ann.agent@ACME.example.com" }))
        {
            Assert.Equal(HttpStatusCode.OK, sameAddressOtherCase.StatusCode);
        }

        using (var taken = await organization.Client.PatchJsonAsync($"/v1/users/{ann.Id()}", new { Email = "BEN@acme.example.com" }))
        {
            await ApiAssert.ProblemAsync(taken, HttpStatusCode.Conflict);
        }

        using (var invalid = await organization.Client.PatchJsonAsync($"/v1/users/{ann.Id()}", new { Name = "", Email = "invalid@something" }))
        {
            await ApiAssert.ValidationProblemAsync(invalid, "name", "email");
        }

        var other = await api.CreateOrganizationAsync();
        using var foreign = await other.Client.PatchJsonAsync($"/v1/users/{ann.Id()}", new { Name = "Mallory" });
        await ApiAssert.ProblemAsync(foreign, HttpStatusCode.NotFound);
        Assert.Equal("Ann Agent", (await organization.Client.GetOkAsync($"/v1/users/{ann.Id()}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_inbox_is_renamed_but_keeps_its_channel()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var client = setup.Organization.Client;

        using (var renamed = await client.PatchJsonAsync($"/v1/inboxes/{setup.InboxId}", new { Name = "Billing" }))
        {
            var body = await ApiAssert.StatusAsync(renamed, HttpStatusCode.OK);
            Assert.Equal("Billing", body.GetProperty("name").GetString());
            Assert.Equal(setup.ChannelId, body.GetProperty("channel_id").GetInt64());
        }

        var (otherChannel, _) = await setup.Organization.CreateChannelAsync();
        using (var moved = await client.PatchJsonAsync($"/v1/inboxes/{setup.InboxId}", new { ChannelId = otherChannel }))
        {
            await ApiAssert.ValidationProblemAsync(moved, "channel_id");
        }

        using (var blank = await client.PatchJsonAsync($"/v1/inboxes/{setup.InboxId}", new { Name = " " }))
        {
            await ApiAssert.ValidationProblemAsync(blank, "name");
        }

        var other = await api.CreateOrganizationAsync();
        using var foreign = await other.Client.PatchJsonAsync($"/v1/inboxes/{setup.InboxId}", new { Name = "Mallory" });
        await ApiAssert.ProblemAsync(foreign, HttpStatusCode.NotFound);
        Assert.Equal("Billing", (await client.GetOkAsync($"/v1/inboxes/{setup.InboxId}")).GetProperty("name").GetString());
    }
}
