"""The import worker (F4): one SQS batch of import messages → changes in the orgs' feeds.

* **Webhook events** (``TenantEvents``): the events of a batch are coalesced per tenant and
  resource — each object read once however many events name it — and read by id, in bulk
  (services/imports/reads.py), for every org connected to the tenant (N7). CREATE events wait
  :data:`SETTLE_SECONDS` once: a contact or document the service itself just created is then
  already recorded as its own (services/imports/exported.py) and is not echoed back.
* **Org imports** (``OrgImport``): a poll reads each resource since the org's cursor (the
  newest UpdatedDateUTC read before, Xero's clock), the initial import on connect reads
  everything, a historical import (F3.8) the documents of a date range. A read that would not
  finish in this invocation continues in a new message from where it stopped.
* **Objects again** (``OrgObjects``): objects held back because the export was writing them.

Errors: a retryable Xero error (429, 5xx) sends the org's work back with a delay (Retry-After,
else back-off) and an attempt count; after :data:`MAX_ATTEMPTS` it is recorded as failed and the
admin hears of it in the failure digest. The rate governor saying "not now" (the tenant's or the
app's budget has no turn for this invocation, or the invocation has too little time left to wait
for one) is not a failure: nothing was sent, and the work goes on after the wait from where it
stopped, no attempt spent. Xero refusing access (the org disconnected, a revoked tenant) and
records Xero no longer returns (deleted) are recorded in the history and not retried. Anything
unexpected fails the SQS message (DLQ after 5).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from xero_sync.clock import Clock
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.xero_objects import PollCursor
from xero_sync.models.imports import (
    CATEGORY_RESOURCES,
    ImportResource,
    OrgImport,
    OrgObjects,
    TenantEvents,
    XeroWebhookEvent,
)
from xero_sync.models.org_config import ImportOptions, OrgSettings
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.services.imports.candidates import (
    Candidate,
    Filtered,
    contact_candidates,
    document_candidates,
    item_candidates,
)
from xero_sync.services.imports.org_import import OrgImporter, OrgRun
from xero_sync.services.imports.reads import ImportReads, Reader, date_range, newest
from xero_sync.services.imports.reference import ReferenceImport
from xero_sync.services.ports import (
    ConnectionStore,
    HistoryStore,
    ImportQueue,
    XeroInvoiceListener,
    XeroObjectStore,
)
from xero_sync.xero.errors import XeroAuthError, XeroRetryableError
from xero_sync.xero.governor import GovernorWait

SETTLE_SECONDS = 10
DEFER_SECONDS = 15
MAX_DEFERRALS = 4
MAX_ATTEMPTS = 8
MAX_DELAY = 900
TIME_MARGIN_SECONDS = 30.0
REFERENCE_INTERVAL = timedelta(hours=1)
REFERENCE_CURSOR = "reference"


class AdminNotifier(Protocol):
    def failure_recorded(self, org_id: str, now: datetime) -> bool: ...


@dataclass
class OrgContext:
    """What the import needs to know of an org besides its settings."""

    region: str | None  # Xero Organisation's CountryCode
    tax_ids: dict[str, str]  # Xero TaxType → host tax id (the org's tax mappings, reversed)


@dataclass
class ImportSummary:
    orgs: int = 0
    changes: int = 0
    deferred: int = 0
    retried: int = 0
    waiting: int = 0  # work sent back to wait for its turn under Xero's limits
    failed_messages: list[str] = field(default_factory=list)


class RetryLater(Exception):
    def __init__(self, delay: int, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay


class WaitForTurn(Exception):
    """The governor had no turn for this invocation (``GovernorWait``: nothing was sent). The
    org's work goes on in ``messages`` after ``delay`` seconds — from where it stopped."""

    def __init__(self, messages: list[OrgImport | OrgObjects], wait: GovernorWait) -> None:
        super().__init__(str(wait))
        self.messages = messages
        self.delay = _turn_delay(wait)


@dataclass
class ImportWorker:
    connections: ConnectionStore
    # XeroApiClient.for_org, with the invocation's time left: a call waits for its turn only while
    # the invocation can still wait, call and import the answer
    tenant_client: Callable[[str, Callable[[], float] | None], Reader]
    importer: OrgImporter
    objects: XeroObjectStore
    queue: ImportQueue
    reference: ReferenceImport
    settings_of: Callable[[str], OrgSettings]
    context_of: Callable[[str], OrgContext]
    history: HistoryStore
    clock: Clock
    after_changes: Callable[[str], None] | None = None  # nudge the host's webhook deliveries
    notifications: AdminNotifier | None = None
    invoice_listeners: list[XeroInvoiceListener] = field(default_factory=list)
    backoff_base_seconds: int = 30

    # --- the batch ---------------------------------------------------------------------------------

    def handle(
        self,
        batch: Sequence[tuple[str, TenantEvents | OrgImport | OrgObjects]],
        *,
        time_left: Callable[[], float] = lambda: 900.0,
    ) -> ImportSummary:
        summary = ImportSummary()
        by_tenant: dict[str, list[tuple[str, TenantEvents]]] = defaultdict(list)
        for message_id, message in batch:
            if isinstance(message, TenantEvents):
                by_tenant[message.tenant_id].append((message_id, message))
                continue
            self._safely(summary, [message_id], functools.partial(self._org_message, message, summary, time_left))
        for tenant_id, items in by_tenant.items():
            messages = [message for _, message in items]
            ids = [message_id for message_id, _ in items]
            self._safely(summary, ids, functools.partial(self._tenant_events, tenant_id, messages, summary, time_left))
        return summary

    def _safely(self, summary: ImportSummary, message_ids: list[str], work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:
            logger.exception("Import failed unexpectedly; the message comes back", extra={"messages": message_ids})
            summary.failed_messages += message_ids

    def _org_message(
        self, message: OrgImport | OrgObjects, summary: ImportSummary, time_left: Callable[[], float]
    ) -> None:
        if isinstance(message, OrgObjects):
            ids = {message.resource: set(message.xero_ids)}
            self._for_org(
                message.org_id,
                summary,
                lambda run: self._objects(run, ids, message.attempt, time_left),
                message.attempt,
                lambda attempt: _objects_messages(message.org_id, ids, attempt),
            )
        else:
            self._for_org(
                message.org_id,
                summary,
                lambda run: self._org_import(run, message, time_left),
                message.attempt,
                lambda attempt: [message.model_copy(update={"attempt": attempt})],
            )

    # --- webhook events ------------------------------------------------------------------------------

    def _tenant_events(
        self, tenant_id: str, messages: list[TenantEvents], summary: ImportSummary, time_left: Callable[[], float]
    ) -> None:
        hold = [e for m in messages if not m.settled for e in m.events if e.eventType.upper() == "CREATE"]
        now_events = [e for m in messages for e in m.events if m.settled or e.eventType.upper() != "CREATE"]
        if hold:
            self.queue.send(
                [TenantEvents(tenant_id=tenant_id, events=hold, settled=True)], delay_seconds=SETTLE_SECONDS
            )
        ids = _ids_by_resource(now_events)
        if not ids:
            return
        orgs = [c.org_id for c in self.connections.on_tenant(tenant_id) if c.syncs and c.tenant_id == tenant_id]
        if not orgs:
            logger.info("Webhook events for a tenant no org syncs with", extra={"tenant_id": tenant_id})
        for org_id in orgs:
            self._for_org(
                org_id,
                summary,
                lambda run: self._objects(run, ids, 1, time_left),
                1,
                functools.partial(_objects_messages, org_id, ids),
            )

    # --- one org --------------------------------------------------------------------------------------

    def _for_org(
        self,
        org_id: str,
        summary: ImportSummary,
        work: Callable[[OrgRun], Any],
        attempt: int,
        again: Callable[[int], list[OrgImport | OrgObjects]],
    ) -> None:
        connection = self.connections.get(org_id)
        if connection is None or not connection.syncs or not connection.tenant_id:
            return  # disconnected, disabled or not chosen a tenant: nothing to import
        run = OrgRun(org_id, connection.tenant_id, self.settings_of(org_id), self.clock())
        summary.orgs += 1
        try:
            # The org's reference data is read from Xero when it is not stored yet: its errors
            # and waits are the import's like any other read's.
            context = self.context_of(org_id)
            run.region, run.tax_ids = context.region, context.tax_ids
            work(run)
        except WaitForTurn as turn:
            self._wait_for_turn(run, turn.messages, turn.delay, summary)
        except GovernorWait as wait:  # reads by id, the reference data: the message again as it came
            self._wait_for_turn(run, again(attempt), _turn_delay(wait), summary)
        except (XeroRetryableError, RetryLater) as error:
            self._retry(run, error, attempt, again, summary)
        except XeroAuthError as error:
            self._record(run, "failed", f"Xero refused access, nothing was imported: {error}", "xero_access")
        finally:
            self._after(run, summary)

    def _after(self, run: OrgRun, summary: ImportSummary) -> None:
        summary.changes += len(run.written)
        if run.deferred:
            summary.deferred += len(run.deferred)
        if run.written and self.after_changes is not None:
            self.after_changes(run.org_id)
        metrics.add_metric(name="ImportChanges", unit=MetricUnit.Count, value=len(run.written))
        logger.info("Org import done", extra={"org_id": run.org_id, **dict(run.counts)})

    def _retry(
        self,
        run: OrgRun,
        error: Exception,
        attempt: int,
        again: Callable[[int], list[OrgImport | OrgObjects]],
        summary: ImportSummary,
    ) -> None:
        retry_after = getattr(error, "retry_after", None) or getattr(error, "delay", None)
        if attempt >= MAX_ATTEMPTS:
            self._record(run, "failed", f"Xero kept failing after {attempt} attempts: {error}", "xero_unavailable")
            if self.notifications is not None:
                self.notifications.failure_recorded(run.org_id, run.now)
            return
        delay = min(MAX_DELAY, int(retry_after) + 1 if retry_after else self.backoff_base_seconds * 2 ** (attempt - 1))
        self.queue.send(again(attempt + 1), delay_seconds=delay)
        summary.retried += 1
        self._record(run, "retrying", f"Import paused, trying again in {delay} s: {error}", None)

    def _wait_for_turn(
        self, run: OrgRun, messages: list[OrgImport | OrgObjects], delay: int, summary: ImportSummary
    ) -> None:
        """Not a failure of Xero's: nothing was sent, so no attempt is spent and the history is
        not told (a backfill holding the tenant's calls would otherwise fail the org's import
        after eight short waits)."""
        self.queue.send(messages, delay_seconds=delay)
        summary.waiting += 1
        logger.info("Import waits for its turn under Xero's limits", extra={"org_id": run.org_id, "seconds": delay})

    def _record(self, run: OrgRun, outcome: str, message: str, code: str | None) -> None:
        self.history.append(
            HistoryEvent(
                org_id=run.org_id,
                at=run.now,
                direction="import",
                action="read",
                outcome=outcome,
                error_code=code,
                message=message,
            )
        )

    # --- reading objects by id -----------------------------------------------------------------------

    def _objects(
        self, run: OrgRun, ids: dict[ImportResource, set[str]], attempt: int, time_left: Callable[[], float]
    ) -> None:
        reads = ImportReads(self.tenant_client(run.org_id, time_left))
        for resource, wanted in ids.items():
            records = reads.by_ids(resource, wanted)
            got = {str(r.get(_ID_FIELDS[resource]) or "") for r in records}
            missing = sorted(set(wanted) - got)
            if missing:
                self._record(
                    run,
                    "skipped",
                    f"Xero reported a change of {len(missing)} {resource.value} it no longer returns (deleted, or "
                    f"not accessible to the app): {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}. "
                    "Nothing to import; not retried.",
                    "not_in_xero",
                )
            self._import(run, resource, records)
        self._defer(run, attempt)

    def _defer(self, run: OrgRun, attempt: int) -> None:
        """Objects held back because the export is writing them: read again in a moment (at most
        :data:`MAX_DEFERRALS` times; then the state read is what there is)."""
        if not run.deferred:
            return
        by_resource: dict[ImportResource, list[str]] = defaultdict(list)
        for key in run.deferred:
            by_resource[_import_resource(key.resource.value)].append(key.xero_id)
        if attempt > MAX_DEFERRALS:
            logger.warning("Objects kept being written by the export; read as they are", extra={"org_id": run.org_id})
            return
        messages = [
            OrgObjects(org_id=run.org_id, resource=resource, xero_ids=ids[:1000], attempt=attempt + 1)
            for resource, ids in by_resource.items()
        ]
        self.queue.send(messages, delay_seconds=DEFER_SECONDS)

    def _import(self, run: OrgRun, resource: ImportResource, records: list[dict[str, Any]]) -> None:
        options: ImportOptions = run.settings.import_options
        filtered: Filtered
        if resource is ImportResource.CONTACTS:
            filtered = contact_candidates(run.org_id, records, options, run.region)
        elif resource is ImportResource.ITEMS:
            filtered = item_candidates(run.org_id, records)
        else:
            filtered = document_candidates(run.org_id, records)
            self._invoices_changed(run, filtered.candidates)
        run.counts["read"] += len(records)
        run.counts["left_out"] += filtered.left_out
        self.importer.process(run, filtered.candidates)

    def _invoices_changed(self, run: OrgRun, candidates: list[Candidate]) -> None:
        contact_ids = {
            c.contact_xero_id for c in candidates if c.contact_xero_id and c.resource.value in ("invoice", "bill")
        }
        for listener in self.invoice_listeners if contact_ids else []:
            try:
                listener.invoices_changed(run.org_id, contact_ids, run.now)
            except Exception:
                logger.exception("An invoice listener failed", extra={"org_id": run.org_id})

    # --- polls, the initial import, historical imports -------------------------------------------------

    def _org_import(self, run: OrgRun, message: OrgImport, time_left: Callable[[], float]) -> None:
        wanted = [r for r in message.resources if r in resources_for(run.settings)]
        if message.resume_resource is not None and message.resume_resource in wanted:
            wanted = wanted[wanted.index(message.resume_resource) :]
        reads = ImportReads(self.tenant_client(run.org_id, time_left))
        for resource in wanted:
            if resource is ImportResource.REFERENCE:
                try:
                    self._reference(run, message, reads)
                except GovernorWait as wait:
                    raise WaitForTurn([_resumed(message, resource, None, message.attempt)], wait) from wait
                continue
            resume = message.resume_since if resource == message.resume_resource else None
            if not self._read_since(run, reads, resource, message, resume, time_left):
                return  # continued in a new message

    def _read_since(
        self,
        run: OrgRun,
        reads: ImportReads,
        resource: ImportResource,
        message: OrgImport,
        resume: str | None,
        time_left: Callable[[], float],
    ) -> bool:
        signature = _options_signature(run.settings.import_options, resource)
        cursor = self.objects.cursor(run.org_id, resource.value) if message.kind == "poll" else None
        since = resume or (cursor.since if cursor and cursor.options == signature else None)
        where = None
        if message.kind == "historical":
            if resource in (ImportResource.INVOICES, ImportResource.CREDIT_NOTES):
                where = date_range(message.date_from, message.date_to)
            elif message.date_from and not resume:
                since = message.date_from.isoformat() + "T00:00:00+00:00"
        newest_read = since
        # A page (Xero's read, its turn under the tenant's limits, the import of up to 1,000
        # records) can take longer than the fixed margin when a backfill holds the tenant's calls
        # and DynamoDB is slow: the next page starts only with time for the slowest one so far.
        left_before, slowest_page = time_left(), 0.0
        try:
            for page in reads.pages(resource, since=since, where=where):
                self._import(run, resource, page.records)
                newest_read = newest(page.records, newest_read)
                if message.kind != "historical":
                    self.objects.save_cursor(PollCursor(run.org_id, resource.value, newest_read, signature), run.now)
                left = time_left()
                slowest_page, left_before = max(slowest_page, left_before - left), left
                if not page.last and left < TIME_MARGIN_SECONDS + slowest_page:
                    self.queue.send([_resumed(message, resource, newest_read, 1)])
                    return False
        except GovernorWait as wait:  # the pages imported so far stay imported
            raise WaitForTurn([_resumed(message, resource, newest_read, message.attempt)], wait) from wait
        return True

    def _reference(self, run: OrgRun, message: OrgImport, reads: ImportReads) -> None:
        """Accounts, tax rates, currencies and contact groups (at most hourly on a poll), and items."""
        cursor = self.objects.cursor(run.org_id, REFERENCE_CURSOR)
        checked = cursor.since if cursor else None
        due = message.kind != "poll" or checked is None or checked < (run.now - REFERENCE_INTERVAL).isoformat()
        if due:
            self.importer.process(run, self.reference.candidates(run.org_id, run.now))
            self.objects.save_cursor(PollCursor(run.org_id, REFERENCE_CURSOR, run.now.isoformat(), "1"), run.now)
        items_cursor = self.objects.cursor(run.org_id, ImportResource.ITEMS.value)
        since = items_cursor.since if items_cursor and message.kind == "poll" else None
        for page in reads.pages(ImportResource.ITEMS, since=since):
            self._import(run, ImportResource.ITEMS, page.records)
            newest_read = newest(page.records, since)
            self.objects.save_cursor(PollCursor(run.org_id, ImportResource.ITEMS.value, newest_read, "1"), run.now)


# --- helpers ------------------------------------------------------------------------------------------

_ID_FIELDS = {
    ImportResource.CONTACTS: "ContactID",
    ImportResource.INVOICES: "InvoiceID",
    ImportResource.CREDIT_NOTES: "CreditNoteID",
    ImportResource.ITEMS: "ItemID",
}


def _turn_delay(wait: GovernorWait) -> int:
    """Seconds until the governor may have a turn (SQS delays at most 15 minutes)."""
    return min(MAX_DELAY, int(wait.retry_after or 0) + 1)


def _resumed(message: OrgImport, resource: ImportResource, since: str | None, attempt: int) -> OrgImport:
    """``message`` again from ``resource`` on (the resources before it are done), reading
    ``resource`` from ``since`` (None: from where the message would have read it)."""
    return message.model_copy(update={"resume_resource": resource, "resume_since": since, "attempt": attempt})


def _ids_by_resource(events: Iterable[XeroWebhookEvent]) -> dict[ImportResource, set[str]]:
    ids: dict[ImportResource, set[str]] = defaultdict(set)
    for event in events:
        resource = CATEGORY_RESOURCES.get(event.eventCategory.upper())
        if resource is not None:
            ids[resource].add(event.resourceId)
    return dict(ids)


def _objects_messages(org_id: str, ids: dict[ImportResource, set[str]], attempt: int) -> list[OrgImport | OrgObjects]:
    messages: list[OrgImport | OrgObjects] = []
    for resource, wanted in ids.items():
        ordered = sorted(wanted)
        messages += [
            OrgObjects(org_id=org_id, resource=resource, xero_ids=ordered[start : start + 1000], attempt=attempt)
            for start in range(0, len(ordered), 1000)
        ]
    return messages


def _import_resource(resource: str) -> ImportResource:
    return {
        "contact": ImportResource.CONTACTS,
        "invoice": ImportResource.INVOICES,
        "bill": ImportResource.INVOICES,
        "credit_note": ImportResource.CREDIT_NOTES,
        "vendor_credit": ImportResource.CREDIT_NOTES,
        "item": ImportResource.ITEMS,
    }.get(resource, ImportResource.REFERENCE)


def resources_for(settings: OrgSettings) -> list[ImportResource]:
    """What an org's polls read: contacts only when customers or vendors are imported; documents
    always (the payment status of exported ones, F4.3); reference data and items always (F4.1)."""
    options = settings.import_options
    chosen = [ImportResource.REFERENCE]
    if options.customers or options.vendors:
        chosen.append(ImportResource.CONTACTS)
    chosen += [ImportResource.INVOICES, ImportResource.CREDIT_NOTES]
    return chosen


def _options_signature(options: ImportOptions, resource: ImportResource) -> str:
    """New options that widen what is imported read everything again (new cursor)."""
    if resource is ImportResource.CONTACTS:
        groups = ",".join(sorted(options.contact_group_ids))
        return f"c{int(options.customers)}v{int(options.vendors)}g{groups}"
    if resource in (ImportResource.INVOICES, ImportResource.CREDIT_NOTES):
        return f"d{int(options.documents)}"
    return "1"
