"""Payments: against invoices and bills, and refunds of credit notes (xero-facts §6.2, §6.3;
SPEC ``createPayments``, ``createPayment``, ``deletePayment``, ``getPayments``, ``getPayment``).

Payments are never edited — only created and deleted (``POST /Payments/{id}`` with exactly
``{"Status": "DELETED"}``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingResponse
from . import credit_notes, document_api, invoices, locks, messages, money, query, wire
from .batch import Saved, run_batch
from .context import RequestContext
from .errors import ElementInvalid, not_found
from .ids import is_guid, normalise_guid
from .parsing import Element, Problems, elements_of, read_bool, read_date, read_decimal, read_str
from .reference_data import day_rate

if TYPE_CHECKING:
    from .books import Books

Record = dict[str, Any]

PAYMENT_TYPES = {
    "ACCREC": "ACCRECPAYMENT",
    "ACCPAY": "ACCPAYPAYMENT",
    "ACCRECCREDIT": "ARCREDITPAYMENT",
    "ACCPAYCREDIT": "APCREDITPAYMENT",
}


# --- handlers -----------------------------------------------------------------------------------------------


def list_payments(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """GET /Payments (deleted payments included, with Status DELETED): ``where``, ``order``,
    paging and ``If-Modified-Since``."""
    views = [render_payment(books, payment, ctx) for payment in books.payments.values()]
    where = ctx.query.get("where")
    if where and where.strip():
        matches = query.compile_where(where, "Payment")
        views = [v for v in views if matches(v)]
    views = query.modified_since(views, query.parse_if_modified_since(ctx.header("If-Modified-Since")))
    views = query.sort_records(views, ctx.query.get("order"), "Payment", "PaymentID")
    extra: dict[str, Any] = {}
    page = query.requested_page(ctx.query.get("page"), ctx.query.get("pageSize"))
    if page:
        views, extra["pagination"] = query.paginate(views, page)
    return ctx.ok("Payments", views, **extra)


def get_payment(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    payment = _find(books, segments[1])
    if payment is None:
        raise not_found()
    return ctx.ok("Payments", [render_payment(books, payment, ctx)])


def create_payments(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /Payments: one or many payments, with ``summarizeErrors``."""
    elements = elements_of(ctx.request.body, "Payments")
    return run_batch(ctx, elements, lambda e: _create(books, ctx, e), "Payments", "HasValidationErrors")


def create_payment(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """POST /Payments: creates (SPEC ``createPayment``: the body is a single Payment)."""
    elements = elements_of(ctx.request.body, "Payments")
    return run_batch(ctx, elements, lambda e: _create(books, ctx, e), "Payments", "HasValidationErrors")


def delete_payment(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """POST /Payments/{PaymentID} with ``{"Status":"DELETED"}``; any other field is refused with
    "Only Status accepted for updates." (§6.2). The document reopens if it was PAID."""
    payment = _find(books, segments[1])
    if payment is None:
        raise not_found()
    element = elements_of(ctx.request.body, "Payments")[0]

    def process(_: Element) -> Saved:
        problems = Problems()
        other_fields = element.field_names() - {"status"}
        if (
            element.get("PaymentID")
            and is_guid(element.get("PaymentID"))
            and normalise_guid(element.get("PaymentID")) == payment["PaymentID"]
        ):
            other_fields.discard("paymentid")
        if other_fields:
            problems.add(messages.ONLY_STATUS_ACCEPTED)
        elif str(element.get("Status") or "").strip().upper() != "DELETED":
            problems.add(messages.PAYMENT_STATUS_DELETED_ONLY)
        elif payment["Status"] == "DELETED":
            problems.add(messages.PAYMENT_ALREADY_DELETED)
        else:
            locks.check_dates(books, problems, payment["Date"])
        if problems:
            raise ElementInvalid(list(problems), render_payment(books, payment, ctx))
        payment["Status"] = "DELETED"
        payment["UpdatedDateUTC"] = ctx.now
        kind, document = _document_of(books, payment)
        document_api.touch(ctx, kind, document)
        document_api.settle(books, ctx, kind, document)
        return Saved(render_payment(books, payment, ctx))

    return run_batch(ctx, [element], process, "Payments", "HasValidationErrors", summarize=True)


def _find(books: Books, key: str) -> Record | None:
    return books.payments.get(normalise_guid(key)) if is_guid(key) else None


def _document_of(books: Books, payment: Record) -> tuple[document_api.DocumentKind, Record]:
    if payment.get("InvoiceID"):
        return invoices.INVOICE, books.invoices[payment["InvoiceID"]]
    return credit_notes.CREDIT_NOTE, books.credit_notes[payment["CreditNoteID"]]


# --- creating a payment -------------------------------------------------------------------------------------


def _create(books: Books, ctx: RequestContext, element: Element) -> Saved:
    problems = Problems()
    kind, document = _target(books, element, problems)
    account = _account(books, element, problems)
    payment_date = read_date(element, "Date", problems)
    if payment_date is None and not element.present("Date"):
        problems.add(messages.PAYMENT_DATE_REQUIRED)
    amount = read_decimal(element, "Amount", problems)
    if amount is None or amount <= 0:
        problems.add(messages.PAYMENT_AMOUNT_REQUIRED)
        amount = None
    else:
        amount = money.round_money(amount)
    reference = read_str(element, "Reference", problems, max_length=255)
    is_reconciled = bool(read_bool(element, "IsReconciled", problems))
    if element.present("Status") and str(element.get("Status")).strip().upper() != "AUTHORISED":
        problems.add(messages.PAYMENT_CREATE_STATUS)
    locks.check_dates(books, problems, payment_date)

    currency_rate = money.ZERO
    if kind is not None and document is not None:
        _check_document(books, kind, document, amount, problems)
        currency_rate = _currency_rate(books, element, document, problems)
        if account is not None:
            _check_account_currency(books, account, document, problems)

    if problems:
        raise ElementInvalid(list(problems), _echo(element, document, kind, account, payment_date, amount))

    assert kind is not None and document is not None and account is not None
    assert amount is not None and payment_date is not None
    payment = {
        "PaymentID": books.ids.new("payment"),
        "InvoiceID": document["InvoiceID"] if kind is invoices.INVOICE else None,
        "CreditNoteID": document["CreditNoteID"] if kind is credit_notes.CREDIT_NOTE else None,
        "AccountID": account["AccountID"],
        "Date": payment_date,
        "Amount": amount,
        "CurrencyRate": currency_rate,
        "BankAmount": _bank_amount(books, account, document, amount, currency_rate),
        "Reference": reference,
        "IsReconciled": is_reconciled,
        "Status": "AUTHORISED",
        "PaymentType": PAYMENT_TYPES[document["Type"]],
        "CreatedDateUTC": ctx.now,
        "UpdatedDateUTC": ctx.now,
    }
    books.add_payment(payment)
    document_api.touch(ctx, kind, document)
    document_api.settle(books, ctx, kind, document)
    return Saved(render_payment(books, payment, ctx))


def _target(
    books: Books, element: Element, problems: Problems
) -> tuple[document_api.DocumentKind | None, Record | None]:
    """Exactly one of Invoice / CreditNote / Prepayment / Overpayment, by id or number."""
    wanted: list[tuple[document_api.DocumentKind | str, str | None, str | None]] = []
    for kind, field, number_field in (
        (invoices.INVOICE, "Invoice", "InvoiceNumber"),
        (credit_notes.CREDIT_NOTE, "CreditNote", "CreditNoteNumber"),
    ):
        child = element.child(field)
        child_id = child.get(kind.id_field) if child else None
        child_number = child.get(number_field) if child else None
        top_number = element.get(number_field)
        if child_id or child_number or top_number:
            wanted.append((kind, child_id, child_number or top_number))
    for field in ("Prepayment", "Overpayment"):
        if element.child(field) is not None:
            wanted.append((field, None, None))
    if len(wanted) != 1:
        problems.add(messages.PAYMENT_TARGET_REQUIRED)
        return None, None
    target, document_id, number = wanted[0]
    if isinstance(target, str):
        problems.add(messages.PAYMENT_TARGET_UNSUPPORTED.format(kind=target + "s"))
        return None, None
    kind = target
    store = kind.store(books)
    if document_id:
        document = store.get(normalise_guid(document_id)) if is_guid(document_id) else None
    else:
        matches = [d for d in store.values() if (d.get(kind.number_field) or "").lower() == str(number).strip().lower()]
        sales = [d for d in matches if d["Type"] == kind.sales_type]
        if len(sales) == 1:
            matches = sales
        if len(matches) > 1:
            problems.add(messages.PAYMENT_DOCUMENT_AMBIGUOUS.format(kind=kind.label.lower(), number=number))
            return kind, None
        document = matches[0] if matches else None
    if document is None:
        problems.add(messages.PAYMENT_DOCUMENT_NOT_FOUND.format(kind=kind.label.lower()))
    return kind, document


def _account(books: Books, element: Element, problems: Problems) -> Record | None:
    """The account paid from/into: a BANK account or one with EnablePaymentsToAccount (§6.2)."""
    child = element.child("Account")
    account_id = child.get("AccountID") if child else None
    code = (child.get("Code") if child else None) or element.get("Code")
    if not account_id and not code:
        problems.add(messages.PAYMENT_ACCOUNT_REQUIRED)
        return None
    account = books.account_by_id(str(account_id)) if account_id else books.account_by_code(str(code))
    if account is None:
        problems.add(messages.PAYMENT_ACCOUNT_NOT_FOUND)
        return None
    if account["Status"] != "ACTIVE" or not (account["Type"] == "BANK" or account.get("EnablePaymentsToAccount")):
        problems.add(messages.PAYMENT_ACCOUNT_INVALID.format(account=account.get("Code") or account["Name"]))
        return None
    return account


def _check_document(
    books: Books, kind: document_api.DocumentKind, document: Record, amount: Any, problems: Problems
) -> None:
    if document["Status"] == "PAID":
        problems.add(messages.PAYMENT_EXCEEDS_OUTSTANDING)
        return
    if document["Status"] != "AUTHORISED":
        problems.add(messages.PAYMENT_NOT_AUTHORISED)
        return
    if kind is invoices.INVOICE:
        outstanding = books.invoice_amounts(document)[2]
    else:
        outstanding = books.credit_note_amounts(document)[2]
    if amount is not None and amount > outstanding:
        problems.add(messages.PAYMENT_EXCEEDS_OUTSTANDING)


def _currency_rate(books: Books, element: Element, document: Record, problems: Problems) -> Any:
    """Payments carry their own rate; only meaningful for foreign-currency documents (§6.2)."""
    if document["CurrencyCode"] == books.base_currency:
        return Decimal(1)
    rate = read_decimal(element, "CurrencyRate", problems) if element.present("CurrencyRate") else None
    if rate is not None and rate <= 0:
        problems.add(messages.CURRENCY_RATE_INVALID)
        rate = None
    return rate if rate is not None else day_rate(books.base_currency, document["CurrencyCode"])


def _account_currency(books: Books, account: Record) -> str:
    return account.get("CurrencyCode") or books.base_currency


def _check_account_currency(books: Books, account: Record, document: Record, problems: Problems) -> None:
    bank_currency = _account_currency(books, account)
    if bank_currency not in (document["CurrencyCode"], books.base_currency):
        problems.add(
            messages.PAYMENT_ACCOUNT_CURRENCY.format(currency=document["CurrencyCode"], bank_currency=bank_currency)
        )


def _bank_amount(books: Books, account: Record, document: Record, amount: Any, rate: Any) -> Any:
    """``BankAmount``: the amount in the bank account's currency."""
    if _account_currency(books, account) == document["CurrencyCode"]:
        return amount
    return money.to_base_currency(amount, rate)


def _echo(
    element: Element,
    document: Record | None,
    kind: document_api.DocumentKind | None,
    account: Record | None,
    payment_date: Any,
    amount: Any,
) -> Record:
    echo: Record = {"PaymentID": wire.ZERO_GUID, "Date": payment_date, "Amount": amount}
    if account is not None:
        echo["Account"] = {"AccountID": account["AccountID"], "Code": account.get("Code"), "Name": account["Name"]}
    if document is not None and kind is not None:
        field = "Invoice" if kind is invoices.INVOICE else "CreditNote"
        echo[field] = {kind.id_field: document[kind.id_field], kind.number_field: document.get(kind.number_field) or ""}
    reference = element.get("Reference")
    if isinstance(reference, str):
        echo["Reference"] = reference
    return echo


# --- rendering ----------------------------------------------------------------------------------------------------


def render_payment(books: Books, payment: Record, ctx: RequestContext) -> Record:
    account = books.accounts[payment["AccountID"]]
    view: Record = {
        "PaymentID": payment["PaymentID"],
        "Date": payment["Date"],
        "BankAmount": payment["BankAmount"],
        "Amount": payment["Amount"],
        "Reference": payment.get("Reference"),
        "CurrencyRate": payment["CurrencyRate"],
        "PaymentType": payment["PaymentType"],
        "Status": payment["Status"],
        "UpdatedDateUTC": payment["UpdatedDateUTC"],
        "UpdatedDateUTCString": wire.utc_string(payment["UpdatedDateUTC"]),
        "HasAccount": True,
        "IsReconciled": payment["IsReconciled"],
        "Account": {"AccountID": account["AccountID"], "Code": account.get("Code"), "Name": account["Name"]},
    }
    if payment.get("InvoiceID"):
        view["Invoice"] = invoices.render_invoice(books, books.invoices[payment["InvoiceID"]], ctx, "nested")
    else:
        view["CreditNote"] = credit_notes.render_credit_note(
            books, books.credit_notes[payment["CreditNoteID"]], ctx, "nested"
        )
    view["HasValidationErrors"] = False
    return view
