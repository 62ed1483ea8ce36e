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
from typing import Protocol

from xero_sync.clock import Clock
from xero_sync.domain.app_budget import CallPriority
from xero_sync.domain.entities import family_of
from xero_sync.domain.records import RecordKey
from xero_sync.models.messages import EnqueueReason, ExportMessage
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.services.export.calls import BATCH_SIZE, XeroCalls
from xero_sync.services.export.context import ExportContext
from xero_sync.services.export.execute import Executor
from xero_sync.services.export.org_pass import OrgPass
from xero_sync.services.export.outcomes import AdminNotifier, BatchResult, OutcomeRecorder, PassState
from xero_sync.services.export.recovery import Recovery
from xero_sync.services.ports import ConnectionStore, ExportQueue, HistoryStore, RecordStore, XeroWriteListener
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
ADMIN_RETRIES = {EnqueueReason.RETRY, EnqueueReason.REPROCESS}  # sent again after a fix


def call_priority(messages: Iterable[ExportMessage]) -> CallPriority:
    """The class of the Xero calls made for the records of these messages (N2): a person's
    "Copy to Xero" is interactive; a backfill (every message from the backfill queue, or sent as
    one before that queue existed) background work; everything else real-time."""
    messages = list(messages)
    if any(m.reason is EnqueueReason.COPY for m in messages):
        return CallPriority.INTERACTIVE
    if messages and all(m.background or m.reason is EnqueueReason.BACKFILL for m in messages):
        return CallPriority.BACKGROUND
    return CallPriority.REALTIME


class MappingContexts(Protocol):
    """Where the worker gets an org's settings, tax mappings and Xero reference data."""

    def load(self, org_id: str, now: datetime, *, fresh: bool = False) -> ExportContext: ...


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
    missing_parent_hours: int = 24  # a record whose parent was never pushed fails after this (F3.4)
    written: XeroWriteListener | None = None  # no echo: told what reached Xero (services/imports/exported.py)

    def __post_init__(self) -> None:
        if self.retry_delay is None:
            base = self.backoff_base_seconds
            self.retry_delay = lambda retry_after, attempts: backoff(retry_after, attempts, base)
        self._retry_delay: Callable[[float | None, int], int] = self.retry_delay
        self._run = threading.local()
        self.outcomes = OutcomeRecorder(
            records=self.records,
            queues=self.queues,
            notifications=self.notifications,
            retry_delay=self._retry_delay,
            max_attempts=self.max_attempts,
            written=self.written,
        )

    @property
    def owner(self) -> str:
        """Who holds the claims of the org export in progress on this thread. A fresh token
        per export, not per worker object: two exports must never share a claim, even when one
        process runs several of them at once (the local stack runs every function in one
        process; a Lambda container runs one invocation at a time)."""
        return getattr(self._run, "owner", self.name)

    def handle(self, messages: Iterable[ExportMessage], *, time_left: Callable[[], float] | None = None) -> BatchResult:
        """Export the records the messages name. An unexpected error (a bug, AWS unavailable)
        fails only its org's messages (``result.failed_orgs``): SQS delivers them again, and
        after ``maxReceiveCount`` parks them in the DLQ for an operator. ``time_left``: seconds
        left in the invocation; no Xero call starts that could not end, and be recorded, within
        it (its records go back to the queue instead: xero/client.py)."""
        result = BatchResult()
        self._run.time_left = time_left
        by_org: dict[str, set[RecordKey]] = defaultdict(set)
        self._run.deferrals = {}
        reasons: dict[RecordKey, set[EnqueueReason]] = defaultdict(set)
        org_messages: dict[str, list[ExportMessage]] = defaultdict(list)
        for message in messages:
            org_messages[message.org_id].append(message)
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
        # "Copy to Xero" (F3.11): these go now whatever the export-from date.
        self._run.copied = {key for key, why in reasons.items() if EnqueueReason.COPY in why}
        # A retry the admin asked for follows a fix, often in Xero: map with Xero's data as it is now.
        self._run.fresh_orgs = {
            org_id for org_id, keys in by_org.items() if any(reasons[key] & ADMIN_RETRIES for key in keys)
        }
        # The class of the org's Xero calls in the app-wide budget (N2): a backfill's batch is
        # background work, a person's copy interactive, the rest real-time.
        self._run.priorities = {org_id: call_priority(org_messages[org_id]) for org_id in by_org}
        for org_id, keys in by_org.items():
            try:
                self._export_org(org_id, sorted(keys), result)
            except Exception:
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
            logger.info(
                "Org not syncing; records stay pending",
                extra={"org_id": org_id, "status": connection.status.value if connection else None},
            )
            result.paused_orgs.append(org_id)
            if connection is not None and connection.needs_reauth:
                # Marked elsewhere (the API, another worker, a refresh): make sure the admin
                # heard — the notification service sends it once per episode.
                self._reauth_needed(org_id, now)
            return
        try:
            client = self.xero.for_org(
                org_id, priority=self._priority(org_id), time_left=getattr(self._run, "time_left", None)
            )
            fresh = org_id in getattr(self._run, "fresh_orgs", set())
            context = self.contexts.load(org_id, now, fresh=fresh)  # may import Xero's reference data first
        except (ReauthRequired, NotConnected) as error:
            logger.warning(
                "Org cannot reach Xero; records stay pending", extra={"org_id": org_id, "error": type(error).__name__}
            )
            result.paused_orgs.append(org_id)
            if isinstance(error, ReauthRequired):
                self._reauth_needed(org_id, now)
            return
        calls = XeroCalls(client)
        tenant_id = connection.tenant_id
        synced_before = result.synced  # the batch may hold other orgs: count this one's only
        pending = keys
        for _ in range(MAX_PASSES):
            reached = self._pass(org_id, tenant_id, pending, calls, context, result)
            if reached is None or not reached:
                break
            pending = reached  # children woken by parents that reached Xero in this pass
        if result.synced > synced_before:
            self.connections.record_activity(org_id, self.clock())  # a sync with changes (F6.1)

    def _priority(self, org_id: str) -> CallPriority:
        return getattr(self._run, "priorities", {}).get(org_id, CallPriority.REALTIME)

    def _background(self, org_id: str) -> bool:
        """The org's records in this batch are a backfill's: what their export sends on (wake-ups,
        retries, deferrals) stays on the backfill queue."""
        return self._priority(org_id) is CallPriority.BACKGROUND

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
        state = PassState(now=now, owner=self.owner, result=result, background=self._background(org_id))
        recovery = Recovery(calls, self.records, now)
        state.adopted = recovery.adopted
        org_pass = OrgPass(
            records=self.records,
            queues=self.queues,
            recorder=self.outcomes,
            calls=calls,
            context=context,
            tenant_id=tenant_id,
            state=state,
            executor=Executor(
                calls=calls,
                records=self.records,
                owner=state.owner,
                now=now,
                claim_until=now + timedelta(seconds=self.claim_seconds),
                batch_size=self.batch_size,
            ),
            recovery=recovery,
            delay=self._delay,
            stale_if_settled=getattr(self._run, "settled_is_stale", frozenset()),
            deferrals=getattr(self._run, "deferrals", None),
            missing_parent_limit=timedelta(hours=self.missing_parent_hours),
            copied=getattr(self._run, "copied", frozenset()),
        )
        try:
            org_pass.record_answers(org_pass.plan(keys))
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
        self.history.append_many(e for e in org_pass.events if e is not None)
        for delay, retry_keys in state.retry.items():
            self._requeue(retry_keys, delay, result)
        if state.woken:
            # Every woken child gets its message now, so a crash before the next pass cannot
            # strand it; those of this family also run in the next pass at once (the message
            # then finds them synced: a no-op).
            self.queues.enqueue(state.woken, EnqueueReason.WAKE, background=state.background)
        family = family_of(keys[0].entity)
        return [k for k in state.woken if family_of(k.entity) is family]

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
        logger.warning(
            "Xero refused the org's access; export paused", extra={"org_id": org_id, "error": type(error).__name__}
        )

    def _hold(
        self, org_id: str, keys: list[RecordKey], error: GovernorWait, now: datetime, result: BatchResult
    ) -> None:
        """The governor says the tenant's budget is spent. Short waits: back to the queue with
        that delay. Long ones (the day limit): the records stay pending and the org's next
        sync is moved to when Xero's day resets."""
        wait = error.retry_after or 60
        if wait <= MAX_SQS_DELAY:
            self._requeue(keys, int(wait) + 1, result)
            return
        self.connections.set_next_sync(org_id, now + timedelta(seconds=wait))
        logger.info(
            "Tenant's daily Xero budget is spent; resuming after reset", extra={"org_id": org_id, "seconds": wait}
        )

    def _requeue(self, keys: list[RecordKey], delay: int, result: BatchResult) -> None:
        result.count("retried", len(keys))
        # A backfill's records stay background work when they come back.
        backfill = bool(keys) and self._background(keys[0].org_id)
        reason = EnqueueReason.BACKFILL if backfill else EnqueueReason.SYNC
        self.queues.enqueue(keys, reason, delay_seconds=min(MAX_SQS_DELAY, delay), background=backfill)

    def _delay(self, retry_after: float | None, attempts: int) -> int:
        return self._retry_delay(retry_after, attempts)


def backoff(retry_after: float | None, attempts: int, base_seconds: int = 30) -> int:
    """Xero's Retry-After when it gives one; otherwise exponential back-off (30 s, 60 s, …),
    at most SQS's 15 minutes."""
    if retry_after:
        return min(MAX_SQS_DELAY, int(retry_after) + 1)
    return min(MAX_SQS_DELAY, base_seconds * 2 ** max(0, attempts - 1))
