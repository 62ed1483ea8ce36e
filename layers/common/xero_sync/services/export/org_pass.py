"""One pass of the export worker over one org's records: read, settle, plan (F3, N1).

A pass reads the records (their latest state: a message is only a key), settles earlier
attempts whose outcome is unknown (recovery.py: look in Xero first), reads their parents, asks
Xero about linked documents about to change (payments, credits, balances), and plans each
record (plan.py). Transactions that wait only for their contact get the contact exported first,
in the same pass; children whose parent is on its way are deferred (noted on the parent, which
wakes them when it lands: dal/record_deferrals.py). What needs no Xero call is recorded at once;
the rest is returned for the executor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from xero_sync.domain.dependencies import ParentKey
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.records import SETTLED, RecordKey, RecordStatus
from xero_sync.domain.restrictions import Operation
from xero_sync.models.messages import EnqueueReason
from xero_sync.models.records import EntityName, RecordAction
from xero_sync.services.export.calls import CREDIT_NOTES, INVOICES, XeroCalls
from xero_sync.services.export.context import ExportContext
from xero_sync.services.export.execute import Executor
from xero_sync.services.export.outcomes import OutcomeRecorder, PassState
from xero_sync.services.export.plan import CREDIT_DOCUMENTS, DOCUMENTS, Work, parent_keys, plan
from xero_sync.services.export.recovery import Recovery
from xero_sync.services.export.view import RecordView
from xero_sync.services.ports import ExportQueue, RecordStore

MAX_DEFERRALS = 5  # a child behind its pending parent comes back after the back-off's 30 s, 60 s … (15 min in all)
SENDS = frozenset({Operation.CREATE, Operation.UPDATE, Operation.VOID, Operation.DELETE, Operation.RECREATE})

Parents = dict[ParentKey, RecordView | None]
ANY_DATE = (date.min, date.max)  # a "requested range" that covers every date


def sends(work: Work) -> bool:
    """Whether the work is a Xero call (rather than a decision recorded locally)."""
    return work.operation in SENDS and not work.failed


@dataclass
class OrgPass:
    records: RecordStore
    queues: ExportQueue
    recorder: OutcomeRecorder
    calls: XeroCalls
    context: ExportContext
    tenant_id: str
    state: PassState
    executor: Executor
    recovery: Recovery
    delay: Callable[[float | None, int], int]
    stale_if_settled: Collection[RecordKey] = frozenset()  # wake-ups about records that may have settled since
    deferrals: Mapping[RecordKey, int] | None = None  # how often each key was deferred; None: never defer
    missing_parent_limit: timedelta | None = None  # how long a record waits for a parent never pushed (F3.4)
    copied: Collection[RecordKey] = frozenset()  # "Copy to Xero": sent whatever the export-from date (F3.11)
    events: list[HistoryEvent | None] = field(default_factory=list)
    held: dict[RecordKey, RecordView] = field(default_factory=dict)  # held by another worker when last read

    def plan(self, keys: list[RecordKey]) -> list[Work]:
        """Plan the records of ``keys``; record the decisions that need no Xero call, and return
        the work that does."""
        views = self._recover(self._read(keys))
        parents = self._parents(views)
        xero_states = self._xero_states(views, parents)
        works = [self._plan(view, parents, xero_states) for view in views]
        works = self._ensure_contacts(works, parents, xero_states)
        works = self._defer_children_of_parents_on_their_way(works, parents)
        self.events += [self.recorder.record_decision(w, self.state) for w in works if not sends(w)]
        return [w for w in works if sends(w)]

    def record_answers(self, works: list[Work]) -> None:
        """Send ``works`` to Xero and record each record's answer, side by side."""
        self.events += self.recorder.record_answers(self.executor.run(works), self.state)

    # --- reading -----------------------------------------------------------------------------------

    def _read(self, keys: list[RecordKey]) -> list[RecordView]:
        views = []
        for key, item in sorted(self.records.get_many(keys).items()):
            view = RecordView.of(key, item, self.tenant_id)
            if view.claimed_by_other(self.state.now):
                self.held[key] = view
                continue  # another worker is on it; its outcome will be recorded by it
            self.held.pop(key, None)
            if view.entity is EntityName.CONTACT and not item.referenced:
                continue  # exported only once a transaction refers to it (seed sync tables)
            if item.status in SETTLED and key in self.stale_if_settled:
                continue  # a stale wake-up or deferral (see ExportWorker.handle)
            views.append(view)
        return views

    def _recover(self, views: list[RecordView]) -> list[RecordView]:
        needing = [v for v in views if v.pending_operation]
        if not needing:
            return views
        parents = self._parents(needing)
        changed = []
        for view in needing:
            by_field = {key.field: parents.get(key) for key in parent_keys([view])}
            if self.recovery.resolve(view, by_field):
                changed.append(view.key)
        if not changed:
            return views
        fresh = {v.key: v for v in self._read(changed)}
        return [fresh.get(v.key, v) for v in views if v.key not in changed or v.key in fresh]

    def _parents(self, views: list[RecordView]) -> Parents:
        wanted = parent_keys(views)
        if not wanted:
            return {}
        by_record = {RecordKey(views[0].key.org_id, k.entity.value, k.host_id): k for k in wanted}
        rows = self.records.get_many(by_record)
        return {
            parent: (RecordView.of(record_key, rows[record_key], self.tenant_id) if record_key in rows else None)
            for record_key, parent in by_record.items()
        }

    def _xero_states(self, views: list[RecordView], parents: Parents) -> dict[str, dict[str, Any]]:
        """Xero's current view of linked documents about to change (has it payments or
        credits?) and of invoices being written off (their balance) — one call per 40."""
        linked = [v for v in views if v.entity in DOCUMENTS and v.linked and v.item.changed_since_export]
        invoices = {v.xero_id for v in linked if v.entity not in CREDIT_DOCUMENTS and v.xero_id}
        # A write-off without an amount writes off the invoice's balance, which only Xero knows
        # (payments and credits recorded there count too). Its invoice is a parent, not a view.
        for view in views:
            if view.entity is EntityName.WRITE_OFF and view.action is RecordAction.UPSERT:
                invoice = _parent_on(view, parents, "invoice_id")
                if invoice is not None and invoice.xero_id:
                    invoices.add(invoice.xero_id)
        credit_notes = sorted(v.xero_id for v in linked if v.entity in CREDIT_DOCUMENTS and v.xero_id)
        states: dict[str, dict[str, Any]] = {}
        if invoices:
            states.update(self.calls.get_by_ids(INVOICES, invoices))
        for note_id in credit_notes:  # a note's allocations come only with the full record
            note = self.calls.get_one(CREDIT_NOTES, note_id)
            if note:
                states[note_id] = note
        return states

    def _plan(self, view: RecordView, parents: Parents, xero_states: dict[str, dict[str, Any]]) -> Work:
        own_parents = {k: parents.get(k) for k in parent_keys([view])}
        balance = None
        if view.entity is EntityName.WRITE_OFF:
            invoice = _parent_on(view, parents, "invoice_id")
            state = xero_states.get(invoice.xero_id) if invoice is not None and invoice.xero_id else None
            if state is not None and state.get("AmountDue") is not None:
                balance = Decimal(str(state["AmountDue"]))
        return plan(
            view,
            own_parents,
            self.context.mapping,
            xero_state=xero_states.get(view.xero_id or ""),
            invoice_balance=balance,
            historical=[*self.context.historical, *([ANY_DATE] if view.key in self.copied else [])],
            now=self.state.now,
            missing_parent_limit=self.missing_parent_limit,
        )

    # --- contacts first, children later -------------------------------------------------------

    def _ensure_contacts(
        self, works: list[Work], parents: Parents, xero_states: dict[str, dict[str, Any]]
    ) -> list[Work]:
        """ "A contact is ensured (created or linked) before its first transaction": when
        transactions of this batch wait only for their contact, the pass exports those contacts
        first and plans the transactions again — instead of parking every transaction and waking
        it later. A contact that failed before is left to the admin (its transactions wait for
        it), and one another worker holds is left to it."""
        waiting = [w for w in works if _waits_for_contact(w)]
        if not waiting:
            return works
        contact_keys = sorted({key for w in waiting if (key := w.waiting_for_record) is not None})
        self.records.mark_all_referenced(contact_keys, self.state.now)  # exportable from now on (seed sync tables)
        contacts = self._recover(self._read(contact_keys))
        planned = [self._plan(v, {}, {}) for v in contacts if v.item.status is not RecordStatus.FAILED]
        for work in planned:
            if work.view.key in self.state.adopted and not sends(work):
                # An earlier attempt had created it after all: record that success as usual.
                self.events.append(self.recorder.record_decision(work, self.state))
        self.record_answers([w for w in planned if sends(w)])
        fresh = {v.key.record_id: v for v in self._read(contact_keys) if v.linked}
        if not fresh:
            return works
        return [self._replan_with_contact(w, parents, fresh, xero_states) if w in waiting else w for w in works]

    def _replan_with_contact(
        self, work: Work, parents: Parents, fresh: dict[str, RecordView], xero_states: dict[str, dict[str, Any]]
    ) -> Work:
        contact = work.waiting_for
        if contact is None or contact.host_id not in fresh:
            return work
        own: Parents = {k: parents.get(k) for k in parent_keys([work.view])}
        own.update({k: fresh[k.host_id] for k in own if k.entity is EntityName.CONTACT and k.host_id in fresh})
        return self._plan(work.view, own, xero_states)

    def _defer_children_of_parents_on_their_way(self, works: list[Work], parents: Parents) -> list[Work]:
        """A child whose parent is *pending* — sent in the same sync, just not in Xero yet, as
        payments are behind their invoices in a backfill — is deferred: noted on its parent, so
        that it goes on the moment the parent lands (dal/record_deferrals.py: one write per
        parent, in transactions), and sent back to its queue with the retry back-off (30 s,
        doubling) in case no wake-up comes. Parking it instead (waiting, the parent flagged, a
        look-up and a write to wake it) costs four writes a record. A child whose parent landed
        or failed meanwhile goes on at once; one whose parent is blocked (failed, a draft, never
        sent) or still not there after MAX_DEFERRALS waits as usual and is woken when the parent
        lands. Contacts are ensured in the pass itself; one that another worker holds (sending it
        now: in a backfill, invoices of several batches share contacts) is on its way too."""
        behind: dict[RecordKey, list[RecordKey]] = defaultdict(list)  # parent -> its deferred children
        counts: dict[RecordKey, int] = {}
        kept = []
        for work in works:
            count = MAX_DEFERRALS if self.deferrals is None else self.deferrals.get(work.view.key, 0)
            parent = work.waiting_for_record
            if parent is not None and _parent_on_its_way(work, parents, self.held) and count < MAX_DEFERRALS:
                counts[work.view.key] = count + 1
                behind[parent].append(work.view.key)
            else:
                kept.append(work)
        go_now = set(self.records.defer_behind(behind)) if behind else set()
        deferred: dict[tuple[int, int], list[RecordKey]] = defaultdict(list)  # (deferrals, delay) -> keys
        for child, count in counts.items():
            deferred[(count, 0 if child in go_now else self.delay(None, count))].append(child)
        for (count, delay), keys in deferred.items():
            self.queues.enqueue(
                keys,
                EnqueueReason.DEFERRED,
                delay_seconds=delay,
                deferrals=count,
                background=self.state.background,
            )
            self.state.result.count("retried", len(keys))
        return kept


def _waits_for_contact(work: Work) -> bool:
    parent = work.waiting_for
    return work.operation is Operation.WAIT and parent is not None and parent.entity is EntityName.CONTACT


def _parent_on_its_way(work: Work, parents: Parents, held: Mapping[RecordKey, RecordView]) -> bool:
    """The parent a child waits for is pending (sent in this sync) rather than blocked. A pass
    exports the contacts its transactions wait for itself (``_ensure_contacts``), so a contact is
    on its way only while another worker holds it: it is being sent in that worker's call, and
    its transactions in a backfill's other batches follow it the moment it lands."""
    parent, record = work.waiting_for, work.waiting_for_record
    if work.operation is not Operation.WAIT or parent is None or record is None:
        return False
    row = held.get(record) if parent.entity is EntityName.CONTACT else parents.get(parent)
    return row is not None and row.item.status is RecordStatus.PENDING and not row.linked


def _parent_on(view: RecordView, parents: Parents, field_name: str) -> RecordView | None:
    """The linked parent a record names in ``field_name`` (e.g. a write-off's invoice)."""
    for key in parent_keys([view]):
        row = parents.get(key)
        if key.field == field_name and row is not None and row.linked:
            return row
    return None
