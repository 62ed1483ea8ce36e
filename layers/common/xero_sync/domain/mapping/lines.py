"""A document's line items: the host's lines, then one line per document-level amount.

Per host line (F3.3): item name and description → ``Description``; rate → ``UnitAmount``
(``unitdp=4`` when needed); quantity → ``Quantity``; discount % → ``DiscountRate`` where Xero has
it; tax → ``TaxType`` via the tax mapping; account → ``AccountCode`` (default: the kind's lines
account in the settings).

Line discounts where Xero has none (ACCPAY, both kinds of credit note — xero-facts §6.1, §6.3):
the discount is folded into the unit price, ``UnitAmount = rate × (100 − discount) / 100`` (to 4
places with ``unitdp=4`` when needed), keeping the quantity. When that cannot reproduce the host's
discounted line amount to the cent, the line goes as quantity 1 at the line amount, and its
description records "quantity × rate less discount %" (reported as a notice).

Document-level discount, shipping charges, adjustment and round-off each become a separate line
("the item name along with the amount") on the account chosen in the settings
(:class:`ExtraLine`); discount, adjustment and round-off carry no tax, shipping carries the tax of
``shipping_tax_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xero_sync.domain import money
from xero_sync.domain.mapping.base import plain
from xero_sync.domain.mapping.checks import AccountUse
from xero_sync.domain.mapping.collector import Collector
from xero_sync.domain.mapping.line_fields import LineFields
from xero_sync.domain.money import UnitAmount
from xero_sync.domain.problems import Notice, NoticeCode
from xero_sync.models.records import DocumentLine
from xero_sync.models.reference_data import XeroAccount
from xero_sync.models.xero_payloads import LineAmountType, XeroLineItem, XeroTracking

if TYPE_CHECKING:
    from xero_sync.domain.mapping.documents import DocumentKind, HostDocument

ONE = Decimal(1)


@dataclass(frozen=True)
class ExtraLine:
    """A document-level amount sent as a line of its own (the seeds' field tables)."""

    amount_field: str  # the host field holding the amount; no line when it is empty or zero
    description: str
    setting: str | None = None  # its own settings account; else the kind's adjustments account
    tax_field: str | None = None  # the host field naming its tax; None: no tax
    description_field: str | None = None  # a host field that describes it better, when filled
    negate: bool = False  # a discount is a positive amount taken off


DISCOUNT = ExtraLine("discount", "Discount", negate=True)
SHIPPING = ExtraLine("shipping_charge", "Shipping charges", setting="shipping_account", tax_field="shipping_tax_id")
ADJUSTMENT = ExtraLine("adjustment", "Adjustment", description_field="adjustment_description")
ROUND_OFF = ExtraLine("round_off", "Round off", setting="rounding_account")


@dataclass
class BuiltLines:
    items: list[XeroLineItem] = field(default_factory=list)
    results: list[money.LineResult] = field(default_factory=list)
    units: list[UnitAmount] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    description: str
    quantity: Decimal
    unit: UnitAmount
    discount: Decimal | None
    account: XeroAccount | None
    tax_id: str | None
    tax_field: str
    item_code: str | None = None
    tracking: list[XeroTracking] | None = None


class _LineBuilder:
    def __init__(
        self, kind: DocumentKind[Any], amounts: LineAmountType, c: Collector, fields: LineFields | None = None
    ) -> None:
        self.kind = kind
        self.amounts = amounts
        self.c = c
        self.fields = fields
        self.built = BuiltLines()

    def add(self, line: _Line) -> None:
        tax_type, rate = self.c.line_tax(
            line.tax_id, line.account, amounts=self.amounts, purchases=self.kind.side.purchases, field=line.tax_field
        )
        self.built.items.append(
            XeroLineItem(
                Description=line.description,
                Quantity=line.quantity,
                UnitAmount=line.unit.value,
                AccountCode=line.account.Code if line.account and line.account.Code else "",
                TaxType=tax_type,
                DiscountRate=line.discount,
                ItemCode=line.item_code,
                Tracking=line.tracking or None,
            )
        )
        self.built.units.append(line.unit)
        self.built.results.append(money.compute_line(line.quantity, line.unit.value, line.discount, rate, self.amounts))

    def host_line(self, index: int, line: DocumentLine) -> None:
        where = f"lines[{index}]"
        if line.account_code:
            use = AccountUse(purpose=f"line {index + 1}", field=f"{where}.account_code")
            account = self.c.account(line.account_code, use)
        else:
            account = self.c.setting_account(self.kind.side.lines_setting, field=f"{where}.account_code")
        mapped = self.fields.description(line) if self.fields is not None else None
        description = mapped or _describe(line.item_name, line.description) or f"Line {index + 1}"
        quantity, unit, discount, description = _line_price(line, self.kind, description, index, self.c)
        tracking = self.fields.tracking(index, line) if self.fields is not None else None
        self.add(
            _Line(
                description, quantity, unit, discount, account, line.tax_id, f"{where}.tax_id", line.item_code, tracking
            )
        )

    def extra_line(self, doc: HostDocument, extra: ExtraLine) -> None:
        amount: Decimal | None = getattr(doc, extra.amount_field, None)
        if not amount:
            return
        account = self.c.setting_account(
            extra.setting or self.kind.side.adjustments_setting,
            fallback=self.kind.side.adjustments_setting if extra.setting else None,
            field=extra.amount_field,
        )
        described = getattr(doc, extra.description_field) if extra.description_field else None
        value = -amount if extra.negate else amount
        tax_id = getattr(doc, extra.tax_field) if extra.tax_field else None
        unit = UnitAmount(value=value, places=2, original=value)
        tracking = self.fields.tracking(None, None) if self.fields is not None else None
        line = _Line(
            described or extra.description,
            ONE,
            unit,
            None,
            account,
            tax_id,
            extra.tax_field or extra.amount_field,
            tracking=tracking,
        )
        self.add(line)


def build_lines(
    doc: HostDocument,
    kind: DocumentKind[Any],
    amounts: LineAmountType,
    c: Collector,
    fields: LineFields | None = None,
) -> BuiltLines:
    """The host's lines, then the document-level amounts the kind has, each a line of its own.
    ``fields`` gives each line what the org maps onto lines (tracking, description)."""
    builder = _LineBuilder(kind, amounts, c, fields)
    for index, line in enumerate(doc.lines):
        builder.host_line(index, line)
    for extra in kind.side.extra_lines:
        builder.extra_line(doc, extra)
    return builder.built


def _describe(item_name: str | None, description: str | None) -> str | None:
    """Seed 001: "The item name and description will be recorded in the description field"."""
    parts = [part for part in (item_name, description) if part]
    return "\n".join(parts) if parts else None


def _line_price(
    line: DocumentLine, kind: DocumentKind[Any], description: str, index: int, c: Collector
) -> tuple[Decimal, UnitAmount, Decimal | None, str]:
    """Quantity, unit amount, discount rate and description for one host line."""
    quantity: Decimal = line.quantity
    rate: Decimal = line.rate
    unit = money.unit_amount(rate)
    if unit.rounded:
        c.notice(_rounded_notice(line, unit, index))
    discount: Decimal | None = line.discount_percent or None
    if discount is None or kind.line_discounts:
        return quantity, unit, discount, description

    # No DiscountRate on this kind of document: fold the discount into the unit price.
    expected = money.round_money(quantity * rate * (money.HUNDRED - discount) / money.HUNDRED)
    net_unit = money.unit_amount(rate * (money.HUNDRED - discount) / money.HUNDRED)
    if money.line_amount(quantity, net_unit.value) == expected:
        return quantity, net_unit, None, description
    detail = f"{plain(quantity)} × {plain(rate)} less {plain(discount)} %"
    c.notice(
        Notice(
            code=NoticeCode.LINE_DISCOUNT_FOLDED,
            message=(
                f"Line {index + 1}: Xero takes no line discounts on a {kind.label}, so the line was sent as "
                f"1 × {expected} ({detail})."
            ),
            field=f"lines[{index}].discount_percent",
            params={"line": str(index + 1), "amount": str(expected), "detail": detail},
        )
    )
    return ONE, UnitAmount(value=expected, places=2, original=expected), None, f"{description} ({detail})"


def _rounded_notice(line: DocumentLine, unit: UnitAmount, index: int) -> Notice:
    """Xero keeps 4 decimal places of a unit price: say what the line comes to instead."""
    quantity: Decimal = line.quantity
    rate: Decimal = line.rate
    kept = money.HUNDRED - (line.discount_percent or 0)
    exact = money.round_money(quantity * rate * kept / money.HUNDRED)
    sent = money.line_amount(quantity, unit.value, line.discount_percent)
    return Notice(
        code=NoticeCode.UNIT_PRICE_ROUNDED,
        message=(
            f"Line {index + 1}: Xero keeps unit prices to 4 decimal places, so {plain(rate)} was sent "
            f"as {unit.value}; the line amount is {sent} in Xero instead of {exact} (difference {sent - exact})."
        ),
        field=f"lines[{index}].rate",
        params={
            "line": str(index + 1),
            "rate": plain(rate),
            "sent": str(unit.value),
            "xero_line_amount": str(sent),
            "host_line_amount": str(exact),
        },
    )
