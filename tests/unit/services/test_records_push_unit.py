"""The push of host records, without I/O: envelope-by-envelope validation with field names, the
reference plan, what is stored, and what the service does with the results (F3.1, N3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from export_services_helpers import NOW

from tests.fakes import InMemoryConnections, InMemoryHistory, InMemoryRecords, RecordingExportQueue, connection
from xero_sync.domain.connection import ConnectionStatus
from xero_sync.domain.records import RecordKey
from xero_sync.models.api_export import RecordOutcome, field_path
from xero_sync.models.org_config import OrgSettings, SyncFrequency
from xero_sync.models.records import EntityName
from xero_sync.services.push_plan import (
    Candidate,
    MissingParent,
    StoredState,
    plan_push,
    stored_data,
    validate_envelope,
)
from xero_sync.services.records import RecordsService

ORG = "org-1"


def contact(record_id: str, version: int = 1) -> dict:
    return {
        "entity": "contact",
        "id": record_id,
        "version": version,
        "action": "upsert",
        "data": {"display_name": f"Customer {record_id}"},
    }


def invoice(record_id: str, contact_id: str, version: int = 1, **data: object) -> dict:
    body = {
        "number": f"INV-{record_id}",
        "contact_id": contact_id,
        "date": "2026-11-02",
        "lines": [{"quantity": 12, "rate": Decimal("31.5"), "tax_id": "gst15"}],
    }
    body.update(data)
    return {"entity": "invoice", "id": record_id, "version": version, "action": "upsert", "data": body}


def payment(record_id: str, invoice_id: str, version: int = 1) -> dict:
    return {
        "entity": "invoice_payment",
        "id": record_id,
        "version": version,
        "action": "upsert",
        "data": {"invoice_id": invoice_id, "date": "2026-11-20", "amount": "100.00", "account_code": "090"},
    }


def candidates(*raws: dict) -> list[Candidate]:
    found = [validate_envelope(index, raw) for index, raw in enumerate(raws)]
    assert all(isinstance(c, Candidate) for c in found), found
    return found  # type: ignore[return-value]


# --- validation, one envelope at a time ----------------------------------------------------------


def test_a_valid_envelope_becomes_a_candidate_with_decimal_amounts():
    # Given an invoice as the host sends it (rate parsed from JSON as a Decimal)
    # When it is validated
    checked = validate_envelope(0, invoice("inv-1", "cus-1"))
    # Then it is a candidate, amounts kept as Decimal
    assert isinstance(checked, Candidate)
    assert checked.envelope.data.lines[0].rate == Decimal("31.5")


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        (
            invoice("i", "c", lines=[{"quantity": "1.00001", "rate": 1}]),
            "records[2].data.lines[0].quantity",
            "4 decimal",
        ),
        (
            {"entity": "invoce", "id": "i", "version": 1, "action": "upsert", "data": {}},
            "records[2].entity",
            "unknown entity",
        ),
        ({"id": "i", "version": 1, "action": "upsert"}, "records[2].entity", "entity is required"),
        (invoice("i", "c", colour="red"), "records[2].data.colour", "unknown field"),
        ({"entity": "invoice", "id": "i", "version": 1, "action": "upsert"}, "records[2].data", "data is required"),
        ({**contact("c"), "action": "delete"}, "records[2].data", "must be omitted"),
        ({**contact("c"), "version": "7"}, "records[2].version", "integer"),
        (42, "records[2]", "must be an object"),
    ],
)
def test_an_invalid_envelope_is_rejected_naming_the_field(raw, field, fragment):
    # Given a record that breaks one rule, third in the request
    # When it is validated
    result = validate_envelope(2, raw)
    # Then it is rejected with a validation_error naming the field in request terms
    assert not isinstance(result, Candidate)
    assert result.status is RecordOutcome.REJECTED
    assert result.error is not None and result.error.code == "validation_error"
    detail = next(d for d in result.error.details if d.field == field)
    assert fragment in detail.message


def test_a_rejection_echoes_what_the_host_sent():
    # Given an invalid invoice with a text id and an int version
    result = validate_envelope(0, invoice("inv-9", "cus-1", lines=[]))
    # Then the result names entity, id and version so that the host can match it
    assert (result.entity, result.id, result.version) == ("invoice", "inv-9", 1)
    assert [d.field for d in result.error.details] == ["records[0].data.lines"]


def test_field_path_uses_brackets_for_positions():
    assert field_path(["records", 2, "data", "lines", 0, "quantity"]) == "records[2].data.lines[0].quantity"


# --- references and versions within a request -----------------------------------------------------


def test_a_reference_is_satisfied_by_a_stored_record_or_one_in_the_same_request():
    # Given an invoice whose contact is stored, and one whose contact comes *later* in the request
    request = candidates(invoice("inv-1", "cus-stored"), invoice("inv-2", "cus-new"), contact("cus-new"))
    stored = {RecordKey(ORG, "contact", "cus-stored"): StoredState(version=3, action="upsert", status="synced")}
    # When the push is planned
    plan = plan_push(ORG, request, stored)
    # Then nothing is rejected and the contact is written before the invoices
    assert plan.rejected == {}
    assert [c.envelope.id for c in plan.writes] == ["cus-new", "inv-1", "inv-2"]


def test_a_reference_to_a_record_not_pushed_yet_is_accepted_and_waits_for_it():
    # Given an invoice whose contact was never pushed, and a payment of that invoice (F3.4: hosts
    # that push from event streams deliver out of order)
    request = candidates(invoice("inv-1", "cus-later"), payment("pay-1", "inv-1"), contact("cus-2"))
    # When the push is planned
    plan = plan_push(ORG, request, {})
    # Then nothing is rejected; the invoice waits for its contact, the payment has its invoice
    assert plan.rejected == {}
    assert plan.waiting == {0: MissingParent("contact_id", EntityName.CONTACT, "cus-later")}
    assert [c.envelope.id for c in plan.writes] == ["cus-2", "inv-1", "pay-1"]


def test_a_record_waiting_for_its_parent_is_stored_waiting_and_says_what_for():
    records, connections, queues = InMemoryRecords(), InMemoryConnections.of(connection(ORG)), RecordingExportQueue()
    # When a payment arrives before its invoice
    answer = service(records, connections, queues).push(ORG, [payment("pay-1", "inv-later")])
    # Then it is accepted, waiting for the invoice
    result = answer.results[0]
    assert result.status is RecordOutcome.ACCEPTED and result.waiting_for.model_dump() == {
        "entity": "invoice",
        "id": "inv-later",
    }
    row = records.rows[RecordKey(ORG, "invoice_payment", "pay-1")]
    assert row.status == "waiting" and row.waiting_for == ("invoice", "inv-later")


def test_a_record_deleted_by_the_host_does_not_satisfy_a_reference():
    # Given a stored contact whose latest state is a delete
    stored = {RecordKey(ORG, "contact", "cus-1"): StoredState(version=4, action="delete", status="pending")}
    # When an invoice refers to it
    plan = plan_push(ORG, candidates(invoice("inv-1", "cus-1")), stored)
    # Then the invoice is rejected, and the message says why
    assert "deleted" in plan.rejected[0].error.details[0].message


def test_several_versions_of_one_record_in_a_request_keep_the_latest():
    # Given versions 3, 5 and 5 again of one contact
    request = candidates(contact("cus-1", 3), contact("cus-1", 5), contact("cus-1", 5))
    # When the push is planned
    plan = plan_push(ORG, request, {})
    # Then only the first version 5 is written; the others are stale, not errors
    assert [c.index for c in plan.writes] == [1]
    assert {i: r.status for i, r in plan.stale.items()} == {0: RecordOutcome.STALE, 2: RecordOutcome.STALE}


def test_a_delete_in_the_request_newer_than_the_stored_parent_breaks_the_reference():
    # Given a stored contact (v2), and a request deleting it (v3) while an invoice refers to it
    stored = {RecordKey(ORG, "contact", "cus-1"): StoredState(version=2, action="upsert", status="idle")}
    delete = {"entity": "contact", "id": "cus-1", "version": 3, "action": "delete"}
    plan = plan_push(ORG, candidates(delete, invoice("inv-1", "cus-1")), stored)
    # Then the invoice is rejected
    assert set(plan.rejected) == {1}


def test_stored_data_is_json_safe_with_decimals_as_text():
    # Given a validated invoice with amounts
    checked = validate_envelope(0, invoice("inv-1", "cus-1", discount=Decimal("10.00")))
    # When it is dumped for the table
    data = stored_data(checked.envelope)
    # Then amounts are exact strings, dates ISO, absent optional fields left out
    assert data["discount"] == "10.00"
    assert data["lines"][0]["rate"] == "31.5"
    assert data["date"] == "2026-11-02"
    assert "due_date" not in data


# --- the service with in-memory adapters ----------------------------------------------------------


def service(
    records: InMemoryRecords,
    connections: InMemoryConnections,
    queues: RecordingExportQueue,
    frequency: SyncFrequency = SyncFrequency.EVERY_10_MINUTES,
) -> RecordsService:
    return RecordsService(
        records=records,
        history=InMemoryHistory(),
        connections=connections,
        queues=queues,
        settings_of=lambda org_id: OrgSettings(sync_frequency=frequency),
        clock=lambda: NOW,
    )


def test_push_answers_in_order_and_counts_activity_once():
    # Given an empty store
    records, connections, queues = InMemoryRecords(), InMemoryConnections.of(connection(ORG)), RecordingExportQueue()
    # When a request mixes an accepted, a rejected and a stale record
    deleted = {"entity": "contact", "id": "cus-9", "version": 1, "action": "delete"}
    answer = service(records, connections, queues).push(
        ORG, [contact("cus-1", 2), deleted, invoice("inv-1", "cus-9"), contact("cus-1", 1)]
    )
    # Then each record has its result in request order; activity is recorded once; nothing queued
    assert [r.status for r in answer.results] == [
        RecordOutcome.ACCEPTED,
        RecordOutcome.ACCEPTED,
        RecordOutcome.REJECTED,
        RecordOutcome.STALE,
    ]
    assert (answer.accepted, answer.rejected, answer.stale) == (2, 1, 1)
    assert connections.activity == [(ORG, NOW)]
    assert queues.sent == []
    # And a rejected record wrote nothing
    assert RecordKey(ORG, "invoice", "inv-1") not in records.rows


def test_an_older_version_than_the_stored_one_is_stale():
    records, connections, queues = InMemoryRecords(), InMemoryConnections.of(connection(ORG)), RecordingExportQueue()
    service(records, connections, queues).push(ORG, [contact("cus-1", 5)])
    # When version 4 arrives after version 5
    answer = service(records, connections, queues).push(ORG, [contact("cus-1", 4)])
    # Then it is ignored without error, and activity is not counted for it
    assert answer.results[0].status is RecordOutcome.STALE
    assert records.rows[RecordKey(ORG, "contact", "cus-1")].version == 5
    assert len(connections.activity) == 1


def test_a_pushed_transaction_leaves_its_contact_idle_until_the_transaction_is_exported():
    # Given a contact pushed alone (idle: not exported until an exported transaction refers to it)
    records, connections, queues = InMemoryRecords(), InMemoryConnections.of(connection(ORG)), RecordingExportQueue()
    push = service(records, connections, queues).push
    push(ORG, [contact("cus-1")])
    assert records.rows[RecordKey(ORG, "contact", "cus-1")].status == "idle"
    # When an invoice refers to it (it may be a draft, which is never exported: seeds 000/001)
    push(ORG, [invoice("inv-1", "cus-1")])
    # Then the contact stays idle: the export worker marks it when it exports the invoice
    assert records.rows[RecordKey(ORG, "contact", "cus-1")].status == "idle"


def test_real_time_orgs_enqueue_the_stored_keys_at_once():
    # Given a connected real-time org
    records, connections, queues = InMemoryRecords(), InMemoryConnections.of(connection(ORG)), RecordingExportQueue()
    realtime = service(records, connections, queues, SyncFrequency.REALTIME)
    # When a contact and its invoice are pushed
    answer = realtime.push(ORG, [contact("cus-1"), invoice("inv-1", "cus-1")])
    # Then both keys go to the queues with reason push
    ((keys, reason),) = queues.sent
    assert reason == "push"
    assert set(keys) == {RecordKey(ORG, "contact", "cus-1"), RecordKey(ORG, "invoice", "inv-1")}
    assert answer.enqueued == 2


def test_a_disabled_real_time_org_stores_but_does_not_enqueue():
    records, queues = InMemoryRecords(), RecordingExportQueue()
    connections = InMemoryConnections.of(connection(ORG, status=ConnectionStatus.DISABLED))
    answer = service(records, connections, queues, SyncFrequency.REALTIME).push(ORG, [contact("cus-1")])
    assert answer.accepted == 1 and answer.enqueued == 0 and queues.sent == []


def test_a_queue_failure_does_not_fail_a_push_that_stored_its_records():
    # Given SQS refusing (the records are already stored when it is called)
    class BrokenQueues(RecordingExportQueue):
        def enqueue(self, keys, reason, *, delay_seconds=0):
            raise RuntimeError("SQS unavailable")

    records = InMemoryRecords()
    answer = service(records, InMemoryConnections.of(connection(ORG)), BrokenQueues(), SyncFrequency.REALTIME).push(
        ORG, [contact("cus-1")]
    )
    # Then the push still answers accepted (the next sweep exports it)
    assert answer.results[0].status is RecordOutcome.ACCEPTED and answer.enqueued == 0
