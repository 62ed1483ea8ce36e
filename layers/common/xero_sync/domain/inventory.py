"""The daily inventory journal (F3.9, seed 001 "Asset Account": "a record of the value of items
in a sales or purchase transaction … pushed to an account in Xero once a day").

What moves, per local day of the org (its Xero ``Timezone``):

* **sold** — the cost of the items on the day's sales invoices that are in Xero:
  Σ quantity × ``unit_cost`` over lines that carry a unit cost. Debit cost of goods sold,
  credit the inventory asset account.
* **bought** — the cost of the items on the day's bills that are in Xero: debit the inventory
  asset account, credit the purchases account the bills were coded to (the value moves from
  expense into stock).

A day with no movement posts nothing. The journal's narration names the day and the counts, and
ends with a stamp (``[xs:…]``, as payments carry in their reference, natural_keys.py) by which
the service finds the journal again after an unknown outcome — exactly once per org and day.
Pure: the service gives it the day's documents and the accounts.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from xero_sync.domain.money import round_money
from xero_sync.models.records import Bill, DocumentStatus, EntityName, Invoice
from xero_sync.models.xero_payloads import LineAmountType, XeroJournalLine, XeroManualJournal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DayMovement:
    day: date
    sold: Decimal = ZERO
    bought: Decimal = ZERO
    invoices: int = 0
    bills: int = 0
    sold_lines: int = 0
    bought_lines: int = 0

    @property
    def empty(self) -> bool:
        return self.sold == 0 and self.bought == 0


@dataclass(frozen=True)
class JournalAccounts:
    """Account codes of the three sides: checked against Xero's chart by the service."""

    asset: str
    cost_of_goods_sold: str
    purchases: str


def costed_lines(document: Invoice | Bill) -> tuple[Decimal, int]:
    """(Σ quantity × unit cost, number of lines with a unit cost) of one document."""
    lines = [line for line in document.lines if line.unit_cost is not None]
    total = sum((line.quantity * line.unit_cost for line in lines if line.unit_cost is not None), Decimal(0))
    return round_money(total), len(lines)


def movement(day: date, documents: Iterable[tuple[EntityName, Invoice | Bill]]) -> DayMovement:
    """The day's movement from its open invoices and bills dated that day (drafts and voided
    documents move nothing; documents without unit costs move nothing)."""
    sold = bought = ZERO
    invoices = bills = sold_lines = bought_lines = 0
    for entity, document in documents:
        if document.date != day or document.status is not DocumentStatus.OPEN:
            continue
        value, lines = costed_lines(document)
        if not lines:
            continue
        if entity is EntityName.INVOICE:
            sold, invoices, sold_lines = sold + value, invoices + 1, sold_lines + lines
        elif entity is EntityName.BILL:
            bought, bills, bought_lines = bought + value, bills + 1, bought_lines + lines
    return DayMovement(day, sold, bought, invoices, bills, sold_lines, bought_lines)


def journal_stamp(org_id: str, day: date) -> str:
    """``[xs:<10 base-32 characters>]`` of (org, day): the journal's key in Xero."""
    digest = hashlib.sha256(f"{org_id}\x1finventory_journal\x1f{day.isoformat()}".encode()).digest()
    return f"[xs:{base64.b32encode(digest).decode('ascii')[:10].lower()}]"


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def narration(org_id: str, moved: DayMovement) -> str:
    parts = []
    if moved.sold:
        parts.append(f"{moved.sold_lines} item line(s) sold on {moved.invoices} invoice(s) at a cost of {moved.sold}")
    if moved.bought:
        parts.append(f"{moved.bought_lines} item line(s) bought on {moved.bills} bill(s) at a cost of {moved.bought}")
    return f"Inventory movement on {_day(moved.day)}: " + "; ".join(parts) + f". {journal_stamp(org_id, moved.day)}"


def journal(org_id: str, moved: DayMovement, accounts: JournalAccounts, tax_type: str | None) -> XeroManualJournal:
    """The balanced manual journal of a day with movement (debits positive, credits negative)."""
    if moved.empty:
        raise ValueError("a day without movement posts no journal")
    day = _day(moved.day)
    lines: list[XeroJournalLine] = []

    def line(description: str, amount: Decimal, account: str) -> None:
        lines.append(XeroJournalLine(Description=description, LineAmount=amount, AccountCode=account, TaxType=tax_type))

    if moved.sold:
        line(f"Cost of goods sold on {day}", moved.sold, accounts.cost_of_goods_sold)
        line(f"Inventory sold on {day}", -moved.sold, accounts.asset)
    if moved.bought:
        line(f"Inventory bought on {day}", moved.bought, accounts.asset)
        line(f"Purchases moved to inventory on {day}", -moved.bought, accounts.purchases)
    return XeroManualJournal(
        Narration=narration(org_id, moved),
        Date=moved.day,
        LineAmountTypes=LineAmountType.NO_TAX,
        JournalLines=lines,
    )


def days_to_journal(now: datetime, zone: ZoneInfo, *, first_day: date, lookback: int) -> list[date]:
    """The org's local days that have ended (at most ``lookback`` of them, oldest first), from
    ``first_day`` on: the day the journal starts is the day the service first saw the asset
    account, so enabling it never journals the past."""
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=back) for back in range(lookback, 0, -1)]
    return [day for day in days if day >= first_day]


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()
