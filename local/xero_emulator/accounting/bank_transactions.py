"""Bank transactions: SPEND (bank charges, write-offs paid out) and RECEIVE (xero-facts §6.4;
SPEC ``createBankTransactions``, ``updateOrCreateBankTransactions``, ``updateBankTransaction``,
``getBankTransactions``). Overpayment/prepayment types are knowingly not emulated; transfer
types are read-only in Xero. Bank transactions send no webhooks (§8)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingResponse
from . import contacts, documents, lines, locks, messages, money, query, wire
from .batch import Saved, run_batch
from .context import RequestContext
from .errors import ElementInvalid, not_found
from .ids import is_guid, normalise_guid
from .parsing import Element, Problems, elements_of, read_bool, read_str
from .reference_data import day_rate

if TYPE_CHECKING:
    from .books import Books

Record = dict[str, Any]

SUPPORTED_TYPES = ("RECEIVE", "SPEND")
UNSUPPORTED_TYPES = ("RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT", "SPEND-OVERPAYMENT", "SPEND-PREPAYMENT")
READ_ONLY_TYPES = ("RECEIVE-TRANSFER", "SPEND-TRANSFER")


def _line_rules(transaction_type: str | None) -> lines.LineRules:
    side = "purchases" if transaction_type == "SPEND" else "sales"  # RECEIVE lines sell, SPEND lines buy
    return lines.LineRules(allow_discounts=False, bank_transaction=True, side=side)


# --- handlers ---------------------------------------------------------------------------------------------


def list_bank_transactions(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """GET /BankTransactions: ``where``, ``order``, paging, ``If-Modified-Since``; without
    ``page`` the lines are left out (§5)."""
    views = [render_bank_transaction(books, t, ctx) for t in books.bank_transactions.values()]
    where = ctx.query.get("where")
    if where and where.strip():
        matches = query.compile_where(where, "BankTransaction")
        views = [v for v in views if matches(v)]
    views = query.modified_since(views, query.parse_if_modified_since(ctx.header("If-Modified-Since")))
    views = query.sort_records(views, ctx.query.get("order"), "BankTransaction", "BankTransactionID")
    extra: dict[str, Any] = {}
    page = query.requested_page(ctx.query.get("page"), ctx.query.get("pageSize"))
    if page:
        views, extra["pagination"] = query.paginate(views, page)
    else:
        views = [_without_lines(books, view, ctx) for view in views]
    return ctx.ok("BankTransactions", views, **extra)


def _without_lines(books: Books, view: Record, ctx: RequestContext) -> Record:
    reduced = dict(view)
    reduced["LineItems"] = []
    contact = books.contacts.get((view.get("Contact") or {}).get("ContactID") or "")
    if contact is not None:
        reduced["Contact"] = contacts.render_contact(books, contact, ctx, "short")
    return reduced


def get_bank_transaction(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    transaction = _find(books, segments[1])
    if transaction is None:
        raise not_found()
    return ctx.ok("BankTransactions", [render_bank_transaction(books, transaction, ctx)])


def create_bank_transactions(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    elements = elements_of(ctx.request.body, "BankTransactions")
    return run_batch(ctx, elements, lambda e: _save(books, ctx, e, None), "BankTransactions", None)


def upsert_bank_transactions(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    elements = elements_of(ctx.request.body, "BankTransactions")

    def process(element: Element) -> Saved:
        existing = None
        sent_id = element.get("BankTransactionID")
        if sent_id:
            existing = _find(books, str(sent_id))
            if existing is None:
                message = messages.EXISTING_NOT_FOUND.format(kind="Bank Transaction", id_field="BankTransactionID")
                raise ElementInvalid([message], _echo_minimal(element))
        return _save(books, ctx, element, existing)

    return run_batch(ctx, elements, process, "BankTransactions", None)


def update_bank_transaction(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    transaction = _find(books, segments[1])
    if transaction is None:
        raise not_found()
    elements = elements_of(ctx.request.body, "BankTransactions")[:1]
    return run_batch(ctx, elements, lambda e: _save(books, ctx, e, transaction), "BankTransactions", None)


def _find(books: Books, key: str) -> Record | None:
    return books.bank_transactions.get(normalise_guid(key)) if is_guid(key) else None


# --- create / update / delete ----------------------------------------------------------------------------


def _save(books: Books, ctx: RequestContext, element: Element, existing: Record | None) -> Saved:
    problems = Problems()
    creating = existing is None
    draft: Record = copy.deepcopy(existing) if existing else _blank(books, ctx)

    if existing is not None and existing["Status"] == "DELETED":
        raise ElementInvalid([messages.BANK_DELETED], _echo(books, draft, creating))
    requested = str(element.get("Status") or "").strip().upper() or None
    if requested == "DELETED" and not creating:
        return _delete(books, ctx, draft)
    if requested not in (None, "AUTHORISED"):
        problems.add(messages.BANK_STATUS.format(status=element.get("Status")))

    _read_type(element, draft, creating, problems)
    if creating or element.has("Contact"):
        choice = documents.read_contact(books, element.child("Contact"), problems, draft["ContactID"])
    else:
        choice = None
    bank_account = _read_bank_account(books, element, draft, creating, problems)
    _read_currency(books, element, draft, bank_account, problems)
    date_value = documents.read_dates(element, problems, "Date").get("Date")
    if date_value is not None:
        draft["Date"] = date_value
    if element.has("Reference"):
        draft["Reference"] = read_str(element, "Reference", problems, max_length=255)
    if element.has("Url"):
        draft["Url"] = read_str(element, "Url", problems, max_length=2000)
    if element.present("IsReconciled"):
        draft["IsReconciled"] = bool(read_bool(element, "IsReconciled", problems))

    previous_lat = draft["LineAmountTypes"]
    draft["LineAmountTypes"] = lines.read_line_amount_types(element, previous_lat, problems)
    line_elements = element.children("LineItems")
    if line_elements is not None:
        draft["LineItems"] = lines.read_line_items(
            books,
            ctx,
            line_elements,
            draft["LineItems"],
            draft["LineAmountTypes"],
            _line_rules(draft["Type"]),
            problems,
        )
    elif draft["LineItems"] and draft["LineAmountTypes"] != previous_lat:
        draft["LineItems"] = lines.recompute_lines(
            books, draft["LineItems"], draft["LineAmountTypes"], _line_rules(draft["Type"]), problems
        )
    if not draft["LineItems"]:
        problems.add(messages.LINE_ITEMS_REQUIRED)
    # Bank transactions are always approved: every line posts to the ledger.
    lines.require_coding(draft["LineItems"], draft["LineAmountTypes"], problems)
    result = lines.totals(draft["LineItems"], draft["LineAmountTypes"])
    draft["SubTotal"], draft["TotalTax"], draft["Total"] = result.sub_total, result.total_tax, result.total
    if draft["LineItems"] and draft["Total"] <= 0:
        problems.add(messages.BANK_TOTAL_NOT_POSITIVE)

    contact_changes = choice is not None and (choice.existing or {}).get("ContactID") != draft["ContactID"]
    if creating or draft != existing or contact_changes:  # bank transactions always post: lock dates apply
        locks.check_dates(books, problems, existing["Date"] if existing else None, draft["Date"])
    if problems:
        raise ElementInvalid(list(problems), _echo(books, draft, creating))

    if choice is not None:
        draft["ContactID"] = documents.commit_contact(books, ctx, choice)
    if creating or draft != existing:  # a save that changes nothing keeps UpdatedDateUTC
        draft["UpdatedDateUTC"] = ctx.now
    books.bank_transactions[draft["BankTransactionID"]] = draft
    return Saved(render_bank_transaction(books, draft, ctx))


def _blank(books: Books, ctx: RequestContext) -> Record:
    return {
        "BankTransactionID": books.ids.new("banktransaction"),
        "Type": None,
        "ContactID": None,
        "BankAccountID": None,
        "Date": ctx.now.date(),
        "Status": "AUTHORISED",
        "LineAmountTypes": money.INCLUSIVE,  # bank transactions default to tax-inclusive (§6.4)
        "LineItems": [],
        "CurrencyCode": books.base_currency,
        "CurrencyRate": Decimal(1),
        "IsReconciled": False,
        "CreatedDateUTC": ctx.now,
        "UpdatedDateUTC": ctx.now,
    }


def _delete(books: Books, ctx: RequestContext, draft: Record) -> Saved:
    if draft.get("IsReconciled"):
        raise ElementInvalid(["A reconciled bank transaction cannot be deleted."], _echo(books, draft, False))
    problems = Problems()
    locks.check_dates(books, problems, draft["Date"])
    if problems:
        raise ElementInvalid(list(problems), _echo(books, draft, False))
    draft["Status"] = "DELETED"
    draft["UpdatedDateUTC"] = ctx.now
    books.bank_transactions[draft["BankTransactionID"]] = draft
    return Saved(render_bank_transaction(books, draft, ctx))


def _read_type(element: Element, draft: Record, creating: bool, problems: Problems) -> None:
    value = element.get("Type")
    if value is None or value == "":
        if creating:
            problems.add(messages.TYPE_REQUIRED.format(kind="Bank transaction", allowed="RECEIVE or SPEND"))
        return
    sent = str(value).strip().upper()
    if sent in UNSUPPORTED_TYPES:
        problems.add(messages.BANK_TYPE_UNSUPPORTED.format(value=sent))
    elif sent in READ_ONLY_TYPES:
        problems.add(messages.BANK_TYPE_READ_ONLY.format(value=sent))
    elif sent not in SUPPORTED_TYPES:
        problems.add(messages.TYPE_INVALID.format(kind="Bank transaction", value=value, allowed="RECEIVE or SPEND"))
    elif not creating and sent != draft["Type"]:
        problems.add(messages.TYPE_CHANGE.format(kind="bank transaction"))
    else:
        draft["Type"] = sent


def _read_bank_account(
    books: Books, element: Element, draft: Record, creating: bool, problems: Problems
) -> Record | None:
    """``BankAccount`` by Code or AccountID; it must be an active account of Type BANK."""
    child = element.child("BankAccount")
    if child is None or not (child.present("AccountID") or child.present("Code")):
        if creating:
            problems.add(messages.BANK_ACCOUNT_REQUIRED)
            return None
        return books.accounts.get(draft["BankAccountID"] or "")
    account_id, code = child.get("AccountID"), child.get("Code")
    account = books.account_by_id(str(account_id)) if account_id else books.account_by_code(str(code))
    if account is None or account["Type"] != "BANK" or account["Status"] != "ACTIVE":
        problems.add(messages.BANK_ACCOUNT_INVALID.format(account=code or account_id))
        return None
    draft["BankAccountID"] = account["AccountID"]
    return account


def _read_currency(
    books: Books, element: Element, draft: Record, bank_account: Record | None, problems: Problems
) -> None:
    """The currency is the bank account's; CurrencyCode may only be set on overpayments (§6.4)."""
    if bank_account is None:
        return
    currency = bank_account.get("CurrencyCode") or books.base_currency
    sent = element.get("CurrencyCode")
    if sent and str(sent).strip().upper() != currency:
        problems.add(messages.BANK_CURRENCY.format(currency=currency))
    draft["CurrencyCode"] = currency
    if currency == books.base_currency:
        draft["CurrencyRate"] = Decimal(1)
        return
    if element.present("CurrencyRate"):
        try:
            rate = wire.parse_decimal(element.get("CurrencyRate"))
        except ValueError:
            problems.add(messages.NUMBER_REQUIRED_NUMBER.format(field="CurrencyRate"))
            return
        if rate <= 0:
            problems.add(messages.CURRENCY_RATE_INVALID)
            return
        draft["CurrencyRate"] = rate
    elif draft.get("CurrencyRate") in (None, Decimal(1)):
        draft["CurrencyRate"] = day_rate(books.base_currency, currency)


def _echo_minimal(element: Element) -> Record:
    value = str(element.get("Type") or "").upper()
    return {
        "BankTransactionID": wire.ZERO_GUID,
        "Type": value if value in SUPPORTED_TYPES + UNSUPPORTED_TYPES + READ_ONLY_TYPES else "SPEND",
        "BankAccount": {"AccountID": wire.ZERO_GUID},
        "LineItems": [],
    }


def _echo(books: Books, draft: Record, creating: bool) -> Record:
    """A failed element as Xero echoes it. Type, BankAccount and LineItems are always present:
    the SDK's model requires them."""
    account = books.accounts.get(draft.get("BankAccountID") or "")
    return {
        "BankTransactionID": wire.ZERO_GUID if creating else draft["BankTransactionID"],
        "Type": draft.get("Type") or "SPEND",
        "BankAccount": _account_ref(account) if account else {"AccountID": wire.ZERO_GUID},
        "Date": draft.get("Date"),
        "Reference": draft.get("Reference"),
        "Status": draft.get("Status"),
        "LineAmountTypes": draft.get("LineAmountTypes"),
        "LineItems": lines.render_lines(draft.get("LineItems", []), 4),
        "SubTotal": draft.get("SubTotal"),
        "TotalTax": draft.get("TotalTax"),
        "Total": draft.get("Total"),
        "CurrencyCode": draft.get("CurrencyCode"),
    }


# --- rendering --------------------------------------------------------------------------------------------------


def _account_ref(account: Record) -> Record:
    return {"AccountID": account["AccountID"], "Code": account.get("Code"), "Name": account["Name"]}


def render_bank_transaction(books: Books, transaction: Record, ctx: RequestContext) -> Record:
    contact = books.contacts.get(transaction["ContactID"] or "")
    return {
        "BankTransactionID": transaction["BankTransactionID"],
        "BankAccount": _account_ref(books.accounts[transaction["BankAccountID"]]),
        "Type": transaction["Type"],
        "Reference": transaction.get("Reference") or "",
        "IsReconciled": transaction["IsReconciled"],
        "CurrencyRate": transaction["CurrencyRate"],
        "HasAttachments": False,
        "Contact": contacts.render_contact(books, contact, ctx, "nested") if contact else None,
        "Date": transaction["Date"],
        "Status": transaction["Status"],
        "LineAmountTypes": transaction["LineAmountTypes"],
        "LineItems": lines.render_lines(transaction["LineItems"], ctx.unitdp, books),
        "SubTotal": transaction["SubTotal"],
        "TotalTax": transaction["TotalTax"],
        "Total": transaction["Total"],
        "UpdatedDateUTC": transaction["UpdatedDateUTC"],
        "CurrencyCode": transaction["CurrencyCode"],
        "Url": transaction.get("Url"),
    }
