"""The daily inventory journal (F3.9; seed 001 "Asset Account": "the value of items in a sales or
purchase transaction … pushed to an account in Xero once a day").

An hourly schedule runs :meth:`InventoryJournalService.run`: for every connected org (the
ActivityIndex, shard by shard — no scan) whose settings name an inventory asset account, it posts
one manual journal per local day that has ended (the org's Xero ``Timezone``), moving the cost of
the items sold (cost of goods sold ↔ asset) and bought (asset ↔ purchases) that day, from the
unit costs the host sends on invoice and bill lines (domain/inventory.py). A day with no movement
posts nothing.

Exactly once per org and day, like the export worker's claim (N1):

1. the day's item in the OrgConfig table (``inventory_journal#YYYY-MM-DD``) is *claimed* with a
   conditional write before Xero is called, naming the owner, until when, and the idempotency
   key — a second run (or a concurrent one) finds it and stops;
2. ``PUT /ManualJournals`` carries an ``Idempotency-Key`` derived from (tenant, org, day), so a
   repeat within Xero's 6 minutes is answered from Xero's store;
3. a claim that ran out without an outcome (a crash or a time-out between Xero's answer and the
   write) is settled by *looking in Xero first*: the journal's narration ends with a stamp of
   (org, day), found with ``where=Narration.Contains(…)``; found → recorded as posted, not sent.

A journal Xero would refuse (an account without a code, a lock date) is not sent; the day is
recorded as failed with the reason (history, ``entity = inventory_journal``) and tried again on
the next runs within the look-back, so fixing the cause in Xero or the settings is enough.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel

from xero_sync.clock import Clock
from xero_sync.domain.connection import all_shards
from xero_sync.domain.errors import RevisionConflict
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.inventory import (
    DayMovement,
    JournalAccounts,
    days_to_journal,
    journal,
    journal_stamp,
    local_today,
    movement,
)
from xero_sync.domain.lock_dates import lock_problem
from xero_sync.domain.mapping import MappingContext
from xero_sync.domain.mapping.collector import Collector
from xero_sync.domain.problems import Problem
from xero_sync.domain.records import RecordKey, StoredRecord
from xero_sync.domain.timezones import zone_of
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.records import Bill, EntityName, Invoice, RecordAction, parse_record
from xero_sync.models.reference_data import ReferenceData
from xero_sync.models.xero_payloads import to_wire
from xero_sync.observability import logger
from xero_sync.services.export.calls import Collection, XeroCalls, quote
from xero_sync.services.export.context import ExportContext
from xero_sync.services.export.failures import classify
from xero_sync.services.ports import ConnectionStore, HistoryStore, OrgConfigStore, RecordStore
from xero_sync.xero.client import TenantClient
from xero_sync.xero.errors import XeroAuthError, XeroBadRequest, XeroInsufficientScope, XeroRetryableError

MANUAL_JOURNALS = Collection("ManualJournals", "ManualJournalID")
START = "inventory_journal#start"
ENTITY = "inventory_journal"  # how the history names the journal


def day_item(day: date) -> str:
    return f"inventory_journal#{day.isoformat()}"


class Contexts(Protocol):
    """The org's settings and fresh Xero reference data (services/export/context.py)."""

    def load(self, org_id: str, now: datetime) -> ExportContext: ...


class JournalRunSummary(BaseModel):
    orgs: int = 0
    posted: int = 0
    recovered: int = 0
    empty: int = 0
    failed: int = 0
    stopped_early: bool = False

    def count(self, outcome: str) -> None:
        if outcome in ("posted", "recovered", "empty", "failed"):
            setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class InventoryJournalService:
    connections: ConnectionStore
    records: RecordStore
    org_config: OrgConfigStore
    history: HistoryStore
    contexts: Contexts
    tenant_client: Callable[[str], TenantClient]
    settings_of: Callable[[str], OrgSettings]  # the saved settings (no Xero call)
    stored_reference: Callable[[str], ReferenceData | None]  # the last import (no Xero call)
    clock: Clock
    shards: int
    lookback_days: int = 3  # days re-examined on each run: a missed run or a failed day catches up
    claim_seconds: int = 300

    # --- the schedule ---------------------------------------------------------------------------

    def run(self, now: datetime, *, time_left: Callable[[], float] | None = None) -> JournalRunSummary:
        """Every connected org, shard by shard; stops early when the invocation runs short (the
        next hourly run goes on: days already done are skipped in one read)."""
        summary = JournalRunSummary()
        for shard in all_shards(self.shards):
            for org_id in self.connections.idle_org_ids(shard, now):
                if time_left is not None and time_left() < 10.0:
                    summary.stopped_early = True
                    return summary
                try:
                    outcomes = self.run_org(org_id, now)
                except Exception:  # one org's trouble never stops the others
                    logger.exception("Inventory journal failed for an org", extra={"org_id": org_id})
                    continue
                if outcomes is not None:
                    summary.orgs += 1
                    for outcome in outcomes.values():
                        summary.count(outcome)
        return summary

    def run_org(self, org_id: str, now: datetime) -> dict[date, str] | None:
        """The org's journals of the days that ended; None when it does not journal (no asset
        account, not syncing). Returns each day's outcome: posted, recovered, empty, failed,
        done (earlier), busy (another run holds it) or retry (Xero unavailable).

        Cheap for the many orgs with nothing to do: the settings, the stored reference data (for
        the timezone) and the day items are read; Xero is called (and the reference data
        refreshed) only when a day is still open."""
        if not self.settings_of(org_id).inventory_asset_account:
            return None
        connection = self.connections.get(org_id)
        if connection is None or not connection.syncs or connection.tenant_id is None:
            return None
        stored = self.stored_reference(org_id)
        zone = zone_of(stored.organisation.Timezone if stored is not None else None)
        first_day = self._first_day(org_id, local_today(now, zone), now)
        days = days_to_journal(now, zone, first_day=first_day, lookback=self.lookback_days)
        outcomes = {day: "done" for day in days if self._settled(org_id, day)}
        open_days = [day for day in days if day not in outcomes]
        if not open_days:
            return outcomes
        ctx = self.contexts.load(org_id, now).mapping
        if not ctx.settings.inventory_asset_account:
            return outcomes
        for day in open_days:
            try:
                outcomes[day] = self._journal_day(org_id, connection.tenant_id, day, ctx, now)
            except XeroAuthError as error:
                logger.warning("Xero refused the org's access; journal left for later", extra={"org_id": org_id})
                outcomes[day] = f"retry ({type(error).__name__})"
                break
        return dict(sorted(outcomes.items()))

    def _settled(self, org_id: str, day: date) -> bool:
        item = self.org_config.get(org_id, day_item(day))
        return item is not None and item.body.get("status") in ("posted", "empty")

    def _first_day(self, org_id: str, today: date, now: datetime) -> date:
        """The day journaling started for the org: enabling it never journals the past."""
        stored = self.org_config.get(org_id, START)
        if stored is not None:
            return date.fromisoformat(stored.body["day"])
        try:
            self.org_config.put(org_id, START, {"day": today.isoformat()}, now=now, expected_revision=0)
        except RevisionConflict:
            stored = self.org_config.get(org_id, START)
            return date.fromisoformat(stored.body["day"]) if stored is not None else today
        return today

    # --- one day ------------------------------------------------------------------------------

    def _journal_day(self, org_id: str, tenant_id: str, day: date, ctx: MappingContext, now: datetime) -> str:
        name = day_item(day)
        item = self.org_config.get(org_id, name)
        body: dict[str, Any] = dict(item.body) if item is not None else {}
        revision = item.revision if item is not None else 0
        status = body.get("status")
        if status in ("posted", "empty"):
            return "done"
        if status == "claimed" and datetime.fromisoformat(body["until"]) > now:
            return "busy"
        calls = XeroCalls(self.tenant_client(org_id))
        if status == "claimed":  # ran out without an outcome: Xero may have it (look before sending)
            found = self._find(calls, org_id, day)
            if found is not None:
                self._save(org_id, name, {**body, "status": "posted", "manual_journal_id": found}, now, revision)
                self._event(org_id, now, day, "succeeded", xero_id=found, message=body.get("narration"))
                return "recovered"
        moved = self._movement(org_id, tenant_id, day)
        if moved.empty:
            self._save(org_id, name, {"status": "empty", "day": day.isoformat()}, now, revision)
            return "empty"
        payload_or_problem = self._payload(org_id, moved, ctx)
        if isinstance(payload_or_problem, Problem):
            return self._failed(
                org_id, name, body, revision, day, payload_or_problem.code, payload_or_problem.message, now
            )
        return self._send(calls, org_id, tenant_id, name, revision, moved, payload_or_problem, now, previous=body)

    def _send(
        self,
        calls: XeroCalls,
        org_id: str,
        tenant_id: str,
        name: str,
        revision: int,
        moved: DayMovement,
        payload: Any,
        now: datetime,
        *,
        previous: dict[str, Any],
    ) -> str:
        """Claim the day, post the journal, record the outcome. ``previous`` is the day's item as
        it was before the claim (a failure already recorded is not recorded again)."""
        key = _idempotency_key(tenant_id, org_id, moved.day)
        claim = {
            "status": "claimed",
            "day": moved.day.isoformat(),
            "until": (now + timedelta(seconds=self.claim_seconds)).isoformat(),
            "tenant_id": tenant_id,
            "idempotency_key": key,
            "narration": payload.Narration,
            "sold": str(moved.sold),
            "bought": str(moved.bought),
        }
        try:
            revision = self.org_config.put(org_id, name, claim, now=now, expected_revision=revision)
        except RevisionConflict:
            return "busy"  # another run claimed the day a moment ago
        try:
            results = calls.write("PUT", MANUAL_JOURNALS, [to_wire(payload)], key=key)
        except XeroRetryableError as error:
            # The claim stays: the next run looks in Xero before sending again.
            logger.warning(
                "Inventory journal: Xero unavailable",
                extra={"org_id": org_id, "day": str(moved.day), "error": str(error)},
            )
            return "retry"
        except XeroBadRequest as error:
            failure = classify(list(getattr(error, "messages", None) or [str(error)]), label=_label(moved.day))
            return self._failed(org_id, name, previous, revision, moved.day, failure.code, failure.message, now)
        except XeroInsufficientScope:
            message = (
                f"{_label(moved.day)} was not posted: the org's Xero connection does not allow manual journals "
                "(scope accounting.manualjournals, asked for since the inventory journal exists). Reconnect to Xero "
                "once; the journal is posted at the next hourly run."
            )
            return self._failed(org_id, name, previous, revision, moved.day, "insufficient_scope", message, now)
        result = results[0]
        if not result.saved:
            failure = classify(result.errors, label=_label(moved.day))
            return self._failed(org_id, name, previous, revision, moved.day, failure.code, failure.message, now)
        journal_id = result.element.get("ManualJournalID")
        self._save(org_id, name, {**claim, "status": "posted", "manual_journal_id": journal_id}, now, revision)
        self._event(org_id, now, moved.day, "succeeded", xero_id=journal_id, message=payload.Narration)
        return "posted"

    def _payload(self, org_id: str, moved: DayMovement, ctx: MappingContext) -> Any:
        """The journal, or the problem that stops it (accounts F2.2, the lock date)."""
        c = Collector(ctx)
        asset = c.setting_account("inventory_asset_account")
        cogs = c.setting_account("cost_of_goods_sold_account", fallback="purchases_account") if moved.sold else None
        purchases = c.setting_account("purchases_account") if moved.bought else None
        zero = c.zero_rate(purchases=True)
        locked = lock_problem(moved.day, ctx.reference.organisation, label=_label(moved.day))
        if locked is not None:
            c.problem(locked)
        if c.problems or asset is None:
            first = c.problems[0]
            return first.model_copy(update={"message": " ".join(p.message for p in c.problems)})
        accounts = JournalAccounts(
            asset=asset.Code or "",
            cost_of_goods_sold=(cogs.Code or "") if cogs else "",
            purchases=(purchases.Code or "") if purchases else "",
        )
        return journal(org_id, moved, accounts, zero.TaxType if zero else None)

    def _movement(self, org_id: str, tenant_id: str, day: date) -> DayMovement:
        """The day's invoices and bills with item costs that are in Xero (this tenant)."""
        keys = list(self.records.keys_on_inventory_day(org_id, day.isoformat()))
        rows = self.records.get_many(keys) if keys else {}
        documents: list[tuple[EntityName, Invoice | Bill]] = []
        for key, row in rows.items():
            if _in_xero(row, tenant_id):
                data = parse_record(key.entity, row.data)
                if isinstance(data, Invoice | Bill):
                    documents.append((EntityName(key.entity), data))
        return movement(day, documents)

    def _find(self, calls: XeroCalls, org_id: str, day: date) -> str | None:
        """The day's journal in Xero, by the stamp its narration ends with."""
        stamp = journal_stamp(org_id, day)
        for found in calls.find(MANUAL_JOURNALS, [f"Narration.Contains({quote(stamp)})"]):
            if found.get("Status") == "POSTED":
                return str(found["ManualJournalID"])
        return None

    # --- recording ----------------------------------------------------------------------------

    def _failed(
        self,
        org_id: str,
        name: str,
        body: dict[str, Any],
        revision: int,
        day: date,
        code: str,
        message: str,
        now: datetime,
    ) -> str:
        """Not sent (or refused by Xero): recorded with the reason; the next runs try again."""
        repeated = body.get("status") == "failed" and body.get("message") == message
        failed = {"status": "failed", "day": day.isoformat(), "error_code": code, "message": message}
        self._save(org_id, name, failed, now, revision)
        if not repeated:
            self._event(org_id, now, day, "failed", error_code=code, message=message)
        return "failed"

    def _save(self, org_id: str, name: str, body: dict[str, Any], now: datetime, revision: int) -> None:
        try:
            self.org_config.put(org_id, name, body, now=now, expected_revision=revision)
        except RevisionConflict:
            logger.info("Inventory journal day recorded concurrently", extra={"org_id": org_id, "item": name})

    def _event(self, org_id: str, now: datetime, day: date, outcome: str, **fields: Any) -> None:
        self.history.append(
            HistoryEvent(
                org_id=org_id,
                at=now,
                direction="export",
                action="create",
                outcome=outcome,
                entity=ENTITY,
                record_id=day.isoformat(),
                **fields,
            )
        )


def _in_xero(row: StoredRecord, tenant_id: str) -> bool:
    """Exported to the org's current tenant, and not deleted in the host since."""
    return row.linked_in(tenant_id) and row.action == RecordAction.UPSERT.value and row.exported_version is not None


def _label(day: date) -> str:
    return f"The inventory journal of {day.isoformat()}"


def _idempotency_key(tenant_id: str, org_id: str, day: date) -> str:
    digest = hashlib.sha256(f"{tenant_id}|{org_id}|inventory_journal|{day.isoformat()}".encode()).hexdigest()
    return f"xs-{digest}"


__all__ = ["MANUAL_JOURNALS", "InventoryJournalService", "JournalRunSummary", "RecordKey", "day_item"]
