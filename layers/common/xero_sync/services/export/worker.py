"""The export worker: one SQS batch of record keys of one family → Xero (F3, N1, N2).

Per org in the batch:

1. read the records (latest state; a message is only a key) and the org's connection;
2. settle earlier attempts whose outcome is unknown (recovery.py: look in Xero first);
3. read parents, ask Xero about documents being changed (payments/credits), and plan each
   record (plan.py: dependencies → mapping → the sync tables' restrictions);
4. carry out what goes to Xero in batches (execute.py), each record claimed with its operation
   written down before the call;
5. record every outcome (records + history), park needs-admin failures in the DLQ, wake
   children waiting for records that just reached Xero, and send retryable ones back to the
   queue with a delay that honours Retry-After.

Children whose parent reaches Xero in the same batch go in a second pass at once, so a credit
note and its allocation, or an invoice and its write-off, need no extra round trip.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from xero_sync.clock import Clock
from xero_sync.domain.dependencies import ParentKey
from xero_sync.domain.entities import family_of
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.records import RecordKey, RecordStatus, waiting_key
from xero_sync.domain.restrictions import Operation
from xero_sync.models.messages import EnqueueReason, ExportMessage
from xero_sync.models.records import EntityName, RecordAction
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.services.export.calls import BATCH_SIZE, CREDIT_NOTES, INVOICES, XeroCalls
from xero_sync.services.export.context import ExportContext
from xero_sync.services.export.execute import Executor, Outcome
from xero_sync.services.export.parallel import in_parallel
from xero_sync.services.export.plan import CREDIT_DOCUMENTS, DOCUMENTS, Work, parent_keys, plan
from xero_sync.services.export.recovery import Recovery
from xero_sync.services.export.view import RecordView
from xero_sync.services.ports import ConnectionStore, ExportQueue, HistoryStore, RecordStore
from xero_sync.xero.client import XeroApiClient
from xero_sync.xero.errors import (
    NotConnected,
    ReauthRequired,
    XeroAuthError,
    XeroForbidden,
    XeroRetryableError,
)
from xero_sync.xero.governor import GovernorWait

MAX_PASSES = 3
MAX_SQS_DELAY = 900  # seconds: SQS's longest message delay
NUDGES = {EnqueueReason.WAKE, EnqueueReason.DEFERRED}  # messages that only say "it may go now"
SETTLED = {RecordStatus.FAILED.value, RecordStatus.SKIPPED.value}
MAX_DEFERRALS = 5  # a child behind its pending parent comes back after the back-off's 30 s, 60 s … (15 min in all)


class AdminNotifier(Protocol):
    """Admin emails (services/notifications.py). Both calls are cheap after the first per org
    and window, and never raise: an email problem must not fail an export."""

    def failure_recorded(self, org_id: str, now: datetime) -> bool: ...
    def needs_reauth(self, org_id: str, now: datetime) -> bool: ...


class MappingContexts(Protocol):
    """Where the worker gets an org's settings, tax mappings and Xero reference data."""

    def load(self, org_id: str, now: datetime) -> ExportContext: ...


@dataclass
class BatchResult:
    """What one worker invocation did — for logs, metrics and tests."""

    synced: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = 0
    retried: int = 0
    paused_orgs: list[str] = field(default_factory=list)
    failed_orgs: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, name: str, n: int = 1) -> None:
        """Thread-safe ``+=``: outcomes are recorded side by side (parallel.py)."""
        with self._lock:
            setattr(self, name, getattr(self, name) + n)


@dataclass
class ExportWorker:
    records: RecordStore
    connections: ConnectionStore
    history: HistoryStore
    queues: ExportQueue
    xero: XeroApiClient
    contexts: MappingContexts
    clock: Clock
    name: str = field(default_factory=lambda: f"worker-{uuid.uuid4().hex[:12]}")
    claim_seconds: int = 120  # longer than one Xero call can take (time-out + governor wait)
    max_attempts: int = 8  # retryable failures before a record is handed to the admin
    batch_size: int = BATCH_SIZE  # records per Xero write call
    retry_delay: Callable[[float | None, int], int] | None = None  # None: ``backoff`` from backoff_base_seconds
    notifications: AdminNotifier | None = None  # failure digests and reconnect emails (F6.2, F1.4)
    backoff_base_seconds: int = 30  # first retry / deferral delay (settings.export_backoff_seconds)

    def __post_init__(self) -> None:
        if self.retry_delay is None:
            base = self.backoff_base_seconds
            self.retry_delay = lambda retry_after, attempts: backoff(retry_after, attempts, base)
        self._retry_delay: Callable[[float | None, int], int] = self.retry_delay
        self._run = threading.local()

    @property
    def owner(self) -> str:
        """Who holds the claims of the org export in progress on this thread. A fresh token
        per export, not per worker object: two exports must never share a claim, even when one
        process runs several of them at once (the local stack runs every function in one
        process; a Lambda container runs one invocation at a time)."""
        return getattr(self._run, "owner", self.name)

    def handle(self, messages: Iterable[ExportMessage]) -> BatchResult:
        """Export the records the messages name. An unexpected error (a bug, AWS unavailable)
        fails only its org's messages (``result.failed_orgs``): SQS delivers them again, and
        after ``maxReceiveCount`` parks them in the DLQ for an operator."""
        result = BatchResult()
        by_org: dict[str, set[RecordKey]] = defaultdict(set)
        self._run.deferrals = {}
        reasons: dict[RecordKey, set[EnqueueReason]] = defaultdict(set)
        for message in messages:
            for ref in message.records:
                key = RecordKey(message.org_id, ref.entity, ref.record_id)
                by_org[message.org_id].add(key)
                reasons[key].add(message.reason)
                self._run.deferrals[key] = max(message.deferrals, self._run.deferrals.get(key, 0))
        # A wake-up or deferral message is about a record that was pending when it was sent. If
        # the record has failed or been skipped since (often: it ran in the pass that woke it),
        # the message is stale — sending again would repeat the failure in Xero and the history.
        # Redrives, retries and syncs (other reasons) still send a failed record again.
        self._run.settled_is_stale = {key for key, why in reasons.items() if why <= NUDGES}
        for org_id, keys in by_org.items():
            try:
                self._export_org(org_id, sorted(keys), result)
            except Exception:  # noqa: BLE001 — isolate orgs; the messages come back
                logger.exception("Export of an org's batch failed unexpectedly", extra={"org_id": org_id})
                result.failed_orgs.append(org_id)
        metrics.add_metric(name="RecordsSynced", unit=MetricUnit.Count, value=result.synced)
        metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=result.failed)
        return result

    # --- one org ---------------------------------------------------------------------------------

    def _export_org(self, org_id: str, keys: list[RecordKey], result: BatchResult) -> None:
        self._run.owner = f"{self.name}-{uuid.uuid4().hex[:10]}"
        now = self.clock()
        connection = self.connections.get(org_id)
        if connection is None or not connection.syncs or connection.tenant_id is None:
            # Disabled, needs re-auth or disconnected: the records stay pending and are queued
            # again when the org syncs next (enable / reconnect).
            logger.info("Org not syncing; records stay pending", extra={"org_id": org_id, "status": connection.status.value if connection else None})
            result.paused_orgs.append(org_id)
            if connection is not None and connection.needs_reauth:
                # Marked elsewhere (the API, another worker, a refresh): make sure the admin
                # heard — the notification service sends it once per episode.
                self._reauth_needed(org_id, now)
            return
        try:
            client = self.xero.for_org(org_id)
        except (ReauthRequired, NotConnected) as error:
            logger.warning("Org cannot reach Xero; records stay pending", extra={"org_id": org_id, "error": type(error).__name__})
            result.paused_orgs.append(org_id)
            if isinstance(error, ReauthRequired):
                self._reauth_needed(org_id, now)
            return
        calls = XeroCalls(client)
        tenant_id = connection.tenant_id
        context = self.contexts.load(org_id, now)
        synced_before = result.synced  # the batch may hold other orgs: count this one's only
        pending = keys
        for _ in range(MAX_PASSES):
            reached = self._pass(org_id, tenant_id, pending, calls, context, result)
            if reached is None or not reached:
                break
            pending = reached  # children woken by parents that reached Xero in this pass
        if result.synced > synced_before:
            self.connections.record_activity(org_id, self.clock())  # a sync with changes (F6.1)

    def _reauth_needed(self, org_id: str, now: datetime) -> None:
        if self.notifications is not None:
            self.notifications.needs_reauth(org_id, now)  # the admin must reconnect: once per episode

    def _pass(
        self,
        org_id: str,
        tenant_id: str,
        keys: list[RecordKey],
        calls: XeroCalls,
        context: ExportContext,
        result: BatchResult,
    ) -> list[RecordKey] | None:
        """One round: returns the keys of children woken for this family, to run at once."""
        now = self.clock()
        views = self._read(keys, tenant_id, now)
        recovery = Recovery(calls, self.records, now)
        woken: list[RecordKey] = []
        retry: dict[int, list[RecordKey]] = defaultdict(list)
        events: list[HistoryEvent | None] = []
        executor = Executor(
            calls=calls,
            records=self.records,
            owner=self.owner,
            now=now,
            claim_until=now + timedelta(seconds=self.claim_seconds),
            batch_size=self.batch_size,
        )
        try:
            views = self._recover(views, recovery, tenant_id, now)
            parents = self._parents(views, tenant_id)
            xero_states = self._xero_states(views, calls, parents)
            works = [self._plan(view, parents, context, xero_states) for view in views]
            works = self._ensure_contacts(
                works, parents, xero_states, context, executor, recovery, tenant_id, now, result, events, retry, woken
            )
            works = self._defer_children_of_parents_on_their_way(works, parents, result)
            local = [w for w in works if not self._sends(w)]
            sending = [w for w in works if self._sends(w)]
            events += [self.record_decision(w, now, result, recovery.adopted, woken) for w in local]
            outcomes = executor.run(sending)
        except XeroAuthError as error:
            self._pause(org_id, error, now, result)
            return None
        except ReauthRequired:
            # The token manager marked the connection when Xero refused the refresh token
            # mid-export; nothing was sent, the records stay pending until the admin reconnects.
            result.paused_orgs.append(org_id)
            self._reauth_needed(org_id, now)
            return None
        except GovernorWait as error:
            self._hold(org_id, keys, error, now, result)
            return None
        except XeroRetryableError as error:
            # A read (look-up or facts) failed: nothing was claimed for sending; retry later.
            self._requeue(keys, self._delay(error.retry_after, 1), result)
            return None
        owner = self.owner  # thread-local: read here, not on the pool's threads
        events += in_parallel(lambda outcome: self._apply(outcome, now, result, woken, retry, owner), outcomes)
        self.history.append_many(e for e in events if e is not None)
        for delay, retry_keys in retry.items():
            self._requeue(retry_keys, delay, result)
        if woken:
            # Every woken child gets its message now, so a crash before the next pass cannot
            # strand it; those of this family also run in the next pass at once (the message
            # then finds them synced: a no-op).
            self.queues.enqueue(woken, EnqueueReason.WAKE)
        return [k for k in woken if _family(k.entity) == _family(keys[0].entity)]

    def _defer_children_of_parents_on_their_way(
        self, works: list[Work], parents: dict[ParentKey, RecordView | None], result: BatchResult
    ) -> list[Work]:
        """A child whose parent is *pending* — sent in the same sync, just not in Xero yet, as
        payments are behind their invoices in a backfill — goes back to its queue for a while
        (the retry back-off: 30 s, doubling), with no write at all. Parking it (waiting), flagging the parent, and
        waking and re-queueing it later cost four writes a record. A child whose parent is
        blocked (failed, a draft, never sent) or still not there after MAX_DEFERRALS waits as
        usual and is woken when the parent lands. Contacts are ensured in the pass itself."""
        deferred: dict[int, list[RecordKey]] = defaultdict(list)
        kept = []
        for work in works:
            parent = work.waiting_for
            row = parents.get(parent) if work.operation is Operation.WAIT and parent is not None else None
            count = self._run.deferrals.get(work.view.key, 0) if hasattr(self._run, "deferrals") else MAX_DEFERRALS
            on_its_way = (
                row is not None
                and parent.entity is not EntityName.CONTACT
                and row.item.status is RecordStatus.PENDING
                and not row.linked
            )
            if on_its_way and count < MAX_DEFERRALS:
                deferred[count + 1].append(work.view.key)
            else:
                kept.append(work)
        for count, keys in deferred.items():
            self.queues.enqueue(keys, EnqueueReason.DEFERRED, delay_seconds=self._delay(None, count), deferrals=count)
            result.count("retried", len(keys))
        return kept

    def _ensure_contacts(
        self,
        works: list[Work],
        parents: dict[ParentKey, RecordView | None],
        xero_states: dict[str, dict],
        context: ExportContext,
        executor: Executor,
        recovery: Recovery,
        tenant_id: str,
        now: datetime,
        result: BatchResult,
        events: list[HistoryEvent | None],
        retry: dict[int, list[RecordKey]],
        woken: list[RecordKey],
    ) -> list[Work]:
        """"A contact is ensured (created or linked) before its first transaction": when
        transactions of this batch wait only for their contact, the worker exports those
        contacts first, in this pass, and plans the transactions again — instead of parking
        every transaction and waking it later. A contact that failed before is left to the
        admin (its transactions wait for it), and one another worker holds is left to it."""
        waiting = [
            w for w in works
            if w.operation is Operation.WAIT and w.waiting_for is not None and w.waiting_for.entity is EntityName.CONTACT
        ]
        if not waiting:
            return works
        org_id = waiting[0].view.key.org_id
        contact_keys = sorted({RecordKey(org_id, EntityName.CONTACT.value, w.waiting_for.host_id) for w in waiting})
        for key in contact_keys:
            self.records.mark_referenced(key, now)  # exportable from now on (seed sync tables)
        contacts = self._recover(self._read(contact_keys, tenant_id, now), recovery, tenant_id, now)
        planned = [self._plan(v, {}, context, {}) for v in contacts if v.item.status is not RecordStatus.FAILED]
        for work in planned:
            if work.view.key in recovery.adopted and not self._sends(work):
                # An earlier attempt had created it after all: record that success as usual.
                events.append(self.record_decision(work, now, result, recovery.adopted, woken))
        sending = [w for w in planned if self._sends(w)]
        owner = self.owner
        events += in_parallel(lambda outcome: self._apply(outcome, now, result, woken, retry, owner), executor.run(sending))
        fresh = {v.key.record_id: v for v in self._read(contact_keys, tenant_id, now) if v.linked}
        if not fresh:
            return works
        replanned = []
        for work in works:
            parent = work.waiting_for if work in waiting else None
            if parent is None or parent.host_id not in fresh:
                replanned.append(work)
                continue
            own = {k: parents.get(k) for k in _parent_keys_of(work.view)}
            own.update({k: fresh[k.host_id] for k in own if k.entity is EntityName.CONTACT and k.host_id in fresh})
            replanned.append(self._plan(work.view, own, context, xero_states))
        return replanned

    # --- reading -----------------------------------------------------------------------------------

    def _read(self, keys: list[RecordKey], tenant_id: str, now: datetime) -> list[RecordView]:
        views = []
        for key, item in sorted(self.records.get_many(keys).items()):
            view = RecordView.of(key, item, tenant_id)
            if view.claimed_by_other(now):
                continue  # another worker is on it; its outcome will be recorded by it
            if view.entity is EntityName.CONTACT and not item.referenced:
                continue  # exported only once a transaction refers to it (seed sync tables)
            if item.status in SETTLED and key in getattr(self._run, "settled_is_stale", ()):
                continue  # a stale wake-up or deferral (see handle)
            views.append(view)
        return views

    def _recover(self, views: list[RecordView], recovery: Recovery, tenant_id: str, now: datetime) -> list[RecordView]:
        needing = [v for v in views if v.pending_operation]
        if not needing:
            return views
        parents = self._parents(needing, tenant_id)
        changed = []
        for view in needing:
            by_field = {key.field: parents.get(key) for key in _parent_keys_of(view)}
            if recovery.resolve(view, by_field):
                changed.append(view.key)
        if not changed:
            return views
        fresh = {v.key: v for v in self._read(changed, tenant_id, now)}
        return [fresh.get(v.key, v) for v in views if v.key not in changed or v.key in fresh]

    def _parents(self, views: list[RecordView], tenant_id: str) -> dict[ParentKey, RecordView | None]:
        wanted = parent_keys(views)
        if not wanted:
            return {}
        by_record = {RecordKey(views[0].key.org_id, k.entity.value, k.host_id): k for k in wanted}
        rows = self.records.get_many(by_record)
        return {
            parent: (RecordView.of(record_key, rows[record_key], tenant_id) if record_key in rows else None)
            for record_key, parent in by_record.items()
        }

    def _xero_states(
        self, views: list[RecordView], calls: XeroCalls, parents: dict[ParentKey, RecordView | None]
    ) -> dict[str, dict]:
        """Xero's current view of linked documents about to change (has it payments or
        credits?) and of invoices being written off (their balance) — one call per 40."""
        linked = [view for view in views if view.entity in DOCUMENTS and view.linked and _changed_since_export(view)]
        invoices = {v.xero_id for v in linked if v.entity not in CREDIT_DOCUMENTS}
        # A write-off without an amount writes off the invoice's balance, which only Xero knows
        # (payments and credits recorded there count too). Its invoice is a parent, not a view.
        for view in views:
            if view.entity is EntityName.WRITE_OFF and view.action is RecordAction.UPSERT:
                for key in _parent_keys_of(view):
                    invoice = parents.get(key)
                    if key.field == "invoice_id" and invoice is not None and invoice.linked:
                        invoices.add(invoice.xero_id)
        credit_notes = {v.xero_id for v in linked if v.entity in CREDIT_DOCUMENTS}
        states: dict[str, dict] = {}
        if invoices:
            states.update(calls.get_by_ids(INVOICES, invoices))
        for note_id in sorted(credit_notes):  # a note's allocations come only with the full record
            note = calls.get_one(CREDIT_NOTES, note_id)
            if note:
                states[note_id] = note
        return states

    def _plan(
        self,
        view: RecordView,
        parents: dict[ParentKey, RecordView | None],
        context: ExportContext,
        xero_states: dict[str, dict],
    ) -> Work:
        own_parents = {k: parents.get(k) for k in _parent_keys_of(view)}
        balance = None
        if view.entity is EntityName.WRITE_OFF:
            invoice = next((row for k, row in own_parents.items() if k.field == "invoice_id"), None)
            state = xero_states.get(invoice.xero_id) if invoice and invoice.linked else None
            if state is not None and state.get("AmountDue") is not None:
                balance = Decimal(str(state["AmountDue"]))
        return plan(
            view,
            own_parents,
            context.mapping,
            xero_state=xero_states.get(view.xero_id or ""),
            invoice_balance=balance,
            historical=context.historical,
        )

    @staticmethod
    def _sends(work: Work) -> bool:
        return work.operation in (
            Operation.CREATE,
            Operation.UPDATE,
            Operation.VOID,
            Operation.DELETE,
            Operation.RECREATE,
        ) and not work.failed

    # --- outcomes --------------------------------------------------------------------------------

    def record_decision(
        self,
        work: Work,
        now: datetime,
        result: BatchResult,
        adopted: frozenset[RecordKey] | set[RecordKey] = frozenset(),
        woken: list[RecordKey] | None = None,
    ) -> HistoryEvent | None:
        """Record a decision that needs no Xero call (wait, skip, nothing to do, refused), with
        its history event. ``adopted``: records that recovery just found in Xero after an
        unknown outcome (a time-out, a dropped answer, a crash)."""
        view = work.view
        if work.operation is Operation.WAIT:
            parent = work.waiting_for
            waiting_on = waiting_key(view.key.org_id, parent.entity.value, parent.host_id) if parent else None
            self.records.mark_outcome(
                view.key, owner=None, status=RecordStatus.WAITING, version=view.version,
                error_code=None, message=work.reason, waiting_on=waiting_on, now=now,
            )
            if parent is not None:
                parent_key = RecordKey(view.key.org_id, parent.entity.value, parent.host_id)
                if self._nudge_parent(view.key, parent_key, view.tenant_id, now) and woken is not None:
                    woken.append(view.key)
            result.count("waiting")
            return self._event(work, "waiting", now) if view.item.status is not RecordStatus.WAITING else None
        if work.operation is Operation.NOOP:
            if view.key in adopted:
                # The earlier attempt had reached Xero after all: this is the record's success.
                # Keep recovery's message, record the attempt (F7.1), and wake the children
                # waiting for it — nothing else will (no "synced" outcome follows).
                message = view.item.last_message
                self.records.mark_outcome(
                    view.key, owner=None, status=RecordStatus.SYNCED, version=view.version,
                    error_code=None, message=message, now=now,
                )
                result.count("synced")
                if woken is not None:
                    woken.extend(self.records.take_waiters(view.key, now))
                return self._event(work, "succeeded", now, xero_id=view.xero_id, message=message)
            if view.item.status is not RecordStatus.SYNCED:
                self.records.mark_outcome(
                    view.key, owner=None, status=RecordStatus.SYNCED, version=view.version,
                    error_code=None, message=None, now=now,
                )
            return None
        if work.operation is Operation.SKIP:
            self.records.mark_outcome(
                view.key, owner=None, status=RecordStatus.SKIPPED, version=view.version,
                error_code=work.code, message=work.reason, now=now,
            )
            result.count("skipped")
            return self._event(work, "skipped", now) if view.item.last_message != work.reason else None
        # refused by a restriction, a parent deleted, or the mapping needs the admin
        self.records.mark_outcome(
            view.key, owner=None, status=RecordStatus.FAILED, version=view.version,
            error_code=work.code, message=work.reason, now=now,
        )
        result.count("failed")
        if work.needs_admin:
            self.queues.park_in_dlq(view.key, work.reason)
        self._tell_admin(view.key.org_id, now)
        return self._event(work, "failed", now, error_code=work.code, message=work.reason)

    def _apply(
        self,
        outcome: Outcome,
        now: datetime,
        result: BatchResult,
        woken: list[RecordKey],
        retry: dict[int, list[RecordKey]],
        owner: str,
    ) -> HistoryEvent | None:
        work = outcome.work
        view = work.view
        if outcome.kind == "lost":
            return None
        if outcome.kind == "synced":
            synced = self.records.mark_synced(
                view.key,
                owner=owner,
                version=view.version,
                action=view.item.action,
                tenant_id=view.tenant_id,
                xero_id=outcome.xero_id,
                xero_refs=outcome.refs or None,
                fingerprint=None if outcome.linked_existing else work.fingerprint,
                message=outcome.message or _notices(work),
                now=now,
            )
            result.count("synced")
            if synced.status is RecordStatus.PENDING:
                self.queues.enqueue([view.key], EnqueueReason.SYNC)  # a newer version arrived meanwhile
            if synced.has_waiters:  # as of the write above: a child that started waiting is not missed
                woken.extend(self.records.take_waiters(view.key, now))
            self._wake_parent_after_removal(work, now)
            return self._event(work, "succeeded", now, xero_id=outcome.xero_id, message=outcome.message or _notices(work))
        if outcome.kind == "failed":
            self.records.mark_outcome(
                view.key, owner=owner, status=RecordStatus.FAILED, version=view.version,
                error_code=outcome.code, message=outcome.message, now=now,
            )
            result.count("failed")
            if outcome.needs_admin:
                self.queues.park_in_dlq(view.key, outcome.message or "")
            self._tell_admin(view.key.org_id, now)
            return self._event(work, "failed", now, error_code=outcome.code, message=outcome.message)
        # retry
        attempts = int(view.item.attempts or 0) + 1
        if attempts >= self.max_attempts:
            message = f"Xero kept failing after {attempts} attempts: {outcome.message}"
            self.records.release(view.key, owner=owner, outcome_unknown=outcome.outcome_unknown, message=message, now=now)
            self.records.mark_outcome(
                view.key, owner=None, status=RecordStatus.FAILED, version=view.version,
                error_code="xero_unavailable", message=message, now=now,
            )
            self.queues.park_in_dlq(view.key, message)
            result.count("failed")
            self._tell_admin(view.key.org_id, now)
            return self._event(work, "failed", now, error_code="xero_unavailable", message=message)
        self.records.release(view.key, owner=owner, outcome_unknown=outcome.outcome_unknown, message=outcome.message, now=now)
        with result._lock:  # the pass records outcomes side by side
            retry[self._delay(outcome.retry_after, attempts)].append(view.key)
        return self._event(work, "retrying", now, message=outcome.message)

    def _nudge_parent(self, child: RecordKey, parent: RecordKey, tenant_id: str, now: datetime) -> bool:
        """A child now waits: flag the parent, then look at it again. If it reached Xero after
        the child's worker read it, its own worker may already have checked the flag — so the
        child goes on (True: the caller wakes it) instead of waiting for a wake-up that will not
        come. A contact the child needs becomes exportable at once (seed sync tables: "exported
        only if it's associated with a transaction") and is queued."""
        row = self.records.note_waiter(parent)
        if row is None:
            return False  # the host has not sent the parent yet; its push will be exported first
        if row.xero_id and row.xero_tenant_id == tenant_id:
            # Woken with the pass's other children: one message per fifty, not one per child.
            return self.records.requeue(child, now=now, only_from=[RecordStatus.WAITING])
        if parent.entity == EntityName.CONTACT.value and self.records.mark_referenced(parent, now):
            self.queues.enqueue([parent], EnqueueReason.DEPENDENCY)
        # Any other parent that is pending is already on its way: every sync, "Sync now" and
        # real-time push sends all pending records, so it needs no message of its own (one per
        # waiting child would flood its queue with one-record batches).
        return False

    def _wake_parent_after_removal(self, work: Work, now: datetime) -> None:
        """A payment, allocation or write-off was removed from Xero: a change of its document
        that was refused because of it may go through now."""
        if work.view.action is not RecordAction.DELETE and work.operation is not Operation.RECREATE:
            return
        for field_name in ("invoice_id", "bill_id", "credit_note_id", "vendor_credit_id"):
            host_id = getattr(work.view.data, field_name, None)
            if host_id:
                key = RecordKey(work.view.key.org_id, field_name.removesuffix("_id"), host_id)
                if self.records.requeue(key, now=now, only_from=[RecordStatus.FAILED]):
                    self.queues.enqueue([key], EnqueueReason.RETRY)

    def _pause(self, org_id: str, error: XeroAuthError, now: datetime, result: BatchResult) -> None:
        """Xero refused the org's credentials: stop, do not fail the records (F1.4)."""
        result.paused_orgs.append(org_id)
        if isinstance(error, XeroForbidden):
            item = self.connections.get(org_id)
            if item is not None:
                marked = self.connections.mark_needs_reauth(
                    org_id,
                    expected_token_version=int(item.token_version or 0),
                    message="Xero no longer grants access to this organisation; reconnect to resume syncing.",
                    now=now,
                )
                if marked:
                    self._reauth_needed(org_id, now)
        logger.warning("Xero refused the org's access; export paused", extra={"org_id": org_id, "error": type(error).__name__})

    def _tell_admin(self, org_id: str, now: datetime) -> None:
        """A record failed for good (retrying alone will not help, F6.2): the admin hears about
        it in the org's next failure digest — one email per window, never one per record."""
        if self.notifications is not None:
            self.notifications.failure_recorded(org_id, now)

    def _hold(self, org_id: str, keys: list[RecordKey], error: GovernorWait, now: datetime, result: BatchResult) -> None:
        """The governor says the tenant's budget is spent. Short waits: back to the queue with
        that delay. Long ones (the day limit): the records stay pending and the org's next
        sync is moved to when Xero's day resets."""
        wait = error.retry_after or 60
        if wait <= MAX_SQS_DELAY:
            self._requeue(keys, int(wait) + 1, result)
            return
        self.connections.set_next_sync(org_id, now + timedelta(seconds=wait))
        logger.info("Tenant's daily Xero budget is spent; resuming after reset", extra={"org_id": org_id, "seconds": wait})

    def _requeue(self, keys: list[RecordKey], delay: int, result: BatchResult) -> None:
        result.count("retried", len(keys))
        self.queues.enqueue(keys, EnqueueReason.SYNC, delay_seconds=min(MAX_SQS_DELAY, delay))

    def _delay(self, retry_after: float | None, attempts: int) -> int:
        return self._retry_delay(retry_after, attempts)

    def _event(
        self,
        work: Work,
        outcome: str,
        now: datetime,
        *,
        xero_id: str | None = None,
        error_code: str | None = None,
        message: str | None = None,
    ) -> HistoryEvent:
        view = work.view
        return HistoryEvent(
            org_id=view.key.org_id,
            at=now,
            direction="export",
            action=work.operation.value,
            outcome=outcome,
            entity=view.key.entity,
            record_id=view.key.record_id,
            version=view.version,
            xero_id=xero_id or view.xero_id,
            error_code=error_code,
            message=message if message is not None else work.reason,
        )


def backoff(retry_after: float | None, attempts: int, base_seconds: int = 30) -> int:
    """Xero's Retry-After when it gives one; otherwise exponential back-off (30 s, 60 s, …),
    at most SQS's 15 minutes."""
    if retry_after:
        return min(MAX_SQS_DELAY, int(retry_after) + 1)
    return min(MAX_SQS_DELAY, base_seconds * 2 ** max(0, attempts - 1))


def _changed_since_export(view: RecordView) -> bool:
    """Whether Xero holds an older version or action than the record's latest: only then may an
    update or void follow, for which Xero's current payments and credits are needed."""
    return view.item.exported_version != view.item.version or view.item.exported_action != view.item.action


def _parent_keys_of(view: RecordView) -> set[ParentKey]:
    return parent_keys([view])


def _family(entity: str) -> str:
    return family_of(entity).value


def _notices(work: Work) -> str | None:
    return " ".join(notice.message for notice in work.notices) or None
