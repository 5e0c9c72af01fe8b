using Mediator;
using Modular.Api.Common;
using Modular.Application.Common.Validation;
using Modular.Application.Contacts;
using Modular.Application.Contacts.ChangeConsent;
using Modular.Application.Contacts.CreateContact;
using Modular.Application.Contacts.EraseContact;
using Modular.Application.Contacts.UpdateContact;
using Modular.Application.Contacts.GetContact;
using Modular.Application.Contacts.ListContacts;
using Modular.Domain.Contacts;

namespace Modular.Api.Contacts;

internal static class ContactEndpoints
{
    public static void MapContactEndpoints(this IEndpointRouteBuilder app)
    {
        var contacts = app.MapGroup("/v1/contacts").WithTags("Contacts");

        contacts.MapPost("/", async (CreateContactCommand body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body, ct)).ToCreated(c => $"/v1/contacts/{c.Id}"))
            .WithSummary("Create a contact, optionally opted in to channels")
            .Produces<ContactResponse>(StatusCodes.Status201Created);

        contacts.MapGet("/", async ([AsParameters] ListContactsQuery query, ISender sender, CancellationToken ct) =>
                (await sender.Send(query, ct)).ToOk())
            .WithSummary("List contacts, or find one by email")
            .Produces<ListResponse<ContactResponse>>();

        contacts.MapGet("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new GetContactQuery(id), ct)).ToOk())
            .WithSummary("Show a contact with its consent per channel")
            .Produces<ContactResponse>();

        contacts.MapPatch("/{id:long}", async (long id, UpdateContactRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(new UpdateContactCommand(id, body.Name), ct)).ToOk())
            .WithSummary("Change a contact's name (an empty string removes it)")
            .Produces<ContactResponse>();

        contacts.MapDelete("/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
                (await sender.Send(new EraseContactCommand(id), ct)).ToNoContent())
            .WithSummary("Erase a contact (GDPR): its personal data in contacts, conversations and messages; scheduled messages to it are canceled")
            .Produces(StatusCodes.Status204NoContent);

        contacts.MapPost("/{id:long}/opt_in", async (long id, ConsentRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body.ToCommand(id, ConsentState.OptedIn), ct)).ToOk())
            .WithSummary("Opt a contact in to channels")
            .Produces<ContactResponse>();

        contacts.MapPost("/{id:long}/opt_out", async (long id, ConsentRequest body, ISender sender, CancellationToken ct) =>
                (await sender.Send(body.ToCommand(id, ConsentState.OptedOut), ct)).ToOk())
            .WithSummary("Opt a contact out of channels: nothing is sent to it on them")
            .Produces<ContactResponse>();
    }
}

/// <summary>The body of opt_in and opt_out: some channels, or all of them.</summary>
internal sealed record ConsentRequest(IReadOnlyList<long>? ChannelIds, bool? AllChannels)
{
    public ChangeConsentCommand ToCommand(long contactId, ConsentState state) => new(contactId, state, ChannelIds, AllChannels);
}

/// <summary>The body of PATCH /v1/contacts/{id}.</summary>
internal sealed record UpdateContactRequest(string? Name);
