"""History query parameters, one record's state view, retry decisions and "Sync now", without
I/O (F7.1, F7.2, F3.7, F3.8)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from export_services_helpers import NOW
from pydantic import ValidationError

from tests.fakes import InMemoryConnections, InMemoryHistory, InMemoryRecords, RecordingExportQueue, connection, stored
from xero_sync.dal.history import decode_cursor
from xero_sync.domain.connection import Connection, ConnectionStatus
from xero_sync.domain.errors import InvalidCursor
from xero_sync.domain.records import RecordKey, RecordStatus, StoredRecord
from xero_sync.models.api_export import SyncNowRequest
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.records import EntityName
from xero_sync.services.errors import Conflict, InvalidInput, NotFound
from xero_sync.services.history import history_page, parse_history_query
from xero_sync.services.records import RecordsService, record_state_view
from xero_sync.services.sync import SyncNowGate

ORG = "org-1"
UTC = UTC


def cursor_for(org_id: str, event_id: str = "2026-11-21T09:00:00.000000Z#ab12cd34") -> str:
    key = {"org_id": {"S": org_id}, "event_id": {"S": event_id}}
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


# --- history query -----------------------------------------------------------------------------------


def test_dates_cover_whole_days_in_utc():
    # Given from/to as plain dates
    query = parse_history_query(org_id=ORG, date_from="2026-11-01", date_to="2026-11-02")
    # Then the range runs from the first day's start to the last day's end
    assert query.since == datetime(2026, 11, 1, tzinfo=UTC)
    assert query.until == datetime(2026, 11, 3, tzinfo=UTC) - timedelta(microseconds=1)


def test_date_times_are_converted_to_utc_and_naive_ones_read_as_utc():
    query = parse_history_query(org_id=ORG, date_from="2026-11-01T12:00:00+13:00", date_to="2026-11-02T08:00:00")
    assert query.since == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert query.until == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"date_from": "1 Nov 2026"}, "query.from"),
        ({"date_to": "2026-13-01"}, "query.to"),
        ({"date_from": "2026-11-03", "date_to": "2026-11-02"}, "query.to"),
    ],
)
def test_bad_query_parameters_are_400_naming_the_parameter(options, field):
    with pytest.raises(InvalidInput) as raised:
        parse_history_query(org_id=ORG, **options)
    assert [d.field for d in raised.value.details] == [field]


@pytest.mark.parametrize(
    "cursor",
    ["not-a-cursor", cursor_for("another-org"), base64.urlsafe_b64encode(b'{"org_id": 5}').decode()],
)
def test_a_cursor_the_api_did_not_hand_out_for_the_org_is_refused_before_dynamodb(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, ORG)


def test_a_bad_cursor_reaches_the_host_as_400_naming_the_parameter():
    class RefusingHistory(InMemoryHistory):
        def list(self, org_id, **options):
            raise InvalidCursor("not ours")

    with pytest.raises(InvalidInput) as raised:
        history_page(RefusingHistory(), ORG, parse_history_query(org_id=ORG, cursor="x"))
    assert [d.field for d in raised.value.details] == ["query.cursor"]


def test_a_cursor_handed_out_for_the_org_is_accepted_and_a_blank_search_ignored():
    query = parse_history_query(org_id=ORG, cursor=cursor_for(ORG), q="   ", limit=10, status="failed")
    assert (query.cursor is not None, query.search, query.limit, query.outcome) == (True, None, 10, "failed")


# --- one record's state -------------------------------------------------------------------------------


def row(**fields) -> StoredRecord:
    values = dict(family="invoices", version=3, received_at=NOW, status=RecordStatus.SYNCED)
    values.update(fields)
    return stored(ORG, "invoice", "inv-1", **values)


def test_the_xero_id_shows_only_for_a_link_in_the_current_tenant():
    # Given a record linked in tenant A
    item = row(xero_tenant_id="tenant-a", xero_id="xero-inv-1", exported_version=3)
    # When the org is connected to tenant A, and after a reset to tenant B
    same = record_state_view(ORG, item, connection(ORG, tenant_id="tenant-a"), NOW, [])
    other = record_state_view(ORG, item, connection(ORG, tenant_id="tenant-b"), NOW, [])
    # Then only the first shows the Xero id
    assert same.xero_id == "xero-inv-1" and same.exported_version == 3
    assert other.xero_id is None


def test_in_flight_and_waiting_on_are_read_from_the_row():
    item = row(status=RecordStatus.WAITING, claim_until=NOW + timedelta(seconds=30), waiting_on=f"{ORG}#contact#cus-1")
    view = record_state_view(ORG, item, None, NOW, [])
    assert view.in_flight is True
    assert (view.waiting_on.entity, view.waiting_on.id) == ("contact", "cus-1")
    assert record_state_view(ORG, row(claim_until=NOW - timedelta(seconds=1)), None, NOW, []).in_flight is False


# --- retry -------------------------------------------------------------------------------------------


def records_service(records: InMemoryRecords, connection: Connection | None = None):
    connections = InMemoryConnections.of(*([connection] if connection else []))
    queues, history = RecordingExportQueue(), InMemoryHistory()
    return (
        RecordsService(
            records=records,
            history=history,
            connections=connections,
            queues=queues,
            settings_of=lambda org_id: OrgSettings(),
            clock=lambda: NOW,
        ),
        queues,
        history,
    )


def put(records: InMemoryRecords, entity: str, record_id: str, status: str, error_code: str | None = None) -> RecordKey:
    return records.put(stored(ORG, entity, record_id, status=RecordStatus(status), error_code=error_code))


def test_retrying_a_failed_record_makes_it_pending_and_sends_it():
    records = InMemoryRecords()
    key = put(records, "invoice", "inv-1", "failed", "missing_account_code")
    service, queues, history = records_service(records, connection(ORG))
    # When the host retries it
    answer = service.retry(ORG, EntityName.INVOICE, "inv-1")
    # Then it is pending, queued with reason retry, and the admin action is recorded
    assert records.rows[key].status is RecordStatus.PENDING and answer.enqueued
    assert queues.sent == [([key], "retry")]
    assert history.events[0].action == "retry"


@pytest.mark.parametrize(
    ("status", "fragment"), [("synced", "already in Xero"), ("skipped", "skipped"), ("idle", "transaction")]
)
def test_retrying_a_record_with_nothing_to_retry_is_a_conflict(status, fragment):
    records = InMemoryRecords()
    put(records, "contact" if status == "idle" else "invoice", "r-1", status)
    service, queues, _ = records_service(records, connection(ORG))
    entity = EntityName.CONTACT if status == "idle" else EntityName.INVOICE
    with pytest.raises(Conflict, match=fragment):
        service.retry(ORG, entity, "r-1")
    assert queues.sent == []


def test_retrying_an_unknown_record_is_not_found_and_a_disconnected_org_a_conflict():
    records = InMemoryRecords()
    put(records, "invoice", "inv-1", "failed")
    service, _, _ = records_service(records, None)
    with pytest.raises(NotFound):
        service.retry(ORG, EntityName.INVOICE, "inv-404")
    with pytest.raises(Conflict, match="not connected"):
        service.retry(ORG, EntityName.INVOICE, "inv-1")


def test_requeue_failed_can_keep_to_error_codes():
    # Given two failed records with different causes
    records = InMemoryRecords()
    fixable = put(records, "invoice", "inv-1", "failed", "missing_account_code")
    other = put(records, "invoice", "inv-2", "failed", "negative_total")
    service, queues, _ = records_service(records, connection(ORG))
    # When only account problems are re-queued
    count = service.requeue_failed(ORG, error_codes={"missing_account_code"}, now=NOW)
    # Then only that record moves
    assert (
        count == 1
        and records.rows[fixable].status is RecordStatus.PENDING
        and records.rows[other].status is RecordStatus.FAILED
    )
    assert queues.sent == [([fixable], "retry")]


# --- "Sync now" --------------------------------------------------------------------------------------


class FakeSync:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def sync_now(self, org_id, *, entities, date_from, date_to, now):
        self.calls.append(dict(org_id=org_id, entities=entities, date_from=date_from, date_to=date_to, now=now))
        return {"enqueued": 7, "orgs": 1}


def test_sync_now_hands_over_entities_and_the_date_range():
    sync = FakeSync()
    connections = InMemoryConnections.of(connection(ORG))
    gate = SyncNowGate(connections=connections, sync_service=lambda: sync, clock=lambda: NOW)
    request = SyncNowRequest.model_validate({"entities": ["invoice"], "from": "2026-01-01", "to": "2026-03-31"})
    answer = gate.start(ORG, request)
    assert sync.calls == [
        dict(org_id=ORG, entities=["invoice"], date_from=date(2026, 1, 1), date_to=date(2026, 3, 31), now=NOW)
    ]
    assert answer.enqueued == 7 and answer.summary == {"enqueued": 7, "orgs": 1}
    assert connections.activity == [(ORG, NOW)]


def test_sync_now_refuses_a_disabled_org_with_what_to_do():
    gate = SyncNowGate(
        connections=InMemoryConnections.of(connection(ORG, status=ConnectionStatus.DISABLED)),
        sync_service=FakeSync,
        clock=lambda: NOW,
    )
    with pytest.raises(Conflict, match="connection/enable"):
        gate.start(ORG, SyncNowRequest())


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"from": "2026-03-01", "to": "2026-01-01"}, ("to",)),
        ({"entities": ["invoices"]}, ("entities", 0)),
        ({"from": "01/03/2026"}, ("from",)),
        ({"entities": []}, ("entities",)),
    ],
)
def test_a_bad_sync_request_names_the_field(body, location):
    with pytest.raises(ValidationError) as raised:
        SyncNowRequest.model_validate(body)
    assert raised.value.errors()[0]["loc"] == location
