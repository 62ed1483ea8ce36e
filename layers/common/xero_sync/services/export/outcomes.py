"""Recording what became of each record in one pass of the export worker (F7.1, F3.4, F6.2).

Two kinds of outcome: a *decision* that needed no Xero call (wait for a parent, skip, nothing to
do, refused by a restriction) and the *answer* to a Xero call (synced, failed, retry later).
Each writes the record's new state, counts it, and returns the history event to append; the
side effects that follow — waking children that waited for a record that just landed, parking
a needs-admin failure in the DLQ, opening the org's failure digest — happen here too, so that
one place says what a success or a failure means.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.records import RecordKey, RecordStatus, Synced, SyncedMark, waiting_key
from xero_sync.domain.restrictions import Operation
from xero_sync.domain.xero_objects import ExportedElement
from xero_sync.models.messages import EnqueueReason
from xero_sync.models.records import EntityName, RecordAction
from xero_sync.services.export.execute import Outcome
from xero_sync.services.export.parallel import in_parallel
from xero_sync.services.export.plan import Work
from xero_sync.services.ports import ExportQueue, RecordStore, XeroWriteListener

XERO_UNAVAILABLE = "xero_unavailable"


class AdminNotifier(Protocol):
    """Admin emails (services/notifications). Both calls are cheap after the first per org and
    window, and never raise: an email problem must not fail an export."""

    def failure_recorded(self, org_id: str, now: datetime) -> bool: ...
    def needs_reauth(self, org_id: str, now: datetime) -> bool: ...


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
class PassState:
    """What one pass of the worker collects while it records outcomes side by side."""

    now: datetime
    owner: str  # the claim owner of this org's export
    result: BatchResult
    background: bool = False  # a backfill's pass: what it sends on goes to the backfill queue
    adopted: frozenset[RecordKey] | set[RecordKey] = frozenset()  # found in Xero by recovery
    woken: list[RecordKey] = field(default_factory=list)  # children to send now
    retry: dict[int, list[RecordKey]] = field(default_factory=lambda: defaultdict(list))  # by delay
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wake(self, keys: list[RecordKey]) -> None:
        with self._lock:
            self.woken.extend(keys)

    def retry_after(self, delay: int, key: RecordKey) -> None:
        with self._lock:
            self.retry[delay].append(key)


@dataclass
class OutcomeRecorder:
    records: RecordStore
    queues: ExportQueue
    notifications: AdminNotifier | None
    retry_delay: Callable[[float | None, int], int]
    max_attempts: int
    written: XeroWriteListener | None = None  # no echo: the import notes what the export wrote

    # --- decisions without a Xero call --------------------------------------------------------

    def record_decision(self, work: Work, state: PassState) -> HistoryEvent | None:
        """Record a decision that needs no Xero call (wait, skip, nothing to do, refused), with
        its history event (None when the same event was recorded before)."""
        if work.operation is Operation.WAIT:
            return self._waiting(work, state)
        if work.operation is Operation.NOOP:
            return self._nothing_to_send(work, state)
        if work.operation is Operation.SKIP:
            return self._skipped(work, state)
        return self._refused(work, state)  # a restriction, a deleted parent, or the mapping needs the admin

    def _waiting(self, work: Work, state: PassState) -> HistoryEvent | None:
        view, parent = work.view, work.waiting_for
        waiting_on = waiting_key(view.key.org_id, parent.entity.value, parent.host_id) if parent else None
        self._mark(work, state, RecordStatus.WAITING, None, work.reason, waiting_on=waiting_on)
        parent_key = work.waiting_for_record
        if parent_key is not None:
            if self._nudge_parent(view.key, parent_key, view.tenant_id, state):
                state.wake([view.key])
        state.result.count("waiting")
        return event(work, "waiting", state.now) if view.item.status is not RecordStatus.WAITING else None

    def _nothing_to_send(self, work: Work, state: PassState) -> HistoryEvent | None:
        view = work.view
        if view.key in state.adopted:
            # The earlier attempt had reached Xero after all: this is the record's success. Keep
            # recovery's message, record the attempt (F7.1), and wake the children waiting for
            # it — nothing else will (no "synced" outcome follows).
            message = view.item.last_message
            self._mark(work, state, RecordStatus.SYNCED, None, message)
            state.result.count("synced")
            state.wake(self.records.take_waiters(view.key, state.now))
            return event(work, "succeeded", state.now, xero_id=view.xero_id, message=message)
        if view.item.status is not RecordStatus.SYNCED:
            self._mark(work, state, RecordStatus.SYNCED, None, None)
        return None

    def _skipped(self, work: Work, state: PassState) -> HistoryEvent | None:
        self._mark(work, state, RecordStatus.SKIPPED, work.code, work.reason)
        state.result.count("skipped")
        return event(work, "skipped", state.now) if work.view.item.last_message != work.reason else None

    def _refused(self, work: Work, state: PassState) -> HistoryEvent:
        self._mark(work, state, RecordStatus.FAILED, work.code, work.reason)
        self._failed(work, state, work.reason, park=work.needs_admin)
        return event(work, "failed", state.now, error_code=work.code, message=work.reason)

    def _mark(
        self,
        work: Work,
        state: PassState,
        status: RecordStatus,
        code: str | None,
        message: str | None,
        *,
        waiting_on: str | None = None,
    ) -> None:
        view = work.view
        self.records.mark_outcome(
            view.key,
            owner=None,
            status=status,
            version=view.version,
            error_code=code,
            message=message,
            waiting_on=waiting_on,
            now=state.now,
        )

    # --- Xero's answers -----------------------------------------------------------------------

    def record_answers(self, outcomes: list[Outcome], state: PassState) -> list[HistoryEvent | None]:
        """Record what Xero answered for the records of a call, in the order given: the synced
        marks together, in one transaction and one read (dal/record_marks.py), and the no-echo
        notes of what reached Xero likewise; each record's other outcome on its own, side by side.
        A mark that did not hold together (a newer version pushed during the call, a lost
        claim) is recorded alone, which tells those apart."""
        synced = [outcome for outcome in outcomes if outcome.kind == "synced"]
        marks = self.records.mark_all_synced([self._synced_mark(o, state) for o in synced], state.now) if synced else []
        landed = {id(outcome): mark for outcome, mark in zip(synced, marks, strict=True) if mark is not None}
        self._note_written([outcome for outcome in synced if id(outcome) in landed], state)

        def record(outcome: Outcome) -> HistoryEvent | None:
            mark = landed.get(id(outcome))
            return self._after_synced(outcome, mark, state) if mark else self.record_answer(outcome, state)

        return in_parallel(record, outcomes)

    def record_answer(self, outcome: Outcome, state: PassState) -> HistoryEvent | None:
        """Record what Xero answered for one record of a call (or that the answer is lost)."""
        if outcome.kind == "lost":
            return None
        if outcome.kind == "synced":
            return self._synced(outcome, state)
        if outcome.kind == "failed":
            return self._xero_refused(outcome, state)
        return self._to_retry(outcome, state)

    def _synced(self, outcome: Outcome, state: PassState) -> HistoryEvent:
        mark = self._synced_mark(outcome, state)
        synced = self.records.mark_synced(mark, state.now)
        self._note_written([outcome], state)
        return self._after_synced(outcome, synced, state)

    @staticmethod
    def _synced_mark(outcome: Outcome, state: PassState) -> SyncedMark:
        work = outcome.work
        view = work.view
        return SyncedMark(
            key=view.key,
            owner=state.owner,
            version=view.version,
            action=view.item.action,
            tenant_id=view.tenant_id,
            xero_id=outcome.xero_id,
            xero_refs=outcome.refs or None,
            fingerprint=None if outcome.linked_existing else work.fingerprint,
            message=outcome.message or notices(work),
        )

    def _note_written(self, outcomes: list[Outcome], state: PassState) -> None:
        """No echo: the contacts and documents that reached Xero, with Xero's answer."""
        written = [
            ExportedElement(key.org_id, key.entity, key.record_id, o.xero_id, o.element)
            for o in outcomes
            if o.element is not None and o.xero_id
            for key in [o.work.view.key]
        ]
        if self.written is not None and written:
            self.written.written(written, state.now)

    def _after_synced(self, outcome: Outcome, synced: Synced, state: PassState) -> HistoryEvent:
        work = outcome.work
        view = work.view
        state.result.count("synced")
        if synced.status is RecordStatus.PENDING:
            # A newer version arrived meanwhile (a host's change: real-time, whatever the pass was).
            self.queues.enqueue([view.key], EnqueueReason.SYNC)
        if synced.has_waiters:  # as of the write above: a child that started waiting is not missed
            state.wake(self.records.take_waiters(view.key, state.now))
        if synced.deferred_children:  # read in the write above: children deferred behind it go now
            state.wake(list(synced.deferred_children))
        self._wake_document_after_removal(work, state.now)
        message = outcome.message or notices(work)
        return event(work, "succeeded", state.now, xero_id=outcome.xero_id, message=message)

    def _xero_refused(self, outcome: Outcome, state: PassState) -> HistoryEvent:
        work = outcome.work
        view = work.view
        self.records.mark_outcome(
            view.key,
            owner=state.owner,
            status=RecordStatus.FAILED,
            version=view.version,
            error_code=outcome.code,
            message=outcome.message,
            now=state.now,
        )
        self._failed(work, state, outcome.message or "", park=outcome.needs_admin)
        return event(work, "failed", state.now, error_code=outcome.code, message=outcome.message)

    def _to_retry(self, outcome: Outcome, state: PassState) -> HistoryEvent:
        work = outcome.work
        view = work.view
        if outcome.not_sent:  # held by the rate governor: give the attempt back
            self.records.release(
                view.key, owner=state.owner, outcome_unknown=False, message=None, now=state.now, not_sent=True
            )
            state.retry_after(self.retry_delay(outcome.retry_after, max(1, view.item.attempts)), view.key)
            return event(work, "retrying", state.now, message=outcome.message)
        attempts = view.item.attempts + 1
        if attempts >= self.max_attempts:
            message = f"Xero kept failing after {attempts} attempts: {outcome.message}"
            self.records.release(
                view.key, owner=state.owner, outcome_unknown=outcome.outcome_unknown, message=message, now=state.now
            )
            self._mark(work, state, RecordStatus.FAILED, XERO_UNAVAILABLE, message)
            self._failed(work, state, message, park=True)
            return event(work, "failed", state.now, error_code=XERO_UNAVAILABLE, message=message)
        self.records.release(
            view.key, owner=state.owner, outcome_unknown=outcome.outcome_unknown, message=outcome.message, now=state.now
        )
        state.retry_after(self.retry_delay(outcome.retry_after, attempts), view.key)
        return event(work, "retrying", state.now, message=outcome.message)

    # --- what follows an outcome --------------------------------------------------------------

    def _failed(self, work: Work, state: PassState, message: str, *, park: bool) -> None:
        """A record failed for good (retrying alone will not help, F6.2): a needs-admin failure
        waits in its family's DLQ for a redrive after the fix, and the admin hears about it in
        the org's next failure digest — one email per window, never one per record."""
        state.result.count("failed")
        if park:
            self.queues.park_in_dlq(work.view.key, message)
        if self.notifications is not None:
            self.notifications.failure_recorded(work.view.key.org_id, state.now)

    def _nudge_parent(self, child: RecordKey, parent: RecordKey, tenant_id: str, state: PassState) -> bool:
        """A child now waits: flag the parent, then look at it again. If it reached Xero after
        the child's worker read it, its own worker may already have checked the flag — so the
        child goes on (True: the caller wakes it) instead of waiting for a wake-up that will not
        come. A contact the child needs becomes exportable at once (seed sync tables: "exported
        only if it's associated with a transaction") and is queued."""
        row = self.records.note_waiter(parent)
        if row is None:
            return False  # the host has not sent the parent yet; its push will be exported first
        if row.linked_in(tenant_id):
            # Woken with the pass's other children: one message per fifty, not one per child.
            return self.records.requeue(child, now=state.now, only_from=[RecordStatus.WAITING])
        if parent.entity == EntityName.CONTACT.value and self.records.mark_referenced(parent, state.now):
            self.queues.enqueue([parent], EnqueueReason.DEPENDENCY, background=state.background)
        # Any other parent that is pending is already on its way: every sync, "Sync now" and
        # real-time push sends all pending records, so it needs no message of its own (one per
        # waiting child would flood its queue with one-record batches).
        return False

    def _wake_document_after_removal(self, work: Work, now: datetime) -> None:
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


def event(
    work: Work,
    outcome: str,
    now: datetime,
    *,
    xero_id: str | None = None,
    error_code: str | None = None,
    message: str | None = None,
) -> HistoryEvent:
    """The history event of one record's outcome (F7.1)."""
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


def notices(work: Work) -> str | None:
    """What the mapping noted for the admin (e.g. a rounding), as one message."""
    return " ".join(notice.message for notice in work.notices) or None
