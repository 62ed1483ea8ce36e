"""Unit tests (in-memory fakes, no I/O) of what issue 12 added to the export services: planning a
record whose parent is not ready (lazy contacts, the wait limit), "Copy to Xero", and re-sending
to a new tenant after a reset."""

from __future__ import annotations

import threading
from datetime import timedelta

from export_services_helpers import NOW, reference

from tests.fakes import InMemoryConnections, InMemoryHistory, InMemoryRecords, RecordingExportQueue, connection, stored
from xero_sync.domain.dependencies import ParentKey
from xero_sync.domain.mapping import MappingContext
from xero_sync.domain.records import RecordKey, RecordStatus
from xero_sync.domain.restrictions import Operation
from xero_sync.models.org_config import OrgSettings, TaxMappings
from xero_sync.models.records import EntityName
from xero_sync.services.copy_to_xero import CopyToXeroService
from xero_sync.services.export.plan import plan
from xero_sync.services.export.view import RecordView
from xero_sync.services.records import RecordsService

ORG = "org-1"
INVOICE = {"number": "INV-1", "contact_id": "cus-1", "date": "2026-11-02", "lines": [{"quantity": 1, "rate": "10"}]}
PAYMENT = {"invoice_id": "inv-9", "date": "2026-11-02", "amount": "10", "account_code": "090"}


def ctx(**settings) -> MappingContext:
    return MappingContext(ORG, OrgSettings.model_validate(settings), TaxMappings(), reference())


def view(entity: str, record_id: str, data: dict, **fields) -> RecordView:
    return RecordView.of(RecordKey(ORG, entity, record_id), stored(ORG, entity, record_id, data=data, **fields), "t-1")


# --- planning a record whose parent is not ready -------------------------------------------------


def test_a_draft_whose_contact_is_not_in_xero_is_skipped_and_does_not_wait_for_it():
    draft = view("invoice", "inv-1", {**INVOICE, "status": "draft"})
    contact = ParentKey("contact_id", EntityName.CONTACT, "cus-1")
    idle = RecordView.of(
        RecordKey(ORG, "contact", "cus-1"),
        stored(ORG, "contact", "cus-1", status=RecordStatus.IDLE, data={"display_name": "A"}),
        "t-1",
    )
    work = plan(draft, {contact: idle}, ctx())
    # Then it is skipped as a draft: nothing makes its contact exportable (seeds 000/001)
    assert (work.operation, work.code, work.waiting_for) == (Operation.SKIP, "draft", None)
    # While an open invoice waits for the contact (which the worker then exports first)
    assert plan(view("invoice", "inv-1", INVOICE), {contact: idle}, ctx()).operation is Operation.WAIT


def test_a_record_waits_for_a_parent_never_pushed_until_the_limit_then_fails_for_the_admin():
    payment = view("invoice_payment", "pay-1", PAYMENT, received_at=NOW)
    invoice = ParentKey("invoice_id", EntityName.INVOICE, "inv-9")
    limit = timedelta(hours=24)
    waiting = plan(payment, {invoice: None}, ctx(), now=NOW + timedelta(hours=23), missing_parent_limit=limit)
    assert waiting.operation is Operation.WAIT and waiting.waiting_for == invoice
    failed = plan(payment, {invoice: None}, ctx(), now=NOW + timedelta(hours=24), missing_parent_limit=limit)
    assert (failed.operation, failed.code, failed.failed, failed.needs_admin) == (
        Operation.REFUSE,
        "parent_missing",
        True,
        True,
    )
    assert "invoice 'inv-9' (invoice_id)" in failed.reason and "24 hours" in failed.reason


# --- Copy to Xero ---------------------------------------------------------------------------------


class Exporter:
    """Stands in for the export worker: marks the record synced, as a pass would."""

    def __init__(self, records: InMemoryRecords) -> None:
        self.records = records
        self.messages: list = []

    def handle(self, messages):
        for message in messages:
            self.messages.append(message)
            for ref in message.records:
                key = RecordKey(message.org_id, ref.entity, ref.record_id)
                self.records.seed_synced(key, tenant_id="tenant-1", xero_id="x-1", now=NOW)


def copy_service(
    records: InMemoryRecords, exporter, queues: RecordingExportQueue, wait: float = 5
) -> CopyToXeroService:
    return CopyToXeroService(
        records=records,
        connections=InMemoryConnections.of(connection(ORG)),
        queues=queues,
        history=InMemoryHistory(),
        exporter=lambda: exporter,
        clock=lambda: NOW,
        wait_seconds=wait,
    )


def test_copy_to_xero_makes_an_idle_contact_exportable_runs_the_pass_and_answers_the_outcome():
    records, queues = InMemoryRecords(), RecordingExportQueue()
    records.put(stored(ORG, "contact", "cus-1", status=RecordStatus.IDLE, data={"display_name": "A"}))
    exporter = Exporter(records)
    answer = copy_service(records, exporter, queues).copy(ORG, EntityName.CONTACT, "cus-1")
    # Then the pass ran for that record with reason copy, and the answer is its outcome
    assert [m.reason for m in exporter.messages] == ["copy"]
    assert (answer.completed, answer.status, answer.xero_id) == (True, "synced", "x-1")
    assert records.get(RecordKey(ORG, "contact", "cus-1")).referenced
    # And a safety-net message went to the queue with a delay
    assert queues.sent_keys == [(RecordKey(ORG, "contact", "cus-1"), "copy")] and queues.delays == [120]


def test_copy_to_xero_answers_not_completed_when_the_pass_does_not_finish_in_time():
    records, queues = InMemoryRecords(), RecordingExportQueue()
    records.put(stored(ORG, "invoice", "inv-1", status=RecordStatus.FAILED, data=INVOICE))

    release = threading.Event()

    class Held:
        """A pass that is still on its way (Xero slow) until the test releases it."""

        def handle(self, messages):
            release.wait()

    answer = copy_service(records, Held(), queues, wait=0).copy(ORG, EntityName.INVOICE, "inv-1")
    release.set()
    assert (answer.completed, answer.status) == (False, "pending")
    assert answer.state_url == f"/v1/orgs/{ORG}/records/invoice/inv-1"


# --- reset to another tenant ----------------------------------------------------------------------


def test_after_a_reset_the_records_synced_to_another_tenant_are_sent_to_the_new_one():
    records, queues = InMemoryRecords(), RecordingExportQueue()
    records.put(stored(ORG, "invoice", "old", status=RecordStatus.SYNCED, xero_tenant_id="t-old", xero_id="a"))
    records.put(stored(ORG, "invoice", "same", status=RecordStatus.SYNCED, xero_tenant_id="t-new", xero_id="b"))
    service = RecordsService(
        records=records,
        history=InMemoryHistory(),
        connections=InMemoryConnections.of(connection(ORG, tenant_id="t-new")),
        queues=queues,
        settings_of=lambda org_id: OrgSettings(),
        clock=lambda: NOW,
    )
    assert service.resend_to_tenant(ORG, "t-new", NOW) == 1
    assert records.get(RecordKey(ORG, "invoice", "old")).status is RecordStatus.PENDING
    assert records.get(RecordKey(ORG, "invoice", "same")).status is RecordStatus.SYNCED
    assert queues.sent_keys == [(RecordKey(ORG, "invoice", "old"), "sync")]
