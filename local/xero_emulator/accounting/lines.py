"""Line items of invoices, credit notes and bank transactions: reading, coding, line maths,
tax, totals and rendering (xero-facts §6.1, §6.4; SPEC ``LineItem``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import items, messages, money, tracking
from .context import RequestContext
from .ids import is_guid, normalise_guid
from .parsing import Element, Problems, read_decimal, read_guid, read_str
from .reference_data import SYSTEM_ACCOUNTS_NOT_FOR_LINES, TAX_FLAG_BY_CLASS

if TYPE_CHECKING:
    from .books import Books

MAX_LINE_AMOUNT = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("9999999999999")


@dataclass(frozen=True)
class LineRules:
    """How the line rules differ between document kinds."""

    allow_discounts: bool  # only ACCREC invoices (xero-facts §6.1)
    bank_transaction: bool = False  # Quantity > 0, UnitAmount ≠ 0, TaxAmount must match (§6.4)
    side: str = "sales"  # "sales" | "purchases": which side of an item an ItemCode brings (items.py)


def read_line_items(
    books: Books,
    ctx: RequestContext,
    elements: list[Element],
    existing: list[dict[str, Any]],
    line_amount_types: str,
    rules: LineRules,
    problems: Problems,
) -> list[dict[str, Any]]:
    """The document's new lines. On an update, a line with a known ``LineItemID`` keeps the
    fields it is not sent; lines left out are deleted and lines without an id are new (§6.1)."""
    by_id = {line["LineItemID"]: line for line in existing}
    lines = []
    for element in elements:
        sent_id = element.get("LineItemID")
        base = by_id.get(normalise_guid(sent_id)) if is_guid(sent_id) else None
        lines.append(_read_line(books, ctx, element, base or {}, line_amount_types, rules, problems))
    return lines


def recompute_lines(
    books: Books, lines: list[dict[str, Any]], line_amount_types: str, rules: LineRules, problems: Problems
) -> list[dict[str, Any]]:
    """Re-derive tax of kept lines when only the document's LineAmountTypes changed."""
    return [_finish_line(books, dict(line), line_amount_types, rules, problems, None) for line in lines]


def _read_line(
    books: Books,
    ctx: RequestContext,
    element: Element,
    base: dict[str, Any],
    line_amount_types: str,
    rules: LineRules,
    problems: Problems,
) -> dict[str, Any]:
    line: dict[str, Any] = dict(base)
    line.setdefault("LineItemID", books.ids.new("lineitem"))

    if element.has("ItemCode"):
        code = (read_str(element, "ItemCode", problems, max_length=30) or "").strip()
        line["ItemCode"] = code or None
        if code:
            element = _with_item_defaults(element, base, items.line_defaults(books, code, rules.side, problems))
    if element.has("Description"):
        line["Description"] = read_str(element, "Description", problems, max_length=4000)
    if element.has("Tracking"):
        line["Tracking"] = tracking.read_line_tracking(books, element.get("Tracking"), problems)

    # Coding: a sent AccountCode wins over a sent AccountID; changing the account without a
    # TaxType takes the new account's default tax type.
    account_changed = element.present("AccountCode") or element.present("AccountID")
    if element.present("AccountCode"):
        line["AccountCode"] = read_str(element, "AccountCode", problems)
        line.pop("AccountID", None)
    elif element.present("AccountID"):
        line["AccountID"] = read_guid(element, "AccountID", problems)
        line.pop("AccountCode", None)
    if element.present("TaxType"):
        line["TaxType"] = read_str(element, "TaxType", problems)
    elif account_changed:
        line.pop("TaxType", None)

    # Discounts (ACCREC invoices only).
    for field in ("DiscountRate", "DiscountAmount"):
        if element.has(field):
            line[field] = read_decimal(element, field, problems)
            if line[field] is not None and not rules.allow_discounts:
                problems.add(messages.DISCOUNT_NOT_ALLOWED)
    if line.get("DiscountRate") is not None and line.get("DiscountAmount") is not None:
        problems.add(messages.DISCOUNT_BOTH)
    if line.get("DiscountRate") is not None and not (money.ZERO <= line["DiscountRate"] <= money.HUNDRED):
        problems.add(messages.DISCOUNT_RATE_RANGE)

    # Quantity, UnitAmount and LineAmount: Xero fills in whichever one is missing (SPEC LineItem).
    quantity = read_decimal(element, "Quantity", problems) if element.present("Quantity") else None
    unit_amount = read_decimal(element, "UnitAmount", problems) if element.present("UnitAmount") else None
    sent_line_amount = read_decimal(element, "LineAmount", problems) if element.present("LineAmount") else None
    if quantity is not None:
        quantity = money.round_quantity(quantity)
    if unit_amount is not None:
        unit_amount = money.round_unit_amount(unit_amount, ctx.unitdp)
    if quantity is None:
        quantity = base.get("Quantity")
    if unit_amount is None:
        unit_amount = base.get("UnitAmount")
    line["Quantity"], line["UnitAmount"], given_line_amount = _complete_amounts(
        quantity, unit_amount, sent_line_amount, ctx.unitdp
    )
    line["_GivenLineAmount"] = given_line_amount

    sent_tax = read_decimal(element, "TaxAmount", problems) if element.present("TaxAmount") else None
    return _finish_line(books, line, line_amount_types, rules, problems, sent_tax)


def _with_item_defaults(element: Element, base: dict[str, Any], defaults: dict[str, Any]) -> Element:
    """The line as if it had sent what its item brings, for each field it neither sends nor
    already has (items.py). An item's account does not override a sent AccountID, nor its price a
    sent LineAmount."""
    data = dict(element.data)
    for field, value in defaults.items():
        if element.present(field) or base.get(field) is not None:
            continue
        if field == "AccountCode" and (element.present("AccountID") or base.get("AccountID")):
            continue
        if field == "UnitAmount" and element.present("LineAmount"):
            continue
        if field == "TaxType" and (element.present("AccountCode") or element.present("AccountID")):
            continue  # the line chose its account: its tax follows that account
        for key in [k for k in data if k.lower() == field.lower()]:
            del data[key]  # a sent null
        data[field] = str(value) if field == "UnitAmount" else value
    return Element(data)


def _complete_amounts(
    quantity: Decimal | None, unit_amount: Decimal | None, line_amount: Decimal | None, unitdp: int
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """Returns ``(Quantity, UnitAmount, LineAmount to keep as sent or None)``."""
    if quantity is not None and unit_amount is not None:
        return quantity, unit_amount, None  # Xero computes LineAmount; a sent one is ignored
    if line_amount is None:
        if unit_amount is not None:
            return Decimal(1), unit_amount, None
        if quantity is not None:
            return quantity, Decimal(0), None
        return None, None, None  # a description-only line
    line_amount = money.round_money(line_amount)
    if quantity is not None:
        unit = money.round_unit_amount(line_amount / quantity, unitdp) if quantity else Decimal(0)
        return quantity, unit, line_amount
    if unit_amount is not None:
        qty = money.round_quantity(line_amount / unit_amount) if unit_amount else Decimal(1)
        return qty, unit_amount, line_amount
    return Decimal(1), money.round_unit_amount(line_amount, unitdp), line_amount


def _finish_line(
    books: Books,
    line: dict[str, Any],
    line_amount_types: str,
    rules: LineRules,
    problems: Problems,
    sent_tax: Decimal | None,
) -> dict[str, Any]:
    """Validate coding and compute LineAmount and TaxAmount of one line."""
    if not line.get("Description") and not line.get("ItemCode"):
        problems.add(messages.DESCRIPTION_REQUIRED)

    quantity, unit_amount = line.get("Quantity"), line.get("UnitAmount")
    given = line.pop("_GivenLineAmount", None)
    if quantity is None or unit_amount is None:
        amount = money.ZERO.quantize(money.CENT)
    elif given is not None:
        amount = given
    elif abs(quantity * unit_amount) > MAX_LINE_AMOUNT * 100:
        amount = money.ZERO.quantize(money.CENT)  # far too large; reported just below
        problems.add(messages.LINE_AMOUNT_TOO_LARGE)
    else:
        amount = money.line_amount(quantity, unit_amount, line.get("DiscountRate"), line.get("DiscountAmount"))
    if quantity is not None and abs(quantity) > MAX_QUANTITY:
        problems.add(messages.QUANTITY_TOO_LARGE)
    if abs(amount) > MAX_LINE_AMOUNT:
        problems.add(messages.LINE_AMOUNT_TOO_LARGE)
    if rules.bank_transaction:
        if quantity is None or quantity <= 0:
            problems.add(messages.BANK_QUANTITY)
        if unit_amount is None or unit_amount == 0:
            problems.add(messages.BANK_UNIT_AMOUNT)
    line["LineAmount"] = amount

    account = _line_account(books, line, problems)
    if account is not None:
        line["AccountID"] = account["AccountID"]
        if account.get("Code"):
            line["AccountCode"] = account["Code"]
        if not line.get("TaxType") and account.get("TaxType"):
            line["TaxType"] = account["TaxType"]

    fraction = money.ZERO
    if line.get("TaxType"):
        tax_rate = books.tax_rate(line["TaxType"])
        if tax_rate is None or tax_rate["Status"] != "ACTIVE":
            problems.add(messages.TAX_TYPE_INVALID.format(tax_type=line["TaxType"]))
        else:
            line["TaxType"] = tax_rate["TaxType"]
            fraction = tax_fraction(tax_rate)
            if account is not None and not tax_rate[TAX_FLAG_BY_CLASS[account["Class"]]]:
                problems.add(
                    messages.TAX_TYPE_NOT_FOR_ACCOUNT.format(
                        tax_type=line["TaxType"], code=account.get("Code") or account["Name"]
                    )
                )

    calculated = money.line_tax(amount, fraction, line_amount_types)
    if sent_tax is not None and line_amount_types != money.NO_TAX:
        sent_tax = money.round_money(sent_tax)
        if rules.bank_transaction and sent_tax != calculated:
            problems.add(messages.BANK_TAX_AMOUNT.format(sent=sent_tax, calculated=calculated))
        # Invoices and credit notes: "This value can be overridden if the calculated TaxAmount is
        # not correct" (SPEC LineItem.TaxAmount).
        line["TaxAmount"] = sent_tax
    else:
        line["TaxAmount"] = calculated
    return line


def _line_account(books: Books, line: dict[str, Any], problems: Problems) -> dict[str, Any] | None:
    code, account_id = line.get("AccountCode"), line.get("AccountID")
    if code:
        account = books.account_by_code(code)
        if account is None or not usable_on_lines(account):
            problems.add(messages.ACCOUNT_CODE_INVALID.format(code=code))
            return None
        return account
    if account_id:
        account = books.account_by_id(account_id)
        if account is None or not usable_on_lines(account):
            problems.add(messages.ACCOUNT_ID_INVALID.format(account_id=account_id))
            return None
        return account
    return None


def usable_on_lines(account: dict[str, Any]) -> bool:
    """Active, not a bank account and not one of the system accounts Xero posts to itself."""
    return (
        account["Status"] == "ACTIVE"
        and account["Type"] != "BANK"
        and account.get("SystemAccount") not in SYSTEM_ACCOUNTS_NOT_FOR_LINES
    )


def tax_fraction(tax_rate: dict[str, Any]) -> Decimal:
    return money.effective_fraction(
        [money.Component(c["Rate"], bool(c.get("IsCompound"))) for c in tax_rate["TaxComponents"]]
    )


def require_coding(lines: list[dict[str, Any]], line_amount_types: str, problems: Problems) -> None:
    """Approved documents post to the ledger, so every line needs an account and a tax type."""
    for line in lines:
        if not line.get("AccountCode") and not line.get("AccountID"):
            problems.add(messages.ACCOUNT_CODE_REQUIRED)
        elif line.get("AccountID") and line_amount_types != money.NO_TAX and not line.get("TaxType"):
            problems.add(messages.TAX_TYPE_REQUIRED)  # (an invalid account was reported already)


def totals(lines: list[dict[str, Any]], line_amount_types: str) -> money.Totals:
    return money.document_totals(((line["LineAmount"], line["TaxAmount"]) for line in lines), line_amount_types)


def total_discount(lines: list[dict[str, Any]]) -> Decimal:
    discount = money.ZERO
    for line in lines:
        if line.get("Quantity") is not None and (line.get("DiscountRate") or line.get("DiscountAmount")):
            discount += money.round_money(line["Quantity"] * line["UnitAmount"]) - line["LineAmount"]
    return money.round_money(discount)


def render_lines(lines: list[dict[str, Any]], unitdp: int, books: Books | None = None) -> list[dict[str, Any]]:
    """Lines as Xero shows them; UnitAmount with 2 dp unless the read asks ``unitdp=4``; tracking
    with the current names of its categories and options when ``books`` is given."""
    rendered = []
    for line in lines:
        view = {
            "LineItemID": line["LineItemID"],
            "Description": line.get("Description"),
            "Quantity": line.get("Quantity"),
            "UnitAmount": (
                None if line.get("UnitAmount") is None else money.round_unit_amount(line["UnitAmount"], unitdp)
            ),
            "ItemCode": line.get("ItemCode"),
            "Item": items.line_item_reference(books, line.get("ItemCode")),
            "AccountCode": line.get("AccountCode"),
            "AccountID": line.get("AccountID"),
            "TaxType": line.get("TaxType"),
            "TaxAmount": line["TaxAmount"],
            "LineAmount": line["LineAmount"],
            "DiscountRate": line.get("DiscountRate"),
            "DiscountAmount": line.get("DiscountAmount"),
            "Tracking": tracking.render_line_tracking(books, line.get("Tracking") or []),
        }
        rendered.append(view)
    return rendered


def read_line_amount_types(element: Element, current: str, problems: Problems) -> str:
    value = element.get("LineAmountTypes")
    if value is None or value == "":
        return current
    for option in money.LINE_AMOUNT_TYPES:
        if isinstance(value, str) and value.strip().lower() == option.lower():
            return option
    problems.add(f"LineAmountTypes {value} is not valid. Use Exclusive, Inclusive or NoTax.")
    return current
