using System.Net;
using Modular.IntegrationTests.Infrastructure;

namespace Modular.IntegrationTests.Common;

[Collection(ApiCollection.Name)]
public sealed class ErrorResponseTests(ApiFactory api)
{
    [Fact]
    public async Task Unknown_route_with_a_valid_key_is_not_found_as_problem_details()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync("/v1/no-such-thing");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Id_that_is_not_a_number_is_not_found()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync("/v1/channels/abc");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Body_that_is_not_json_is_refused_with_problem_details()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, "/v1/users", "{ not json");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Problem_details_carry_a_trace_id()
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync("/v1/channels/999999999");

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("trace_id").GetString()));
    }
}
