"""Builders and Xero-state readers shared by the export integration tests (sync rows, money,
contact identity, faults). Everything here reads the emulated Xero's *state* (the control
plane's snapshot of the tenant), never the request log, unless a test is about calls.

Importing this module also relaxes moto's one-purge-a-minute rule: the ``harness`` fixture
purges every queue before each test, and with strict purge behaviour a second test within 60
seconds fails in its set-up (``PurgeQueueInProgress``). moto reads the variable on each call.

Two fixtures replace the conftest ones in the modules that import them (``from scenario_helpers
import emulator, harness``), for the suite's wall time only — the pipeline under test is the same:

* ``emulator`` is stopped in the background: stopping waits for the HTTP server's 0.5 s poll,
  and nothing after a test needs it gone.
* ``harness`` is a :class:`SyncHarness`, configured once with every family exported (instead of
  the demo settings, then again). Its ``drain`` delivers messages to the real worker exactly like
  ``ExportHarness.drain``, but polls only the queues something was sent to (every send goes
  through the container's ``ExportQueues.enqueue``) instead of all eight queues every round.
"""

from __future__ import annotations

import os
import threading
from decimal import Decimal
from typing import Any

import pytest
from export_harness import TIME_SCALE, ExportHarness, record

from local.xero_emulator import EmulatorOptions, start_in_thread
from xero_sync.aws.clients import aws_client
from xero_sync.domain.entities import family_of
from xero_sync.domain.families import Family
from xero_sync.domain.natural_keys import build_stamp

os.environ["MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR"] = "false"

ALL_FAMILIES_ON = {
    "export": {
        "invoices_and_payments": True,
        "credit_notes": True,
        "bills_and_payments": True,
        "vendor_credits": True,
        "bank_charges": True,
    }
}
WRITE_OFF_ACCOUNT = "408"  # Bad Debts, Xero's recommended write-off account (xero-facts §6.3)
BANK_CHARGES_ACCOUNT = "404"  # Bank Fees
EVERYTHING = {**ALL_FAMILIES_ON, "write_off_account": WRITE_OFF_ACCOUNT, "bank_charges_account": BANK_CHARGES_ACCOUNT}


@pytest.fixture
def emulator():
    yield from running_emulator(tenants=1)


def running_emulator(*, tenants: int):
    """An emulator with ``tenants`` organisations, stopped in the background afterwards."""
    emu = start_in_thread(EmulatorOptions(port=0, auto_consent=True, tenants=tenants, time_scale=TIME_SCALE))
    yield emu
    threading.Thread(target=emu.stop, name="emulator-stop", daemon=True).start()


class SyncHarness(ExportHarness):
    """An :class:`ExportHarness` whose drain polls only the queues that were sent something."""

    def track_sends(self) -> None:
        self.dirty: set[Family] = set(Family)  # anything left from before: look once everywhere
        queues = self.container.export_queues
        send = queues.enqueue

        def enqueue(keys, reason, **options):
            keys = list(keys)
            self.dirty.update(family_of(key.entity) for key in keys)
            return send(keys, reason, **options)

        queues.enqueue = enqueue

    def drain(self, *, max_rounds: int = 60) -> int:
        delivered = 0
        for _ in range(max_rounds):
            if not self.dirty:
                return delivered
            for family in [f for f in Family if f in self.dirty]:
                count = self.deliver_once(family)
                if not count:
                    self.dirty.discard(family)  # a later send marks it again
                delivered += count
        raise AssertionError("queues did not drain")


@pytest.fixture
def harness(container, emulator) -> SyncHarness:
    """The conftest ``harness`` with every family exported (see the module's docstring)."""
    org = SyncHarness(container, emulator)
    org.connect()
    return ready(org)


def ready(org: SyncHarness) -> SyncHarness:
    """A connected org with every family exported, empty queues, its sends tracked."""
    org.configure(EVERYTHING)
    sqs = aws_client("sqs", org.container.settings)
    for family in Family:
        for url in (org.container.settings.queue_url(family), org.container.settings.dlq_url(family)):
            sqs.purge_queue(QueueUrl=url)
    org.track_sends()
    return org


def enable_everything(harness: ExportHarness, **settings: Any) -> None:
    """Every family exported, write-offs on Bad Debts, bank charges on Bank Fees (what the
    ``harness`` fixture here starts with), plus ``settings``."""
    harness.configure({**EVERYTHING, **settings})


# --- builders (SPEC §7 shapes) -----------------------------------------------------------------


def line(
    rate: str = "50",
    quantity: Any = 2,
    *,
    item: str = "Beans",
    tax_id: str | None = "gst15",
    account_code: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data = {"item_name": item, "quantity": quantity, "rate": rate, **extra}
    if tax_id is not None:
        data["tax_id"] = tax_id
    if account_code is not None:
        data["account_code"] = account_code
    return data


def vendor(record_id: str, name: str, version: int = 1, **data: Any) -> dict[str, Any]:
    return {
        "entity": "contact",
        "id": record_id,
        "version": version,
        "action": "upsert",
        "data": {"display_name": name, "kind": "vendor", **data},
    }


def bill(
    record_id: str,
    number: str,
    vendor_id: str,
    *,
    version: int = 1,
    status: str = "open",
    lines: list[dict] | None = None,
    **data: Any,
) -> dict[str, Any]:
    return record(
        "bill",
        record_id,
        version,
        number=number,
        vendor_id=vendor_id,
        date="2026-11-03",
        due_date="2026-12-03",
        status=status,
        lines=lines or [line("40", 2, item="Green beans", account_code="300")],
        **data,
    )


def credit_note(
    record_id: str,
    number: str,
    contact_id: str,
    *,
    version: int = 1,
    status: str = "open",
    lines: list[dict] | None = None,
    **data: Any,
) -> dict[str, Any]:
    return record(
        "credit_note",
        record_id,
        version,
        number=number,
        contact_id=contact_id,
        date="2026-11-04",
        status=status,
        lines=lines or [line("20", 1, item="Returned beans", account_code="200")],
        **data,
    )


def vendor_credit(
    record_id: str,
    number: str,
    vendor_id: str,
    *,
    version: int = 1,
    status: str = "open",
    lines: list[dict] | None = None,
    **data: Any,
) -> dict[str, Any]:
    return record(
        "vendor_credit",
        record_id,
        version,
        number=number,
        vendor_id=vendor_id,
        date="2026-11-04",
        status=status,
        lines=lines or [line("10", 1, item="Damaged sacks", account_code="300")],
        **data,
    )


def invoice_payment(
    record_id: str, invoice_id: str, amount: str, *, version: int = 1, account_code: str = "090", **data: Any
) -> dict[str, Any]:
    return record(
        "invoice_payment",
        record_id,
        version,
        invoice_id=invoice_id,
        date="2026-11-05",
        amount=amount,
        account_code=account_code,
        **data,
    )


def bill_payment(
    record_id: str, bill_id: str, amount: str, *, version: int = 1, account_code: str = "090", **data: Any
) -> dict[str, Any]:
    return record(
        "bill_payment",
        record_id,
        version,
        bill_id=bill_id,
        date="2026-11-06",
        amount=amount,
        account_code=account_code,
        **data,
    )


def credit_note_allocation(
    record_id: str, credit_note_id: str, invoice_id: str, amount: str, *, version: int = 1
) -> dict[str, Any]:
    return record(
        "credit_note_allocation",
        record_id,
        version,
        credit_note_id=credit_note_id,
        invoice_id=invoice_id,
        amount=amount,
        date="2026-11-07",
    )


def vendor_credit_allocation(
    record_id: str, vendor_credit_id: str, bill_id: str, amount: str, *, version: int = 1
) -> dict[str, Any]:
    return record(
        "vendor_credit_allocation",
        record_id,
        version,
        vendor_credit_id=vendor_credit_id,
        bill_id=bill_id,
        amount=amount,
        date="2026-11-07",
    )


def credit_note_refund(
    record_id: str, credit_note_id: str, amount: str, *, version: int = 1, account_code: str = "090", **data: Any
) -> dict[str, Any]:
    return record(
        "credit_note_refund",
        record_id,
        version,
        credit_note_id=credit_note_id,
        date="2026-11-08",
        amount=amount,
        account_code=account_code,
        **data,
    )


def vendor_credit_refund(
    record_id: str, vendor_credit_id: str, amount: str, *, version: int = 1, account_code: str = "090", **data: Any
) -> dict[str, Any]:
    return record(
        "vendor_credit_refund",
        record_id,
        version,
        vendor_credit_id=vendor_credit_id,
        date="2026-11-08",
        amount=amount,
        account_code=account_code,
        **data,
    )


def write_off(record_id: str, invoice_id: str, *, version: int = 1, **data: Any) -> dict[str, Any]:
    return record("write_off", record_id, version, invoice_id=invoice_id, date="2026-11-09", **data)


def bank_charge(
    record_id: str, amount: str, *, version: int = 1, account_code: str = "090", **data: Any
) -> dict[str, Any]:
    return record(
        "bank_charge", record_id, version, date="2026-11-10", amount=amount, account_code=account_code, **data
    )


def delete(entity: str, record_id: str, version: int) -> dict[str, Any]:
    return record(entity, record_id, version, action="delete")


# --- reading the emulated Xero's state ---------------------------------------------------------


class XeroState:
    """One snapshot of the tenant's books, with the look-ups the tests need."""

    def __init__(self, harness: ExportHarness) -> None:
        self.harness = harness
        self.raw = harness.xero()

    def contacts(self, name: str | None = None) -> list[dict[str, Any]]:
        return [c for c in self.raw["Contacts"] if name is None or c["Name"] == name]

    def contact(self, name: str) -> dict[str, Any]:
        found = self.contacts(name)
        assert len(found) == 1, f"{len(found)} Xero contacts named {name!r}"
        return found[0]

    def invoices(self, number: str | None = None, type_: str | None = None) -> list[dict[str, Any]]:
        return [
            i
            for i in self.raw["Invoices"]
            if (number is None or i.get("InvoiceNumber") == number) and (type_ is None or i["Type"] == type_)
        ]

    def invoice(self, number: str, type_: str = "ACCREC") -> dict[str, Any]:
        found = self.invoices(number, type_)
        assert len(found) == 1, f"{len(found)} Xero {type_} documents numbered {number!r}"
        return found[0]

    def credit_notes(self, number: str | None = None, type_: str | None = None) -> list[dict[str, Any]]:
        return [
            n
            for n in self.raw["CreditNotes"]
            if (number is None or n.get("CreditNoteNumber") == number) and (type_ is None or n["Type"] == type_)
        ]

    def credit_note(self, number: str, type_: str = "ACCRECCREDIT") -> dict[str, Any]:
        found = self.credit_notes(number, type_)
        assert len(found) == 1, f"{len(found)} Xero {type_} credit notes numbered {number!r}"
        return found[0]

    def payments_stamped(self, entity: str, record_id: str, *, live_only: bool = False) -> list[dict[str, Any]]:
        """Payments (incl. refunds) carrying the reference stamp of one host record."""
        stamp = build_stamp(self.harness.org_id, entity, record_id)
        return [
            p
            for p in self.raw["Payments"]
            if stamp in (p.get("Reference") or "") and (not live_only or p["Status"] != "DELETED")
        ]

    def live_payment(self, entity: str, record_id: str) -> dict[str, Any]:
        found = self.payments_stamped(entity, record_id, live_only=True)
        assert len(found) == 1, f"{len(found)} live Xero payments for {entity} {record_id}"
        return found[0]

    def bank_transactions_stamped(self, record_id: str, *, live_only: bool = False) -> list[dict[str, Any]]:
        stamp = build_stamp(self.harness.org_id, "bank_charge", record_id)
        return [
            t
            for t in self.raw["BankTransactions"]
            if stamp in (t.get("Reference") or "") and (not live_only or t["Status"] != "DELETED")
        ]

    def live_allocations(self, credit_note_number: str, type_: str = "ACCRECCREDIT") -> list[dict[str, Any]]:
        note = self.credit_note(credit_note_number, type_)
        return [a for a in note["Allocations"] if not a.get("IsDeleted")]


def money(value: Any) -> Decimal:
    """Xero's JSON numbers as Decimal, to compare amounts exactly."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def line_summary(document: dict[str, Any]) -> list[tuple[str, Decimal, Decimal, str]]:
    """(description, quantity, unit amount, account) per Xero line."""
    return [
        (item["Description"], Decimal(str(item["Quantity"])), Decimal(str(item["UnitAmount"])), item["AccountCode"])
        for item in document["LineItems"]
    ]
