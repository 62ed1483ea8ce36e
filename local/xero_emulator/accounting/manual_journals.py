"""Manual journals — how the service records the daily inventory movement between the inventory
asset account and cost of goods sold (SPEC F3.9; SPEC ``createManualJournals``,
``updateOrCreateManualJournals``, ``updateManualJournal``, ``getManualJournals``).

Rules emulated: a Narration, at least two lines, each with a valid account and a non-zero
amount (debits positive, credits negative); a POSTED journal must balance (lines plus their tax
sum to zero). DRAFT → POSTED or DELETED; POSTED → VOIDED; VOIDED and DELETED are final.
The exact Xero wording of these messages is not known (UNCONFIRMED)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingResponse
from . import documents, lines, locks, messages, money, query, tracking
from .batch import Saved, run_batch
from .context import RequestContext
from .errors import ElementInvalid, not_found
from .ids import is_guid, normalise_guid
from .parsing import Element, Problems, elements_of, read_bool, read_decimal, read_guid, read_str
from .reference_data import SYSTEM_ACCOUNTS_NOT_FOR_LINES, TAX_FLAG_BY_CLASS
from .wire import ZERO_GUID

if TYPE_CHECKING:
    from .books import Books

Record = dict[str, Any]

TRANSITIONS = {
    "DRAFT": {"DRAFT", "POSTED", "DELETED"},
    "POSTED": {"POSTED", "VOIDED"},
    "VOIDED": set(),
    "DELETED": set(),
}


def list_manual_journals(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    views = [render_manual_journal(j, books) for j in books.manual_journals.values()]
    where = ctx.query.get("where")
    if where and where.strip():
        matches = query.compile_where(where, "ManualJournal")
        views = [v for v in views if matches(v)]
    views = query.modified_since(views, query.parse_if_modified_since(ctx.header("If-Modified-Since")))
    views = query.sort_records(views, ctx.query.get("order"), "ManualJournal", "ManualJournalID")
    extra: dict[str, Any] = {}
    page = query.requested_page(ctx.query.get("page"), ctx.query.get("pageSize"))
    if page:
        views, extra["pagination"] = query.paginate(views, page)
    return ctx.ok("ManualJournals", views, **extra)


def get_manual_journal(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    journal = _find(books, segments[1])
    if journal is None:
        raise not_found()
    return ctx.ok("ManualJournals", [render_manual_journal(journal, books)])


def create_manual_journals(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    elements = elements_of(ctx.request.body, "ManualJournals")
    return run_batch(ctx, elements, lambda e: _save(books, ctx, e, None), "ManualJournals", None)


def upsert_manual_journals(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    elements = elements_of(ctx.request.body, "ManualJournals")

    def process(element: Element) -> Saved:
        existing = None
        if element.get("ManualJournalID"):
            existing = _find(books, str(element.get("ManualJournalID")))
            if existing is None:
                message = messages.EXISTING_NOT_FOUND.format(kind="Manual Journal", id_field="ManualJournalID")
                raise ElementInvalid([message], {"ManualJournalID": ZERO_GUID, "Narration": ""})
        return _save(books, ctx, element, existing)

    return run_batch(ctx, elements, process, "ManualJournals", None)


def update_manual_journal(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    journal = _find(books, segments[1])
    if journal is None:
        raise not_found()
    elements = elements_of(ctx.request.body, "ManualJournals")[:1]
    return run_batch(ctx, elements, lambda e: _save(books, ctx, e, journal), "ManualJournals", None)


def _find(books: Books, key: str) -> Record | None:
    return books.manual_journals.get(normalise_guid(key)) if is_guid(key) else None


def _save(books: Books, ctx: RequestContext, element: Element, existing: Record | None) -> Saved:
    problems = Problems()
    creating = existing is None
    draft: Record = (
        copy.deepcopy(existing)
        if existing
        else {
            "ManualJournalID": books.ids.new("manualjournal"),
            "Date": ctx.now.date(),
            "Status": "DRAFT",
            "LineAmountTypes": money.NO_TAX,
            "JournalLines": [],
            "ShowOnCashBasisReports": True,
            "Narration": "",
        }
    )
    if existing is not None and existing["Status"] in ("VOIDED", "DELETED"):
        raise ElementInvalid([messages.MANUAL_JOURNAL_STATUS], render_manual_journal(draft))

    if element.has("Narration"):
        draft["Narration"] = (read_str(element, "Narration", problems, max_length=4000) or "").strip()
    if not draft["Narration"]:
        problems.add(messages.MANUAL_JOURNAL_NARRATION)
    for name, value in documents.read_dates(element, problems, "Date").items():
        if value is not None:
            draft[name] = value
    if element.has("Url"):
        draft["Url"] = read_str(element, "Url", problems, max_length=2000)
    if element.present("ShowOnCashBasisReports"):
        draft["ShowOnCashBasisReports"] = bool(read_bool(element, "ShowOnCashBasisReports", problems))
    status = str(element.get("Status") or "").strip().upper() or None
    if status is not None:
        allowed = {"DRAFT", "POSTED"} if creating else TRANSITIONS[draft["Status"]]
        if status not in allowed:
            problems.add(messages.MANUAL_JOURNAL_STATUS)
        else:
            draft["Status"] = status
    line_amount_types = lines.read_line_amount_types(element, draft["LineAmountTypes"], problems)
    sent_lines = element.children("JournalLines")
    if sent_lines is not None:
        draft["JournalLines"] = [_read_line(books, line, line_amount_types, problems) for line in sent_lines]
    draft["LineAmountTypes"] = line_amount_types
    if len(draft["JournalLines"]) < 2:
        problems.add(messages.MANUAL_JOURNAL_LINES)
    if draft["Status"] == "POSTED":
        _check_balanced(draft, problems)
    if creating or draft != existing:
        locks.check_posted(books, problems, existing, draft)

    if problems:
        echo = render_manual_journal(draft)
        if creating:
            echo["ManualJournalID"] = ZERO_GUID
        raise ElementInvalid(list(problems), echo)
    draft["UpdatedDateUTC"] = ctx.now
    books.manual_journals[draft["ManualJournalID"]] = draft
    return Saved(render_manual_journal(draft, books))


def _read_line(books: Books, element: Element, line_amount_types: str, problems: Problems) -> Record:
    line: Record = {"Description": read_str(element, "Description", problems, max_length=4000)}
    amount = read_decimal(element, "LineAmount", problems)
    if amount is None or amount == 0:
        problems.add(messages.MANUAL_JOURNAL_LINE_AMOUNT)
        amount = money.ZERO
    line["LineAmount"] = money.round_money(amount)
    account = None
    if element.present("AccountCode"):
        code = str(element.get("AccountCode")).strip()
        account = books.account_by_code(code)
        if account is None or not _usable(account):
            problems.add(messages.ACCOUNT_CODE_INVALID.format(code=code))
            account = None
    elif element.present("AccountID"):
        account_id = read_guid(element, "AccountID", problems)
        account = books.account_by_id(account_id or "")
        if account is None or not _usable(account):
            problems.add(messages.ACCOUNT_ID_INVALID.format(account_id=element.get("AccountID")))
            account = None
    else:
        problems.add(messages.ACCOUNT_CODE_REQUIRED)
    if account is not None:
        line["AccountID"] = account["AccountID"]
        line["AccountCode"] = account.get("Code")
    tax_type = str(element.get("TaxType") or (account or {}).get("TaxType") or "").strip() or None
    fraction = money.ZERO
    if tax_type:
        rate = books.tax_rate(tax_type)
        if rate is None or rate["Status"] != "ACTIVE":
            problems.add(messages.TAX_TYPE_INVALID.format(tax_type=tax_type))
        else:
            tax_type = rate["TaxType"]
            fraction = lines.tax_fraction(rate)
            if account is not None and not rate[TAX_FLAG_BY_CLASS[account["Class"]]]:
                code = account.get("Code") or account["Name"]
                problems.add(messages.TAX_TYPE_NOT_FOR_ACCOUNT.format(tax_type=tax_type, code=code))
    line["TaxType"] = tax_type
    line["TaxAmount"] = money.line_tax(line["LineAmount"], fraction, line_amount_types)
    line["Tracking"] = tracking.read_line_tracking(books, element.get("Tracking"), problems)
    return line


def _usable(account: Record) -> bool:
    """Journals may post to bank accounts, but not to the accounts Xero keeps itself."""
    return account["Status"] == "ACTIVE" and account.get("SystemAccount") not in SYSTEM_ACCOUNTS_NOT_FOR_LINES


def _check_balanced(journal: Record, problems: Problems) -> None:
    """Debits (positive) and credits (negative) must cancel out, tax included."""
    journal_lines = journal["JournalLines"]
    with_tax = journal["LineAmountTypes"] == money.EXCLUSIVE
    signed = [line["LineAmount"] + (line["TaxAmount"] if with_tax else money.ZERO) for line in journal_lines]
    debits = sum((amount for amount in signed if amount > 0), money.ZERO)
    credits = -sum((amount for amount in signed if amount < 0), money.ZERO)
    if debits != credits:
        problems.add(messages.MANUAL_JOURNAL_UNBALANCED.format(debits=debits, credits=credits))


def render_manual_journal(journal: Record, books: Books | None = None) -> Record:
    return {
        "ManualJournalID": journal["ManualJournalID"],
        "Date": journal["Date"],
        "Status": journal["Status"],
        "LineAmountTypes": journal["LineAmountTypes"],
        "Narration": journal["Narration"],
        "Url": journal.get("Url"),
        "JournalLines": [
            {
                "Description": line.get("Description"),
                "TaxType": line.get("TaxType"),
                "TaxAmount": line["TaxAmount"],
                "LineAmount": line["LineAmount"],
                "AccountCode": line.get("AccountCode"),
                "AccountID": line.get("AccountID"),
                "Tracking": tracking.render_line_tracking(books, line.get("Tracking") or []),
                "IsBlank": False,
            }
            for line in journal["JournalLines"]
        ],
        "ShowOnCashBasisReports": journal["ShowOnCashBasisReports"],
        "HasAttachments": False,
        "UpdatedDateUTC": journal.get("UpdatedDateUTC"),
    }
