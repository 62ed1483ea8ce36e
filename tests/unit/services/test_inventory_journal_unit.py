"""The inventory journal service with in-memory fakes (no I/O): which days, exactly once, and what
it records when it cannot post."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from export_services_helpers import reference

from tests.fakes import InMemoryConnections, InMemoryHistory, InMemoryOrgConfig, InMemoryRecords, connection
from xero_sync.domain.mapping import MappingContext
from xero_sync.domain.records import RecordKey, RecordStatus
from xero_sync.models.org_config import OrgSettings, TaxMappings
from xero_sync.services.export.context import ExportContext
from xero_sync.services.inventory_journal import InventoryJournalService, day_item
from xero_sync.xero.errors import XeroInsufficientScope

ORG = "org-1"
DAY = date(2026, 11, 2)
DURING = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the reference's organisation has no Timezone: UTC
AFTER = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
COSTED = {
    "number": "INV-1",
    "contact_id": "c",
    "date": "2026-11-02",
    "lines": [{"quantity": 2, "rate": "30", "unit_cost": "12.5", "account_code": "200"}],
}


class Contexts:
    def __init__(self, **settings) -> None:
        base = {"inventory_asset_account": "404", "purchases_account": "260"}  # codes the fake chart has
        self.ctx = MappingContext(ORG, OrgSettings.model_validate({**base, **settings}), TaxMappings(), reference())

    def load(self, org_id: str, now: datetime) -> ExportContext:
        return ExportContext(mapping=self.ctx, historical=[])


class Xero:
    """A tenant client that records the requests and answers them (or raises ``error``)."""

    tenant_id = "tenant-1"

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.requests: list[tuple[str, str]] = []

    def request(self, method, path, *, params=None, json=None, idempotency_key=None):
        self.requests.append((method, path))
        if self.error is not None:
            raise self.error
        if method == "GET":
            return SimpleNamespace(status=200, body={"ManualJournals": []}, headers={})
        body = {"ManualJournals": [{**json["ManualJournals"][0], "ManualJournalID": "mj-1"}]}
        return SimpleNamespace(status=200, body=body, headers={})

    def get(self, path, *, params=None):
        return self.request("GET", path, params=params)


def service(xero: Xero, records: InMemoryRecords, **settings):
    history, org_config = InMemoryHistory(), InMemoryOrgConfig()
    contexts = Contexts(**settings)
    journal = InventoryJournalService(
        connections=InMemoryConnections.of(connection(ORG)),
        records=records,
        org_config=org_config,
        history=history,
        contexts=contexts,
        tenant_client=lambda org_id: xero,
        settings_of=lambda org_id: contexts.ctx.settings,
        stored_reference=lambda org_id: contexts.ctx.reference,
        clock=lambda: AFTER,
        shards=4,
    )
    return journal, history, org_config


def costed_records() -> InMemoryRecords:
    records = InMemoryRecords()
    key = RecordKey(ORG, "invoice", "inv-1")
    records.store_version(
        key,
        family="invoices",
        version=1,
        action="upsert",
        data=COSTED,
        status=RecordStatus.PENDING,
        now=DURING,
        inventory_day="2026-11-02",
    )
    records.seed_synced(key, tenant_id="tenant-1", xero_id="x-1", now=DURING)
    return records


def test_journaling_starts_the_day_it_is_first_seen_and_posts_each_ended_day_once():
    xero = Xero()
    journal, history, org_config = service(xero, costed_records(), cost_of_goods_sold_account="260")
    assert journal.run_org(ORG, DURING) == {}  # the day has not ended; journaling starts today
    assert journal.run_org(ORG, AFTER) == {DAY: "posted"}
    assert journal.run_org(ORG, AFTER) == {DAY: "done"}
    assert [r for r in xero.requests if r[0] == "PUT"] == [("PUT", "/ManualJournals")]
    assert org_config.items[(ORG, day_item(DAY))].body["status"] == "posted"
    assert [(e.entity, e.record_id, e.outcome, e.xero_id) for e in history.events] == [
        ("inventory_journal", "2026-11-02", "succeeded", "mj-1")
    ]


def test_a_connection_without_the_manual_journals_scope_is_told_to_reconnect():
    xero = Xero(XeroInsufficientScope("insufficient_scope"))
    journal, history, _ = service(xero, costed_records(), cost_of_goods_sold_account="260")
    journal.run_org(ORG, DURING)
    assert journal.run_org(ORG, AFTER) == {DAY: "failed"}
    (event,) = history.events
    assert event.error_code == "insufficient_scope" and "Reconnect to Xero once" in event.message
    # The next run tries again, without repeating the same event
    assert journal.run_org(ORG, datetime(2026, 11, 3, 2, 0, tzinfo=UTC)) == {DAY: "failed"}
    assert len(history.events) == 1


def test_an_account_the_chart_does_not_have_stops_the_journal_before_xero_is_called():
    xero = Xero()
    journal, history, _ = service(xero, costed_records(), cost_of_goods_sold_account="999")
    journal.run_org(ORG, DURING)
    assert journal.run_org(ORG, AFTER) == {DAY: "failed"}
    assert history.events[0].error_code == "unknown_account" and "999" in history.events[0].message
    assert not [r for r in xero.requests if r[0] == "PUT"]
