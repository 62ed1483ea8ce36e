"""Tracking categories and their options (SPEC ``getTrackingCategories``, ``getTrackingCategory``,
``createTrackingCategory``, ``updateTrackingCategory``, ``deleteTrackingCategory``,
``createTrackingOptions``, ``updateTrackingOptions``, ``deleteTrackingOptions``), and the tracking
on line items (SPEC ``LineItemTracking``; xero-facts §6.1 "≤ 2 Tracking categories per line").

Xero's limits: at most two ACTIVE categories per organisation; category names unique; option names
unique within their category. GET lists ACTIVE categories and options, with ARCHIVED ones too
when ``includeArchived=true``; DELETED ones are gone. A category or option used on a transaction
cannot be deleted, only archived.

A line names a category by ``TrackingCategoryID`` or ``Name`` and an option by
``TrackingOptionID`` or ``Option``; both must be ACTIVE. The line keeps the ids and is shown with
the current names (a renamed option shows its new name). An entry with no option at all is
dropped (nothing to track) — UNCONFIRMED, as are the texts marked so in messages.py.
"""

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

MAX_ACTIVE_CATEGORIES = 2
MAX_NAME_LENGTH = 100
VISIBLE = ("ACTIVE",)
VISIBLE_WITH_ARCHIVED = ("ACTIVE", "ARCHIVED")


# --- rendering ---------------------------------------------------------------------------------------------


def render_category(category: Record, statuses: tuple[str, ...] = VISIBLE_WITH_ARCHIVED) -> Record:
    return {
        "Name": category["Name"],
        "Status": category["Status"],
        "TrackingCategoryID": category["TrackingCategoryID"],
        "Options": [render_option(o) for o in category["Options"] if o["Status"] in statuses],
    }


def render_option(option: Record) -> Record:
    return {"TrackingOptionID": option["TrackingOptionID"], "Name": option["Name"], "Status": option["Status"]}


# --- handlers ----------------------------------------------------------------------------------------------


def list_tracking_categories(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    statuses = VISIBLE_WITH_ARCHIVED if ctx.query.flag("includeArchived") else VISIBLE
    views = [render_category(c, statuses) for c in books.tracking_categories.values() if c["Status"] in statuses]
    views = filtered(views, ctx, "TrackingCategory", "TrackingCategoryID", modified=False)
    return ctx.ok("TrackingCategories", views)


def get_tracking_category(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return ctx.ok("TrackingCategories", [render_category(_category(books, segments[1]))])


def create_tracking_category(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /TrackingCategories: one category (SPEC body ``TrackingCategory``); options are added
    with PUT /TrackingCategories/{id}/Options."""
    element = elements_of(ctx.request.body, "TrackingCategories")[0]
    return _one(ctx, "TrackingCategories", lambda: _save_category(books, ctx, element, None))


def update_tracking_category(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """POST /TrackingCategories/{id}: rename, archive (``Status: ARCHIVED``) or restore."""
    category = _category(books, segments[1])
    element = elements_of(ctx.request.body, "TrackingCategories")[0]
    return _one(ctx, "TrackingCategories", lambda: _save_category(books, ctx, element, category))


def delete_tracking_category(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    category = _category(books, segments[1])

    def delete() -> Saved:
        if _in_use(books, category["TrackingCategoryID"]):
            message = messages.TRACKING_IN_USE.format(kind="category", name=category["Name"])
            raise ElementInvalid([message], render_category(category))
        category["Status"] = "DELETED"
        return Saved(render_category(category))

    return _one(ctx, "TrackingCategories", delete)


def create_options(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /TrackingCategories/{id}/Options: one option (SPEC body ``TrackingOption``) or
    ``{"Options": [...]}``."""
    category = _category(books, segments[1])
    elements = elements_of(ctx.request.body, "Options")
    process = lambda element: _save_option(books, category, element, None)  # noqa: E731
    return run_batch(ctx, elements, process, "Options", None, summarize=True, status_attribute=False)


def update_option(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    category = _category(books, segments[1])
    option = _option(category, segments[3])
    element = elements_of(ctx.request.body, "Options")[0]
    return _one(ctx, "Options", lambda: _save_option(books, category, element, option))


def delete_option(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    category = _category(books, segments[1])
    option = _option(category, segments[3])

    def delete() -> Saved:
        if _in_use(books, category["TrackingCategoryID"], option["TrackingOptionID"]):
            message = messages.TRACKING_IN_USE.format(kind="option", name=option["Name"])
            raise ElementInvalid([message], render_option(option))
        option["Status"] = "DELETED"
        return Saved(render_option(option))

    return _one(ctx, "Options", delete)


def _one(ctx: RequestContext, collection: str, process: Any) -> AccountingResponse:
    return run_batch(ctx, [Element({})], lambda _: process(), collection, None, summarize=True, status_attribute=False)


def _category(books: Books, key: str) -> Record:
    category = books.tracking_categories.get(normalise_guid(key)) if is_guid(key) else None
    if category is None or category["Status"] == "DELETED":
        raise not_found()
    return category


def _option(category: Record, key: str) -> Record:
    wanted = normalise_guid(key) if is_guid(key) else None
    for option in category["Options"]:
        if option["TrackingOptionID"] == wanted and option["Status"] != "DELETED":
            return option
    raise not_found()


# --- saving ------------------------------------------------------------------------------------------------


def _save_category(books: Books, ctx: RequestContext, element: Element, existing: Record | None) -> Saved:
    problems = Problems()
    creating = existing is None
    draft: Record = (
        copy.deepcopy(existing)
        if existing
        else {"TrackingCategoryID": books.ids.new("trackingcategory"), "Status": "ACTIVE", "Options": []}
    )
    if element.has("Name") or creating:
        name = (read_str(element, "Name", problems, max_length=MAX_NAME_LENGTH) or "").strip()
        if not name:
            problems.add(messages.TRACKING_CATEGORY_NAME_REQUIRED)
        draft["Name"] = name or draft.get("Name", "")
    if element.present("Status") and not creating:
        status = str(element.get("Status")).strip().upper()
        if status not in VISIBLE_WITH_ARCHIVED:
            problems.add(messages.TRACKING_STATUS.format(value=element.get("Status")))
        else:
            draft["Status"] = status
    others = [c for c in books.tracking_categories.values() if c["TrackingCategoryID"] != draft["TrackingCategoryID"]]
    if draft["Name"] and any(c["Status"] != "DELETED" and c["Name"].lower() == draft["Name"].lower() for c in others):
        problems.add(messages.TRACKING_CATEGORY_NAME_NOT_UNIQUE)
    if draft["Status"] == "ACTIVE" and sum(c["Status"] == "ACTIVE" for c in others) >= MAX_ACTIVE_CATEGORIES:
        if creating or existing["Status"] != "ACTIVE":
            problems.add(messages.TRACKING_CATEGORY_LIMIT.format(limit=MAX_ACTIVE_CATEGORIES))
    if problems:
        echo = render_category(draft)
        if creating:
            echo["TrackingCategoryID"] = wire.ZERO_GUID
        raise ElementInvalid(list(problems), echo)
    books.tracking_categories[draft["TrackingCategoryID"]] = draft
    return Saved(render_category(draft))


def _save_option(books: Books, category: Record, element: Element, existing: Record | None) -> Saved:
    problems = Problems()
    creating = existing is None
    draft: Record = (
        dict(existing) if existing else {"TrackingOptionID": books.ids.new("trackingoption"), "Status": "ACTIVE"}
    )
    if element.has("Name") or creating:
        name = (read_str(element, "Name", problems, max_length=MAX_NAME_LENGTH) or "").strip()
        if not name:
            problems.add(messages.TRACKING_OPTION_NAME_REQUIRED)
        draft["Name"] = name or draft.get("Name", "")
    if element.present("Status") and not creating:
        status = str(element.get("Status")).strip().upper()
        if status not in VISIBLE_WITH_ARCHIVED:
            problems.add(messages.TRACKING_STATUS.format(value=element.get("Status")))
        else:
            draft["Status"] = status
    for other in category["Options"]:
        if other["TrackingOptionID"] != draft["TrackingOptionID"] and other["Status"] != "DELETED":
            if draft["Name"] and other["Name"].lower() == draft["Name"].lower():
                problems.add(messages.TRACKING_OPTION_NAME_NOT_UNIQUE)
    if problems:
        echo = render_option(draft)
        if creating:
            echo["TrackingOptionID"] = wire.ZERO_GUID
        raise ElementInvalid(list(problems), echo)
    if creating:
        category["Options"].append(draft)
    else:
        assert existing is not None
        existing.update(draft)
    return Saved(render_option(draft))


def _in_use(books: Books, category_id: str, option_id: str | None = None) -> bool:
    documents = [*books.invoices.values(), *books.credit_notes.values(), *books.bank_transactions.values()]
    lines = [line for d in documents for line in d["LineItems"]]
    lines += [line for journal in books.manual_journals.values() for line in journal["JournalLines"]]
    for line in lines:
        for entry in line.get("Tracking") or []:
            if entry.get("TrackingCategoryID") == category_id and option_id in (None, entry.get("TrackingOptionID")):
                return True
    return False


# --- tracking on line items ---------------------------------------------------------------------------------


def read_line_tracking(books: Books, value: Any, problems: Problems) -> list[Record]:
    """The ``Tracking`` of one line: each entry resolved to an ACTIVE category and option."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        problems.add("Tracking must be a list of tracking categories.")
        return []
    if len(value) > MAX_ACTIVE_CATEGORIES:
        problems.add(messages.TRACKING_LIMIT)
    resolved: list[Record] = []
    for raw in value:
        entry = Element(raw)
        option_id, option_name = entry.get("TrackingOptionID"), entry.get("Option")
        if not option_id and not (isinstance(option_name, str) and option_name.strip()):
            continue  # no option chosen: nothing to track
        category = _line_category(books, entry, problems)
        if category is None:
            continue
        option = _line_option(category, option_id, option_name, problems)
        if option is None:
            continue
        if any(r["TrackingCategoryID"] == category["TrackingCategoryID"] for r in resolved):
            problems.add(messages.TRACKING_CATEGORY_TWICE.format(name=category["Name"]))
            continue
        resolved.append(
            {
                "Name": category["Name"],
                "Option": option["Name"],
                "TrackingCategoryID": category["TrackingCategoryID"],
                "TrackingOptionID": option["TrackingOptionID"],
            }
        )
    return resolved


def _line_category(books: Books, entry: Element, problems: Problems) -> Record | None:
    category_id, name = entry.get("TrackingCategoryID"), entry.get("Name")
    if category_id:
        wanted = normalise_guid(category_id) if is_guid(category_id) else None
        category = books.tracking_categories.get(wanted or "")
        if category is None or category["Status"] != "ACTIVE":
            problems.add(messages.TRACKING_CATEGORY_ID_UNKNOWN.format(category_id=category_id))
            return None
        return category
    if not isinstance(name, str) or not name.strip():
        problems.add(messages.TRACKING_CATEGORY_MISSING)
        return None
    for category in books.tracking_categories.values():
        if category["Status"] == "ACTIVE" and category["Name"].lower() == name.strip().lower():
            return category
    problems.add(messages.TRACKING_CATEGORY_UNKNOWN.format(name=name.strip()))
    return None


def _line_option(category: Record, option_id: Any, option_name: Any, problems: Problems) -> Record | None:
    active = [o for o in category["Options"] if o["Status"] == "ACTIVE"]
    if option_id:
        wanted = normalise_guid(option_id) if is_guid(option_id) else None
        found = next((o for o in active if o["TrackingOptionID"] == wanted), None)
        if found is None:
            problems.add(messages.TRACKING_OPTION_ID_UNKNOWN.format(option_id=option_id, name=category["Name"]))
        return found
    wanted_name = str(option_name).strip().lower()
    found = next((o for o in active if o["Name"].lower() == wanted_name), None)
    if found is None:
        problems.add(messages.TRACKING_OPTION_UNKNOWN.format(option=str(option_name).strip(), name=category["Name"]))
    return found


def render_line_tracking(books: Books | None, stored: list[Record]) -> list[Record]:
    """A line's tracking with the current names of its category and option."""
    rendered = []
    for entry in stored:
        view = dict(entry)
        category = books.tracking_categories.get(entry.get("TrackingCategoryID") or "") if books else None
        if category is not None:
            view["Name"] = category["Name"]
            option = next(
                (o for o in category["Options"] if o["TrackingOptionID"] == entry.get("TrackingOptionID")), None
            )
            if option is not None:
                view["Option"] = option["Name"]
        rendered.append(view)
    return rendered
