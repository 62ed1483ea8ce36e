"""Planning one record: what, if anything, to do in Xero — decided from what was read, before
any claim or call. The rules themselves are the pure domain's (dependencies → mapping →
restrictions); this module only feeds them the records' state and Xero's facts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from xero_sync.domain.dependencies import (
    Fail,
    ParentKey,
    ParentLink,
    ParentState,
    ParentStatus,
    Ready,
    Skip,
    Wait,
    parents_of,
    resolve,
)
from xero_sync.domain.lock_dates import lock_problem
from xero_sync.domain.mapping import MappingContext, fingerprint, map_record
from xero_sync.domain.natural_keys import write_off_number
from xero_sync.domain.problems import Notice
from xero_sync.domain.records import RecordKey
from xero_sync.domain.restrictions import SKIP_BEFORE_EXPORT_FROM, Operation, RecordFacts, XeroStatus, decide
from xero_sync.models.records import EntityName, RecordAction
from xero_sync.services.export.view import RecordView, parent_state

DOCUMENTS = frozenset({EntityName.INVOICE, EntityName.BILL, EntityName.CREDIT_NOTE, EntityName.VENDOR_CREDIT})
CREDIT_DOCUMENTS = frozenset({EntityName.CREDIT_NOTE, EntityName.VENDOR_CREDIT})


@dataclass
class Work:
    """The plan for one record."""

    view: RecordView
    operation: Operation
    reason: str
    code: str | None = None
    payload: Any = None  # XeroPayload, AllocationRequest or WriteOffPlan
    fingerprint: str | None = None
    notices: tuple[Notice, ...] = ()
    links: dict[str, ParentLink] = field(default_factory=dict)
    waiting_for: ParentKey | None = None
    failed: bool = False  # cannot go to Xero until something changes (the reason says what)
    needs_admin: bool = False  # … and the admin can fix it in Xero or the settings

    @property
    def waiting_for_record(self) -> RecordKey | None:
        """The parent it waits for, as the org's records are keyed."""
        parent = self.waiting_for
        return None if parent is None else RecordKey(self.view.key.org_id, parent.entity.value, parent.host_id)


def facts_from_xero(view: RecordView, xero_state: dict[str, Any] | None) -> RecordFacts:
    """What Xero says about the document's payments and credits right now. Xero is the truth:
    a payment recorded directly in Xero counts too."""
    referenced = bool(view.item.referenced)
    if xero_state is None:
        return RecordFacts(referenced=referenced)
    if view.entity in CREDIT_DOCUMENTS:
        allocations = [a for a in xero_state.get("Allocations") or [] if not a.get("IsDeleted")]
        return RecordFacts(
            referenced=referenced,
            has_allocations=bool(allocations),
            has_payments=bool(xero_state.get("Payments")),
        )
    return RecordFacts(
        referenced=referenced,
        has_payments=Decimal(str(xero_state.get("AmountPaid") or 0)) > 0 or bool(xero_state.get("Payments")),
        has_credits=Decimal(str(xero_state.get("AmountCredited") or 0)) > 0,
        written_off=_written_off(xero_state),
    )


def _written_off(invoice: dict[str, Any]) -> bool:
    """Whether one of the credit notes allocated to the invoice is a write-off of ours
    (numbered ``<invoice>-WO``, ``-WO2`` … by natural_keys.write_off_number), so that a refusal
    names the seeds' own reason ("it has been written off") rather than "credit"."""
    number = invoice.get("InvoiceNumber")
    if not number:
        return False
    pattern = re.compile(re.escape(write_off_number(number)) + r"\d*", re.IGNORECASE)
    return any(pattern.fullmatch(note.get("CreditNoteNumber") or "") for note in invoice.get("CreditNotes") or [])


def plan(
    view: RecordView,
    parents: dict[ParentKey, RecordView | None],
    ctx: MappingContext,
    *,
    xero_state: dict[str, Any] | None = None,
    invoice_balance: Decimal | None = None,
    historical: Sequence[tuple[date, date]] = (),
    now: datetime | None = None,
    missing_parent_limit: timedelta | None = None,
) -> Work:
    entity = view.entity
    states = {key: parent_state(key, row) for key, row in parents.items()}
    resolution = resolve(entity, view.action, view.data, states)
    if not isinstance(resolution, Ready):
        return _not_ready(view, resolution, states, ctx, historical, now, missing_parent_limit)
    links = resolution.links

    mapped = None
    new_fingerprint = None
    if view.data is not None and view.action is RecordAction.UPSERT:
        mapped = map_record(
            entity,
            view.key.record_id,
            view.data,
            ctx,
            links,
            invoice_balance=invoice_balance,
            write_off_sequence=int(view.refs.get("sequence", 0)) + (1 if view.linked else 0) or 1,
        )
        if mapped.payload is not None:
            new_fingerprint = fingerprint(mapped.payload)

    link = view.link_state()
    if xero_state is not None and xero_state.get("Status") in XeroStatus.__members__:
        link = replace(link, xero_status=XeroStatus(xero_state["Status"]))
    facts = facts_from_xero(view, xero_state)

    # Decided once under the org's settings, and again without the export-from date below.
    decide_under = functools.partial(
        decide,
        entity,
        view.action,
        view.data,
        view.version,
        link,
        facts,
        new_fingerprint=new_fingerprint,
        label=view.label,
    )
    decision = decide_under(settings=ctx.settings)
    record_date = getattr(view.data, "date", None)
    in_requested_range = record_date is not None and any(start <= record_date <= end for start, end in historical)
    if decision.code == SKIP_BEFORE_EXPORT_FROM and in_requested_range:
        # The host asked for this period explicitly (historical sync, F3.8).
        decision = decide_under(settings=ctx.settings.model_copy(update={"export_from": None}))
    work = Work(
        view,
        decision.operation,
        decision.reason,
        code=decision.code,
        links=links,
        fingerprint=new_fingerprint,
    )
    if decision.operation is Operation.REFUSE:
        work.failed = True
        work.code = "restricted"
        return work
    if decision.operation in (Operation.CREATE, Operation.UPDATE, Operation.RECREATE) and mapped is not None:
        work.notices = mapped.notices
        if not mapped.ok:
            problems = mapped.problems
            work.failed = True
            work.needs_admin = True
            work.code = problems[0].code if problems else "mapping_failed"
            work.reason = " ".join(problem.message for problem in problems) or "The record could not be mapped."
            return work
        work.payload = mapped.payload
    return _refuse_if_locked(work, ctx)


def _not_ready(
    view: RecordView,
    resolution: Wait | Skip | Fail,
    states: dict[ParentKey, ParentState],
    ctx: MappingContext,
    historical: Sequence[tuple[date, date]],
    now: datetime | None,
    missing_parent_limit: timedelta | None,
) -> Work:
    """A record one of whose parents is not in Xero: it waits, is skipped, or fails."""
    # A record that would not be exported anyway (a draft, a family or action turned off …)
    # neither waits for its parents nor makes its contact exportable (seeds 000/001: a contact
    # is exported only once a transaction *that is exported* refers to it).
    skipped = _skipped_anyway(view, ctx, historical)
    if skipped is not None:
        return skipped
    match resolution:
        case Wait(parent=parent, reason=reason):
            state = states.get(parent)
            if state is None or state.status is ParentStatus.MISSING:
                expired = _waited_too_long(view, parent, now, missing_parent_limit)
                if expired is not None:
                    return expired
            return Work(view, Operation.WAIT, reason, waiting_for=parent)
        case Skip(reason=reason):
            return Work(view, Operation.SKIP, reason, code="parent_excluded")
        case Fail(reason=reason, code=code):
            return Work(view, Operation.REFUSE, reason, code=code, failed=True)


def _skipped_anyway(view: RecordView, ctx: MappingContext, historical: Sequence[tuple[date, date]]) -> Work | None:
    """The skip the record's own state and the org's settings decide, whatever its parents."""
    settings = ctx.settings
    record_date = getattr(view.data, "date", None)
    if record_date is not None and any(start <= record_date <= end for start, end in historical):
        settings = settings.model_copy(update={"export_from": None})  # a requested range (F3.8)
    facts = RecordFacts(referenced=bool(view.item.referenced))
    decision = decide(
        view.entity, view.action, view.data, view.version, view.link_state(), facts, settings=settings, label=view.label
    )
    if decision.operation is not Operation.SKIP:
        return None
    return Work(view, Operation.SKIP, decision.reason, code=decision.code)


MISSING_PARENT = "parent_missing"


def _waited_too_long(view: RecordView, parent: ParentKey, now: datetime | None, limit: timedelta | None) -> Work | None:
    """A record that refers to something the host never pushed waits at most ``limit`` after
    its version arrived (F3.4); then it fails, for the admin (it reaches the failure digest)."""
    received = view.item.received_at
    if now is None or limit is None or received is None or now - received < limit:
        return None
    hours = int(limit.total_seconds() // 3600)
    noun = parent.entity.value.replace("_", " ")
    title = view.title[:1].upper() + view.title[1:]
    reason = (
        f"{title} refers to {noun} '{parent.host_id}' ({parent.field}), which the host has not pushed in the "
        f"{hours} hours this record waited for it. Push that {noun} (or correct {parent.field} in the host), "
        "then retry."
    )
    return Work(view, Operation.REFUSE, reason, code=MISSING_PARENT, failed=True, needs_admin=True)


def _refuse_if_locked(work: Work, ctx: MappingContext) -> Work:
    """Xero refuses anything dated in a locked period: refused here, before it is sent."""
    if work.operation not in (Operation.CREATE, Operation.UPDATE, Operation.VOID, Operation.DELETE, Operation.RECREATE):
        return work
    view = work.view
    title = view.title
    locked = lock_problem(
        getattr(view.data, "date", None), ctx.reference.organisation, label=title[:1].upper() + title[1:]
    )
    if locked is not None:
        work.failed = True
        work.needs_admin = True
        work.code = locked.code.value
        work.reason = locked.message
        work.payload = None
    return work


def parent_keys(views: list[RecordView]) -> set[ParentKey]:
    keys: set[ParentKey] = set()
    for view in views:
        if view.action is RecordAction.UPSERT:
            keys.update(parents_of(view.entity, view.data))
    return keys
