"""Issue 9, without I/O: a push is never half-stored and never 500s on its input. Records too large
to be stored are rejected before anything is written; a store failing in the middle of a request
leaves every record with its result; ids, versions and amounts keep to their stated forms."""

from __future__ import annotations

import base64
import hashlib

import pytest
from export_services_helpers import NOW

from tests.fakes import InMemoryConnections, InMemoryHistory, InMemoryRecords, RecordingExportQueue, connection
from tests.fakes.records import StoreUnavailable
from xero_sync.domain.record_payload import MAX_RECORD_JSON_BYTES, MAX_STORED_RECORD_BYTES, encode_record_data
from xero_sync.domain.records import RecordKey
from xero_sync.models.api_export import RecordOutcome
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.records import MAX_VERSION
from xero_sync.services.push_plan import RECORD_TOO_LARGE, Candidate, validate_envelope
from xero_sync.services.records import STORE_UNAVAILABLE, RecordsService

ORG = "org-1"


def contact(record_id: str, version: int = 1, **custom: object) -> dict:
    data: dict = {"display_name": "Harbour Cafe Ltd"}
    if custom:
        data["custom_fields"] = custom
    return {"entity": "contact", "id": record_id, "version": version, "action": "upsert", "data": data}


def invoice(record_id: str, contact_id: str, lines: list[dict] | None = None) -> dict:
    return {
        "entity": "invoice",
        "id": record_id,
        "version": 1,
        "action": "upsert",
        "data": {
            "number": f"INV-{record_id}",
            "contact_id": contact_id,
            "date": "2026-11-02",
            "lines": lines or [{"quantity": 1, "rate": "10.00"}],
        },
    }


def incompressible(size: int) -> str:
    """Text zlib can hardly shrink: base85 of a deterministic pseudo-random byte stream (about
    6.4 bits of entropy per character, so it compresses to ~80 %)."""
    raw = b"".join(hashlib.sha512(str(n).encode()).digest() for n in range(size // 64 + 1))
    return base64.b85encode(raw).decode()[:size]


def service(records: InMemoryRecords, connections: InMemoryConnections | None = None) -> RecordsService:
    return RecordsService(
        records=records,
        history=InMemoryHistory(),
        connections=connections or InMemoryConnections.of(connection(ORG)),
        queues=RecordingExportQueue(),
        settings_of=lambda org_id: OrgSettings(),
        clock=lambda: NOW,
    )


# --- record size ---------------------------------------------------------------------------------


def test_a_realistic_large_invoice_is_accepted_and_fits_the_table_compressed():
    # Given an invoice of 1,000 lines, each with a long description of its own
    lines = [
        {
            "item_name": f"Part {n:04d}",
            "description": f"Line {n}: hand-finished oak panel, batch {n * 7919 % 10007}, "
            "delivered to site and fitted; includes fixings, sealing and removal of packaging. " * 3,
            "quantity": n % 17 + 1,
            "rate": f"{(n * 37) % 9000 / 100:.2f}",
            "account_code": "200",
        }
        for n in range(1000)
    ]
    checked = validate_envelope(0, invoice("inv-big", "cus-1", lines))
    # Then it is a valid candidate, and what the table would store is far under DynamoDB's 400 KB
    assert isinstance(checked, Candidate)
    data = checked.envelope.data.model_dump(mode="json", exclude_none=True)
    assert len(encode_record_data(data)) < 100 * 1024


def test_a_record_over_the_json_limit_is_rejected_naming_the_record():
    # Given a contact whose custom field alone is over the stated maximum
    raw = contact("cus-big", note="x" * (MAX_RECORD_JSON_BYTES + 1))
    # When it is validated
    checked = validate_envelope(3, raw)
    # Then it is rejected as too large, naming records[3], saying the limit
    assert not isinstance(checked, Candidate)
    assert checked.status is RecordOutcome.REJECTED
    assert checked.error.code == RECORD_TOO_LARGE
    assert [d.field for d in checked.error.details] == ["records[3]"]
    assert f"{MAX_RECORD_JSON_BYTES:,}" in checked.error.message


def test_an_incompressible_record_over_the_stored_limit_is_rejected():
    # Given a contact carrying 400 KB of incompressible text (under the JSON limit)
    raw = contact("cus-blob", blob=incompressible(400 * 1024))
    checked = validate_envelope(0, raw)
    # Then it is rejected: compressed, it would still exceed the stated stored maximum
    assert not isinstance(checked, Candidate)
    assert checked.error.code == RECORD_TOO_LARGE
    assert f"{MAX_STORED_RECORD_BYTES:,}" in checked.error.message


def test_a_long_but_repetitive_custom_field_is_stored_compressed():
    # Given the issue's 500,000-character custom field (repetitive text compresses ~1000×)
    records = InMemoryRecords()
    answer = service(records).push(ORG, [contact("cus-1"), contact("cus-2", note="a" * 500_000), contact("cus-3")])
    # Then all three are stored (the fake refuses, like DynamoDB, an item over 400 KB)
    assert [r.status for r in answer.results] == [RecordOutcome.ACCEPTED] * 3


def test_the_issues_half_stored_batch_now_answers_every_record_and_stores_the_good_ones():
    # Given [good contact, contact too large to store, good contact]
    records = InMemoryRecords()
    answer = service(records).push(
        ORG, [contact("cus-1"), contact("cus-2", blob=incompressible(400 * 1024)), contact("cus-3")]
    )
    # Then the first and third are accepted and stored, the second rejected with nothing of it stored
    assert [r.status for r in answer.results] == [
        RecordOutcome.ACCEPTED,
        RecordOutcome.REJECTED,
        RecordOutcome.ACCEPTED,
    ]
    assert answer.results[1].error.code == RECORD_TOO_LARGE
    assert set(records.rows) == {RecordKey(ORG, "contact", "cus-1"), RecordKey(ORG, "contact", "cus-3")}


# --- a store failing mid-request --------------------------------------------------------------------


def test_a_store_failing_mid_request_answers_the_rest_not_stored():
    # Given a store that takes two writes and then fails (throttling, an outage)
    records = InMemoryRecords()
    records.break_store_after(2)
    # When four valid records are pushed
    answer = service(records).push(ORG, [contact(f"cus-{n}") for n in range(1, 5)])
    # Then the two stored are accepted, the two not stored say so with a retryable error
    assert [r.status for r in answer.results] == [RecordOutcome.ACCEPTED] * 2 + [RecordOutcome.NOT_STORED] * 2
    assert (answer.accepted, answer.not_stored) == (2, 2)
    assert {r.error.code for r in answer.results[2:]} == {STORE_UNAVAILABLE}
    assert len(records.rows) == 2
    # And when the host sends the whole request again, the stored two are stale and the rest accepted
    records.store_writes_left = None
    again = service(records).push(ORG, [contact(f"cus-{n}") for n in range(1, 5)])
    assert [r.status for r in again.results] == [RecordOutcome.STALE] * 2 + [RecordOutcome.ACCEPTED] * 2
    assert len(records.rows) == 4


def test_a_failing_store_never_leaves_a_child_without_its_parent():
    # Given a store that fails on its second write, and a request that lists the invoice first
    records = InMemoryRecords()
    records.break_store_after(1)
    answer = service(records).push(ORG, [invoice("inv-1", "cus-1"), contact("cus-1")])
    # Then the contact (written first, parents before children) is stored; the invoice is not_stored
    assert [r.status for r in answer.results] == [RecordOutcome.NOT_STORED, RecordOutcome.ACCEPTED]
    assert set(records.rows) == {RecordKey(ORG, "contact", "cus-1")}


def test_a_store_down_from_the_start_stores_nothing_and_says_so_per_record():
    records = InMemoryRecords()
    records.break_store_after(0)
    answer = service(records).push(ORG, [contact("cus-1"), contact("cus-2")])
    assert answer.not_stored == 2 and answer.accepted == 0 and records.rows == {}


def test_the_fake_store_refuses_an_oversized_item_like_dynamodb():
    # The fake keeps the table's rule the size check protects: a write over 400 KB fails.
    records = InMemoryRecords()
    with pytest.raises(StoreUnavailable, match="Item size"):
        records.store_version(
            RecordKey(ORG, "contact", "c"),
            family="contacts",
            version=1,
            action="upsert",
            data={"blob": incompressible(600 * 1024)},
            status=None,
            now=NOW,
        )


# --- ids, versions, amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize("record_id", ["a/b", "a\x00b", "a b", " a", "a\n", "é", "", "x" * 256, "a#b"])
def test_record_ids_outside_the_pattern_are_rejected(record_id):
    checked = validate_envelope(0, contact(record_id))
    assert not isinstance(checked, Candidate)
    assert [d.field for d in checked.error.details] == ["records[0].id"]
    assert "no '/'" in checked.error.details[0].message


@pytest.mark.parametrize("record_id", ["cus-17", "inv_2026.11:3", "user@host~1", "A" * 255])
def test_record_ids_in_the_pattern_are_accepted(record_id):
    assert isinstance(validate_envelope(0, contact(record_id)), Candidate)


def test_a_reference_to_an_id_with_a_slash_is_rejected_naming_the_field():
    checked = validate_envelope(0, invoice("inv-1", "cus/1"))
    assert [d.field for d in checked.error.details] == ["records[0].data.contact_id"]


@pytest.mark.parametrize(("version", "echoed"), [(MAX_VERSION + 1, None), (10**200, None), (-1, None)])
def test_a_version_out_of_range_is_rejected_and_not_echoed(version, echoed):
    checked = validate_envelope(0, contact("cus-1", version))
    assert not isinstance(checked, Candidate)
    assert [d.field for d in checked.error.details] == ["records[0].version"]
    assert checked.version is echoed


def test_the_largest_version_is_accepted():
    checked = validate_envelope(0, contact("cus-1", MAX_VERSION))
    assert isinstance(checked, Candidate) and checked.envelope.version == MAX_VERSION


@pytest.mark.parametrize("amount", ["１２３", "١٢٣", " 5 ", "5 "])
def test_amounts_in_other_digits_or_with_blanks_are_rejected_naming_the_field(amount):
    checked = validate_envelope(0, invoice("inv-1", "cus-1", [{"quantity": 1, "rate": amount}]))
    assert not isinstance(checked, Candidate)
    assert [d.field for d in checked.error.details] == ["records[0].data.lines[0].rate"]


def test_a_failure_after_the_records_are_stored_does_not_turn_the_answer_into_an_error():
    # Given a connections table that fails when the push records activity (after the writes)
    class BrokenActivity(InMemoryConnections):
        def record_activity(self, org_id, now):
            raise StoreUnavailable("connections table unavailable (injected)")

    records = InMemoryRecords()
    push = service(records, BrokenActivity.of(connection(ORG))).push
    # When a contact and an invoice referring to it are pushed
    answer = push(ORG, [contact("cus-1"), invoice("inv-1", "cus-1")])
    # Then both are answered accepted: they are stored, and a 500 would make the host think not
    assert [r.status for r in answer.results] == [RecordOutcome.ACCEPTED] * 2
    assert len(records.rows) == 2
