using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Modular.Application.Channels;
using Modular.Application.Channels.CreateChannel;
using Modular.Application.Channels.ListChannels;
using Modular.Application.Channels.UpdateChannel;
using Modular.Application.Contacts.ChangeConsent;
using Modular.Application.Contacts.CreateContact;
using Modular.Application.Contacts.ListContacts;
using Modular.Application.Conversations.ListConversationMessages;
using Modular.Application.Conversations.ListConversations;
using Modular.Application.Conversations.UpdateConversation;
using Modular.Application.Inboxes.CreateInbox;
using Modular.Application.Inboxes.ListInboxes;
using Modular.Application.Messaging.SendChannelEmail;
using Modular.Application.Messaging.SendInboxEmail;
using Modular.Application.Organizations.CreateOrganization;
using Modular.Application.Users.CreateUser;
using Modular.Application.Users.ListUsers;

namespace Modular.Application.UnitTests.Common.Validation;

/// <summary>
/// The validation behavior runs the validators the container gives it: a validator that is not
/// registered never runs, and one without tests here is untested.
/// </summary>
[Collection(GlobalValidatorOptions.Name)]
public sealed class ValidatorRegistrationTests
{
    /// <summary>Every validator of the Application assembly, each with its own tests in this project.</summary>
    private static readonly Type[] Tested =
    [
        typeof(CreateChannelValidator),
        typeof(UpdateChannelValidator),
        typeof(ListChannelsValidator),
        typeof(SmtpInputValidator),
        typeof(CreateUserValidator),
        typeof(ListUsersValidator),
        typeof(CreateContactValidator),
        typeof(ChangeConsentValidator),
        typeof(ListContactsValidator),
        typeof(CreateInboxValidator),
        typeof(ListInboxesValidator),
        typeof(CreateOrganizationValidator),
        typeof(Modular.Application.Organizations.CreateApiKey.CreateApiKeyValidator),
        typeof(Modular.Application.Organizations.ListApiKeys.ListApiKeysValidator),
        typeof(Modular.Application.Contacts.UpdateContact.UpdateContactValidator),
        typeof(Modular.Application.Users.UpdateUser.UpdateUserValidator),
        typeof(Modular.Application.Inboxes.UpdateInbox.UpdateInboxValidator),
        typeof(Modular.Application.Messaging.ListMessages.ListMessagesValidator),
        typeof(Modular.Application.Scheduling.RescheduleMessage.RescheduleMessageValidator),
        typeof(SendChannelEmailValidator),
        typeof(SendInboxEmailValidator),
        typeof(ListConversationsValidator),
        typeof(ListConversationMessagesValidator),
        typeof(UpdateConversationValidator),
        typeof(Modular.Application.Messaging.ReceiveEmail.ReceiveEmailValidator),
        typeof(Modular.Application.Messaging.GetMessageSource.GetMessageAttachmentValidator),
        typeof(ImapInputValidator),
        typeof(Modular.Application.Channels.CreateDkimKey.CreateDkimKeyValidator),
        typeof(Modular.Application.Deliverability.AddSuppression.AddSuppressionValidator),
        typeof(Modular.Application.Deliverability.RemoveSuppression.RemoveSuppressionValidator),
        typeof(Modular.Application.Deliverability.ListSuppressions.ListSuppressionsValidator),
        typeof(Modular.Application.Webhooks.CreateWebhook.CreateWebhookValidator),
        typeof(Modular.Application.Webhooks.UpdateWebhook.UpdateWebhookValidator),
        typeof(Modular.Application.Webhooks.ListWebhooks.ListWebhooksValidator),
        typeof(Modular.Application.Webhooks.ListWebhookDeliveries.ListWebhookDeliveriesValidator),
    ];

    private static IEnumerable<Type> ApplicationValidators =>
        typeof(DependencyInjection).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IValidator).IsAssignableFrom(t));

    [Fact]
    public void Every_validator_of_the_application_is_tested_here()
    {
        var untested = ApplicationValidators.Except(Tested).Select(t => t.FullName);

        Assert.Empty(untested);
    }

    [Fact]
    public void Every_validator_is_registered_for_its_message()
    {
        var resolver = ValidatorOptions.Global.DisplayNameResolver;
        try
        {
            var services = new ServiceCollection().AddApplication();

            var missing = ApplicationValidators
                .Select(v => (Validator: v, Service: typeof(IValidator<>).MakeGenericType(ValidatedType(v))))
                .Where(x => !services.Any(d => d.ServiceType == x.Service && d.ImplementationType == x.Validator))
                .Select(x => x.Validator.FullName);
            Assert.Empty(missing);
        }
        finally
        {
            ValidatorOptions.Global.DisplayNameResolver = resolver;
        }
    }

    [Fact]
    public void Registered_validators_name_fields_in_messages_as_clients_send_them()
    {
        var resolver = ValidatorOptions.Global.DisplayNameResolver;
        try
        {
            new ServiceCollection().AddApplication();

            var result = new CreateChannelValidator().Validate(new CreateChannelCommand("Support", "support@example.com", null, new SmtpInput("h", 70000, null, null, null)));

            var failure = Assert.Single(result.Errors);
            Assert.Equal("Smtp.Port", failure.PropertyName);
            Assert.Contains("'port'", failure.ErrorMessage, StringComparison.Ordinal);
        }
        finally
        {
            ValidatorOptions.Global.DisplayNameResolver = resolver;
        }
    }

    private static Type ValidatedType(Type validator)
    {
        for (var type = validator; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(AbstractValidator<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        throw new InvalidOperationException($"{validator} does not derive from AbstractValidator<T>.");
    }
}

/// <summary>
/// Tests that change <see cref="ValidatorOptions.Global"/> (as <c>AddApplication</c> does) run alone, so
/// no other test sees the change.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalValidatorOptions
{
    public const string Name = "Global validator options";
}
