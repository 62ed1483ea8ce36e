"""Contact groups (SPEC ``getContactGroups``, ``getContactGroup``, ``createContactGroup``,
``updateContactGroup``, ``createContactGroupContacts``, ``deleteContactGroupContacts``,
``deleteContactGroupContact``). Only ACTIVE groups are listed; GET one lists the members."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingResponse
from . import messages, wire
from .batch import Saved, run_batch
from .context import RequestContext
from .errors import ElementInvalid, not_found
from .ids import is_guid, normalise_guid
from .parsing import Element, Problems, elements_of, read_str
from .settings_entities import filtered

if TYPE_CHECKING:
    from .books import Books

Record = dict[str, Any]


def render_contact_group(books: Books, group: Record, with_contacts: bool) -> Record:
    members = []
    if with_contacts:
        for contact_id in group["ContactIDs"]:
            contact = books.contacts.get(contact_id)
            if contact is not None:
                members.append({"ContactID": contact_id, "Name": contact["Name"]})
    return {
        "ContactGroupID": group["ContactGroupID"],
        "Name": group["Name"],
        "Status": group["Status"],
        "Contacts": members,
    }


def list_contact_groups(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """Only ACTIVE groups are returned on GETs (SPEC ``ContactGroup.Status``)."""
    groups = [g for g in books.contact_groups.values() if g["Status"] == "ACTIVE"]
    views = filtered(
        [render_contact_group(books, g, False) for g in groups], ctx, "ContactGroup", "ContactGroupID", modified=False
    )
    return ctx.ok("ContactGroups", views)


def _find_group(books: Books, key: str) -> Record | None:
    return books.contact_groups.get(normalise_guid(key)) if is_guid(key) else None


def get_contact_group(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """GET /ContactGroups/{id} lists the group's contacts."""
    group = _find_group(books, segments[1])
    if group is None:
        raise not_found()
    return ctx.ok("ContactGroups", [render_contact_group(books, group, True)])


def create_contact_groups(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    elements = elements_of(ctx.request.body, "ContactGroups")
    return run_batch(
        ctx,
        elements,
        lambda e: _save_group(books, ctx, e, None),
        "ContactGroups",
        None,
        summarize=True,
        status_attribute=False,
    )


def update_contact_group(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """POST /ContactGroups/{id}: rename, or ``Status: DELETED`` to delete."""
    group = _find_group(books, segments[1])
    if group is None:
        raise not_found()
    element = elements_of(ctx.request.body, "ContactGroups")[0]
    return run_batch(
        ctx,
        [element],
        lambda e: _save_group(books, ctx, e, group),
        "ContactGroups",
        None,
        summarize=True,
        status_attribute=False,
    )


def _save_group(books: Books, ctx: RequestContext, element: Element, existing: Record | None) -> Saved:
    problems = Problems()
    creating = existing is None
    draft: Record = (
        copy.deepcopy(existing)
        if existing
        else {
            "ContactGroupID": books.ids.new("contactgroup"),
            "Status": "ACTIVE",
            "ContactIDs": [],
        }
    )
    if existing is not None and existing["Status"] == "DELETED":
        problems.add(messages.CONTACT_GROUP_DELETED)
    if element.has("Name") or creating:
        name = (read_str(element, "Name", problems, max_length=50) or "").strip()
        if not name:
            problems.add(messages.CONTACT_GROUP_NAME_REQUIRED)
        draft["Name"] = name
    if element.present("Status"):
        status = str(element.get("Status")).strip().upper()
        if status not in ("ACTIVE", "DELETED"):
            problems.add(messages.CONTACT_GROUP_STATUS.format(value=element.get("Status")))
        else:
            draft["Status"] = status
    if draft["Status"] == "ACTIVE" and draft.get("Name"):
        for other in books.contact_groups.values():
            if other["ContactGroupID"] != draft["ContactGroupID"] and other["Status"] == "ACTIVE":
                if other["Name"].lower() == draft["Name"].lower():
                    problems.add(messages.CONTACT_GROUP_NAME_NOT_UNIQUE.format(name=draft["Name"]))
    if problems:
        echo = render_contact_group(books, draft, False)
        if creating:
            echo["ContactGroupID"] = wire.ZERO_GUID
        raise ElementInvalid(list(problems), echo)
    if existing is not None and existing["Status"] == "ACTIVE" and draft["Status"] == "DELETED":
        for contact_id in draft["ContactIDs"]:  # the group leaves its members' ContactGroups
            membership_changed(books, ctx, contact_id)
    books.contact_groups[draft["ContactGroupID"]] = draft
    return Saved(render_contact_group(books, draft, False))


def membership_changed(books: Books, ctx: RequestContext, contact_id: str) -> None:
    """A contact joined or left a group: its ContactGroups changed, so it is an updated contact —
    UpdatedDateUTC moves and a CONTACT UPDATE webhook goes out (what Xero sends here is not
    documented; UNCONFIRMED)."""
    contact = books.contacts.get(contact_id)
    if contact is not None:
        contact["UpdatedDateUTC"] = ctx.now
        ctx.record_event("CONTACT", "UPDATE", contact_id)


def add_contacts_to_group(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /ContactGroups/{id}/Contacts with ``{"Contacts":[{"ContactID":…}]}``."""
    from .contacts import render_contact

    group = _find_group(books, segments[1])
    if group is None or group["Status"] != "ACTIVE":
        raise not_found()
    elements = elements_of(ctx.request.body, "Contacts")

    def process(element: Element) -> Saved:
        contact = books.contact(str(element.get("ContactID") or ""))
        if contact is None:
            message = messages.CONTACT_NOT_FOUND.format(contact_id=element.get("ContactID"))
            raise ElementInvalid([message], {"ContactID": wire.ZERO_GUID})
        if contact["ContactID"] not in group["ContactIDs"]:
            group["ContactIDs"].append(contact["ContactID"])
            membership_changed(books, ctx, contact["ContactID"])
        return Saved(render_contact(books, contact, ctx, "nested"))

    return run_batch(ctx, elements, process, "Contacts", "HasValidationErrors", summarize=True)


def remove_contacts_from_group(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    group = _find_group(books, segments[1])
    if group is None:
        raise not_found()
    for contact_id in group["ContactIDs"]:
        membership_changed(books, ctx, contact_id)
    group["ContactIDs"] = []
    return AccountingResponse(204, None, {}, ctx.events)


def remove_contact_from_group(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    group = _find_group(books, segments[1])
    contact_id = normalise_guid(segments[3]) if is_guid(segments[3]) else None
    if group is None or contact_id not in group["ContactIDs"]:
        raise not_found()
    group["ContactIDs"].remove(contact_id)
    membership_changed(books, ctx, contact_id)
    return AccountingResponse(204, None, {}, ctx.events)
