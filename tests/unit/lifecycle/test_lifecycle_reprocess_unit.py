"""Operator reprocessing (F7.3) with in-memory adapters, and the console event it reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lifecycle_fakes import T0, World
from pydantic import ValidationError

from tests.fakes import RecordingExportQueue, stored
from xero_sync.domain.connection import ConnectionStatus
from xero_sync.domain.records import RecordStatus
from xero_sync.models.notifications import ReprocessRequest
from xero_sync.services.reprocess import ReprocessService, describe

EVENTS = Path(__file__).resolve().parents[3] / "events" / "reprocess"


@pytest.fixture
def world() -> World:
    world = World()
    world.connections.add("org-a")
    world.connections.add("org-off", status=ConnectionStatus.NEEDS_REAUTH)
    for n in range(5):
        world.records.fail("org-a", "invoice", f"inv-{n}", T0 + timedelta(days=n))
    world.records.fail("org-a", "bill", "bill-1", T0, code="closed_period", message="locked")
    world.records.put(stored("org-a", "invoice", "ok", status=RecordStatus.SYNCED))
    world.records.fail("org-off", "invoice", "inv-x", T0)
    return world


def service(world: World, queues: RecordingExportQueue) -> ReprocessService:
    return ReprocessService(
        records=world.records, connections=world.connections, queues=queues, history=world.history, clock=world.clock
    )


def test_a_dry_run_reports_and_changes_nothing(world):
    queues = RecordingExportQueue()
    request = ReprocessRequest.model_validate({"org_ids": ["org-a"], "entity": "invoice"})

    result = service(world, queues).run(request)

    assert result.dry_run and result.matched == 5 and result.requeued == 0
    assert result.orgs[0].sample[:2] == ["invoice/inv-0", "invoice/inv-1"]
    assert queues.sent == [] and world.history.events == []
    assert "would re-queue" in describe(result)


def test_a_real_run_requeues_by_entity_time_range_and_error_code(world):
    queues = RecordingExportQueue()
    request = ReprocessRequest.model_validate(
        {"org_ids": ["org-a"], "entity": "invoice", "from": "2026-11-22", "to": "2026-11-23T23:00:00", "dry_run": False}
    )

    result = service(world, queues).run(request)

    assert [str(key) for key, _ in queues.sent_keys] == ["org-a/invoice/inv-1", "org-a/invoice/inv-2"]
    assert {reason for _, reason in queues.sent_keys} == {"reprocess"}
    assert result.requeued == 2 and world.records.rows[queues.sent_keys[0][0]].status is RecordStatus.PENDING
    assert world.history.events[-1].action == "reprocess"

    by_code = ReprocessRequest.model_validate({"org_ids": ["org-a"], "error_code": "closed_period", "dry_run": False})
    assert service(world, queues).run(by_code).requeued == 1


def test_records_of_a_disconnected_org_are_set_pending_but_not_sent(world):
    queues = RecordingExportQueue()
    result = service(world, queues).run(ReprocessRequest.model_validate({"org_ids": ["org-off"], "dry_run": False}))
    assert result.requeued == 1 and result.enqueued == 0 and queues.sent == []
    assert "reconnects" in result.orgs[0].note


def test_pending_records_are_only_sent_again(world):
    queues = RecordingExportQueue()
    world.records.put(stored("org-a", "invoice", "stuck", status_at=T0))
    request = ReprocessRequest.model_validate({"org_ids": ["org-a"], "status": "pending", "dry_run": False})
    result = service(world, queues).run(request)
    assert result.requeued == 1 and [str(k) for k, _ in queues.sent_keys] == ["org-a/invoice/stuck"]


def test_the_console_events_parse_and_bad_ones_name_the_field():
    for path in sorted(EVENTS.glob("*.json")):
        ReprocessRequest.model_validate(json.loads(path.read_text()))
    request = ReprocessRequest.model_validate({"org_ids": ["a", "a"], "from": "2026-11-01", "to": "2026-11-30"})
    assert request.org_ids == ["a"] and request.dry_run is True
    assert request.since == datetime(2026, 11, 1, tzinfo=UTC)
    assert request.until.date().isoformat() == "2026-11-30" and request.until.hour == 23
    with pytest.raises(ValidationError, match="entity"):
        ReprocessRequest.model_validate({"org_ids": ["a"], "entity": "invoices"})
    with pytest.raises(ValidationError, match="stauts"):
        ReprocessRequest.model_validate({"org_ids": ["a"], "stauts": "failed"})
    with pytest.raises(ValidationError, match="after"):
        ReprocessRequest.model_validate({"org_ids": ["a"], "from": "2026-12-01", "to": "2026-11-01"})
