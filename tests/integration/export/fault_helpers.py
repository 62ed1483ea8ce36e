"""What the fault-injection tests (``test_fault_*_it.py``) share: the fault options, the
``Step`` a fault is armed on, ``run_with_fault`` (set up, arm one fault, export, drain, check),
and the checks of Xero's state that more than one of those modules makes.

Fault kinds (local/xero_emulator/faults.py): ``http_500``, ``http_503`` and ``http_429`` are
refused before anything is saved; ``slow`` answers late but within the client's time-out;
``drop_after_commit`` and ``timeout_after_commit`` save the change and then the client never hears
back — the two cases where only the look-up by natural key (recovery.py) prevents a duplicate.
For ``timeout_after_commit`` the client's time-out is lowered to
``CLIENT_TIMEOUT_FOR_TIMEOUT_FAULTS`` and the answer held longer (``FAULT_OPTIONS``), so every
step can be covered without waiting for the real time-out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from export_harness import ExportHarness, contact, invoice
from scenario_helpers import CUSTOMER, WRITE_OFF_ACCOUNT, XeroState, money

FAULT_OPTIONS = {
    "http_429": {"delay_seconds": 1},  # Retry-After: 1 (the governor holds the tenant that long)
    "slow": {"delay_seconds": 0.3},  # late, but well within the client's time-out
    "timeout_after_commit": {"delay_seconds": 3.0},  # the client gives up after 1.5 s (below)
}
CLIENT_TIMEOUT_FOR_TIMEOUT_FAULTS = 1.5  # far above an answer's time on a loaded machine, far below the hold


@dataclass(frozen=True)
class Step:
    name: str
    method: str
    path_prefix: str  # below /api.xro/2.0
    setup: list[dict]  # exported cleanly before the fault is armed
    action: list[dict]  # exported with the fault armed
    check: Callable[[ExportHarness, XeroState], None]
    records: list[tuple[str, str]] = field(default_factory=list)  # (entity, id) that must end synced


SALE = [contact("cus-1", CUSTOMER), invoice("inv-1", "INV-1001", "cus-1")]


def one_invoice(number: str, total: str, type_: str = "ACCREC", status: str = "AUTHORISED"):
    def check(h: ExportHarness, xero: XeroState) -> None:
        found = xero.invoice(number, type_)  # exactly one
        assert money(found["Total"]) == money(total) and found["Status"] == status, found["Status"]

    return check


def check_contact_and_invoice(h: ExportHarness, xero: XeroState) -> None:
    found = xero.invoice("INV-1001")
    assert found["Contact"]["ContactID"] == xero.contact(CUSTOMER)["ContactID"]  # exactly one contact
    assert money(found["Total"]) == money(115)
    assert len(xero.raw["Contacts"]) == 1


def check_payment(amount: str, *, replaced: bool = False):
    def check(h: ExportHarness, xero: XeroState) -> None:
        payment = xero.live_payment("invoice_payment", "pay-1")  # exactly one live payment
        assert money(payment["Amount"]) == money(amount)
        assert money(xero.invoice("INV-1001")["AmountPaid"]) == money(amount)
        stamped = xero.payments_stamped("invoice_payment", "pay-1")
        assert len(stamped) == (2 if replaced else 1), [(p["Amount"], p["Status"]) for p in stamped]
        assert h.record("invoice_payment", "pay-1").xero_id == payment["PaymentID"]

    return check


def check_allocation(h: ExportHarness, xero: XeroState) -> None:
    allocations = xero.live_allocations("CN-1")
    assert [money(a["Amount"]) for a in allocations] == [money(23)]
    assert money(xero.invoice("INV-1001")["AmountCredited"]) == money(23)


def check_bank_charge(h: ExportHarness, xero: XeroState) -> None:
    found = xero.bank_transactions_stamped("bc-1")
    assert len(found) == 1 and money(found[0]["Total"]) == money("3.50") and found[0]["Type"] == "SPEND"


def check_write_off(h: ExportHarness, xero: XeroState) -> None:
    assert len(xero.credit_notes(type_="ACCRECCREDIT")) == 1  # no second write-off note
    note = xero.credit_note("INV-1001-WO")
    assert [(i["AccountCode"], money(i["LineAmount"])) for i in note["LineItems"]] == [(WRITE_OFF_ACCOUNT, money(115))]
    assert [money(a["Amount"]) for a in xero.live_allocations("INV-1001-WO")] == [money(115)]
    found = xero.invoice("INV-1001")
    assert found["Status"] == "PAID" and money(found["AmountDue"]) == 0


def run_with_fault(harness: ExportHarness, step: Step, kind: str) -> None:
    # Given the step's set-up in Xero, and one fault armed on the step's call
    if step.setup:
        harness.export(*step.setup)
    if kind == "timeout_after_commit":
        api = harness.container.xero_api
        api.settings = api.settings.model_copy(update={"xero_timeout_seconds": CLIENT_TIMEOUT_FOR_TIMEOUT_FAULTS})
    rule = harness.emulator.state.faults.add(
        kind,
        count=1,
        method=step.method,
        path_prefix=step.path_prefix,
        tenant_id=harness.tenant_id,
        **FAULT_OPTIONS.get(kind, {}),
    )
    # When the step's records are exported and the queues drained until empty
    harness.export(*step.action)
    # Then the fault did hit the step
    assert rule.fired == 1, f"the {kind} fault never fired on {step.method} {step.path_prefix}"
    # And Xero holds every record exactly once with the right amounts
    step.check(harness, XeroState(harness))
    # And every record is synced: none failed, none lost (pending/waiting) after the drain
    for entity, record_id in step.records:
        row = harness.record(entity, record_id)
        assert row.status == "synced", (entity, record_id, row.status, row.error_code, row.last_message)
        assert row.claim_operation is None, (entity, record_id, row.claim_operation)
