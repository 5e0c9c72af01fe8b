using Modular.Application.Common.Behaviors;

namespace Modular.Application.UnitTests.Common.Validation;

public sealed class FieldNamesTests
{
    [Theory]
    [InlineData("Smtp.Host", "smtp.host")]
    [InlineData("Cc[0]", "cc[0]")]
    [InlineData("OptInTo[1].Id", "opt_in_to[1].id")]
    [InlineData("ChannelIds", "channel_ids")]
    [InlineData("SenderName", "sender_name")]
    [InlineData("Name", "name")]
    [InlineData("UseDefaultRelay", "use_default_relay")]
    [InlineData("OptInToAllChannels", "opt_in_to_all_channels")]
    [InlineData("ChannelIds[12]", "channel_ids[12]")]
    [InlineData("Smtp.Port", "smtp.port")]
    [InlineData("Recipients[0].DisplayName", "recipients[0].display_name")]
    [InlineData("HTMLBody", "html_body")]
    public void Property_paths_become_the_snake_case_names_clients_send(string property, string field) =>
        Assert.Equal(field, FieldNames.ToSnakeCase(property));

    [Theory]
    [InlineData("limit")]
    [InlineData("smtp.host")]
    [InlineData("opt_in_to[1].id")]
    [InlineData("")]
    public void Names_already_in_snake_case_stay_as_they_are(string field) =>
        Assert.Equal(field, FieldNames.ToSnakeCase(field));
}
