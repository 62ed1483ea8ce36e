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
from typing import Any

import pytest
from export_harness import TIME_SCALE, ExportHarness

# The builders and the readers of Xero's books live in local/ (shared with benchmarks/chaos.py);
# the tests import them from here.
from local.host_records import (  # noqa: F401 — re-exported
    bank_charge,
    bill,
    bill_payment,
    credit_note,
    credit_note_allocation,
    credit_note_refund,
    delete,
    invoice_payment,
    line,
    vendor,
    vendor_credit,
    vendor_credit_allocation,
    vendor_credit_refund,
    write_off,
)
from local.xero_books import XeroBooks, line_summary, money  # noqa: F401 — re-exported
from local.xero_emulator import EmulatorOptions, start_in_thread
from xero_sync.aws.clients import aws_client
from xero_sync.domain.entities import family_of
from xero_sync.domain.families import Family

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
CUSTOMER = "Harbour Cafe Ltd"  # the host's customer and supplier in the sync-row and fault scenarios
SUPPLIER = "Beanery Supplies Ltd"


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


# --- reading the emulated Xero's state ---------------------------------------------------------


class XeroState(XeroBooks):
    """One snapshot of the harness's tenant, with the look-ups the tests need."""

    def __init__(self, harness: ExportHarness) -> None:
        super().__init__(harness.xero(), harness.org_id)
        self.harness = harness
