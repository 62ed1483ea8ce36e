"""One org's imported records → changes (F4.2, F4.3): the heart of the import.

For a list of candidates (services/imports/candidates.py):

1. read what is known of each object (one BatchGetItem per 100);
2. decide what each is for the host (domain/imports/decide.py) — an echo of the service's own
   export or a state already reported is nothing;
3. find the host record each changed object is linked to (the export's link, or the contact
   links table — explicit and match links), and hold back an object whose host record the export
   is writing to Xero right now (its change may be that write: read again in a moment);
4. contacts: settle a conflict when both sides changed (services/imports/conflicts.py), and
   match an unlinked one by email or phone, writing a ``match_*`` link;
5. write the changes with their objects' new states (dal/changes.py: ids in commit order, each
   object written on condition it did not move); an object that moved is decided again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xero_sync.domain.changes import Change, Match, Resource, What, kind_of
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.imports.decide import what_changed
from xero_sync.domain.imports.matching import Directory
from xero_sync.domain.links import ContactLink, LinkSource
from xero_sync.domain.records import RecordKey
from xero_sync.domain.xero_objects import ObjectKey, ObjectWrite, Origin, XeroObject
from xero_sync.models.org_config import OrgSettings
from xero_sync.observability import logger
from xero_sync.services.imports.candidates import Candidate, tracking
from xero_sync.services.imports.conflicts import Conflicts
from xero_sync.services.ports import (
    ChangeStore,
    ContactLinkStore,
    HistoryStore,
    HostContactSource,
    RecordStore,
    XeroObjectStore,
)

MAX_ROUNDS = 4  # decide again after a concurrent write at most this often
MATCH_SOURCES = {"email": LinkSource.MATCH_EMAIL, "phone": LinkSource.MATCH_PHONE}


@dataclass
class OrgRun:
    """One org in one invocation of the import worker."""

    org_id: str
    tenant_id: str
    settings: OrgSettings
    now: datetime
    region: str | None = None  # the org's country in Xero (phone numbers)
    tax_ids: dict[str, str] = field(default_factory=dict)  # Xero TaxType → the host's tax id
    counts: Counter[str] = field(default_factory=Counter)
    deferred: list[ObjectKey] = field(default_factory=list)  # read again in a moment
    directory: Directory | None = None
    written: list[Change] = field(default_factory=list)
    contact_hosts: dict[str, str] = field(default_factory=dict)  # Xero ContactID → host contact id


@dataclass
class Decided:
    candidate: Candidate
    known: XeroObject | None
    what: What
    host_id: str | None = None
    host_entity: str | None = None
    match: Match | None = None
    conflict: dict[str, Any] | None = None


@dataclass
class OrgImporter:
    objects: XeroObjectStore
    changes: ChangeStore
    links: ContactLinkStore
    records: RecordStore
    host_contacts: HostContactSource
    history: HistoryStore
    conflicts: Conflicts
    on_written: Callable[[OrgRun, list[Change]], None] | None = None

    def process(self, run: OrgRun, candidates: Sequence[Candidate]) -> list[Change]:
        pending = list(candidates)
        written: list[Change] = []
        for _ in range(MAX_ROUNDS):
            if not pending:
                break
            known = self.objects.get_many(candidate.key for candidate in pending)
            decided = [d for d in (self._decide(run, c, known.get(c.key)) for c in pending) if d is not None]
            decided = self._linked(run, decided)
            self._contact_hosts(run, {d.candidate.contact_xero_id for d in decided if d.candidate.contact_xero_id})
            entries = [self._entry(run, d) for d in decided]
            result = self.changes.append(run.org_id, entries) if entries else None
            if result is None:
                break
            written += result.changes
            stale = set(result.stale)
            run.counts["concurrent"] += len(stale)
            pending = [candidate for candidate in pending if candidate.key in stale]
        run.counts["changes"] += len(written)
        run.written += written
        if written:
            self.history.append_many(_history(change, run.now) for change in written)
            if self.on_written is not None:
                self.on_written(run, written)
        return written

    # --- 2. decide -----------------------------------------------------------------------------

    def _decide(self, run: OrgRun, candidate: Candidate, known: XeroObject | None) -> Decided | None:
        content, payment = tracking(candidate, known, run.settings.import_options)
        if not content and not payment:
            run.counts["not_followed"] += 1
            return None
        what = what_changed(known, candidate.seen, content=content, payment=payment)
        if what is None:
            run.counts["unchanged"] += 1
            return None
        host_id = known.host_id if known is not None else None
        host_entity = known.host_entity if known is not None else None
        return Decided(candidate, known, what, host_id=host_id, host_entity=host_entity)

    # --- 3 and 4. links, writes in flight, conflicts, matches -------------------------------------

    def _linked(self, run: OrgRun, decided: list[Decided]) -> list[Decided]:
        for item in decided:
            if item.candidate.resource is Resource.CONTACT:
                self._contact_link(run, item)  # an explicit or match link (the export's is on the object)
        in_flight = self._in_flight(run, decided)
        kept: list[Decided] = []
        for item in decided:
            if item.candidate.key in in_flight:
                run.deferred.append(item.candidate.key)
                run.counts["deferred"] += 1
                continue
            if item.candidate.resource is Resource.CONTACT:
                if not self.conflicts.settle(run, item):
                    continue  # the host's newer version wins: nothing to report
                if item.host_id is None:
                    self._match(run, item)
            kept.append(item)
        return kept

    def _contact_link(self, run: OrgRun, item: Decided) -> None:
        links = self.links.by_xero_contact(run.org_id, item.candidate.key.xero_id)
        current = [link for link in links if link.tenant_id == run.tenant_id]
        if not current:
            return
        link = max(current, key=lambda found: (found.source is LinkSource.EXPLICIT, found.linked_at))
        item.host_id, item.host_entity = link.host_contact_id, "contact"
        if link.source in (LinkSource.MATCH_EMAIL, LinkSource.MATCH_PHONE):
            item.match = Match(host_id=link.host_contact_id, by=link.source.value.removeprefix("match_"))

    def _in_flight(self, run: OrgRun, decided: list[Decided]) -> set[ObjectKey]:
        """Objects whose host record the export is sending to Xero right now."""
        keys = {
            RecordKey(run.org_id, item.host_entity, item.host_id): item.candidate.key
            for item in decided
            if item.host_id and item.host_entity
        }
        if not keys:
            return set()
        rows = self.records.get_many(keys)
        return {keys[key] for key, row in rows.items() if row.claimed_at(run.now)}

    def _match(self, run: OrgRun, item: Decided) -> None:
        keys = item.candidate.keys
        if not keys or (item.known is not None and item.known.match_basis == keys.basis):
            return  # nothing to match on, or the same emails/phones found nothing before
        if run.directory is None:
            run.directory = Directory.of(self.host_contacts.contacts(run.org_id), run.region)
        match = run.directory.match(keys)
        if match is None:
            return
        link = ContactLink(
            org_id=run.org_id,
            host_contact_id=match.host_id,
            xero_contact_id=item.candidate.key.xero_id,
            tenant_id=run.tenant_id,
            source=MATCH_SOURCES[match.by],
            linked_at=run.now,
        )
        if self.links.put(link):
            run.counts["matched"] += 1
            item.match, item.host_id, item.host_entity = match, match.host_id, "contact"
        else:
            logger.info("A stronger link exists for the matched host contact", extra={"org_id": run.org_id})

    def _contact_hosts(self, run: OrgRun, xero_contact_ids: set[str]) -> None:
        """Documents show their contact's host id when the contact is linked."""
        missing = {contact_id for contact_id in xero_contact_ids if contact_id not in run.contact_hosts}
        if not missing:
            return
        known = self.objects.get_many(ObjectKey(run.org_id, Resource.CONTACT, contact_id) for contact_id in missing)
        for key, found in known.items():
            if found.host_id:
                run.contact_hosts[key.xero_id] = found.host_id
        for contact_id in missing - set(run.contact_hosts):
            links = [
                link for link in self.links.by_xero_contact(run.org_id, contact_id) if link.tenant_id == run.tenant_id
            ]
            if links:
                run.contact_hosts[contact_id] = links[0].host_contact_id

    # --- 5. the change and the object's new state -------------------------------------------------

    def _entry(self, run: OrgRun, item: Decided) -> tuple[Change, ObjectWrite]:
        candidate = item.candidate
        state = _enriched(run, candidate)
        change = Change(
            org_id=run.org_id,
            kind=kind_of(candidate.resource, item.what),
            resource=candidate.resource,
            xero_id=candidate.key.xero_id,
            state=state,
            occurred_at=candidate.seen.xero_updated,
            recorded_at=run.now,
            host_id=item.host_id,
            match=item.match,
            conflict=item.conflict,
        )
        write = ObjectWrite(
            key=candidate.key,
            fingerprint=candidate.seen.fingerprint,
            payment_fingerprint=candidate.seen.payment_fingerprint,
            xero_updated=candidate.seen.xero_updated,
            origin=Origin.XERO,
            host_entity=item.host_entity,
            host_id=item.host_id,
            payment=candidate.payment,
            match_basis=candidate.keys.basis if candidate.keys else None,
            expected_revision=item.known.revision if item.known is not None else 0,
        )
        return change, write


def _enriched(run: OrgRun, candidate: Candidate) -> dict[str, Any]:
    """The state as the change shows it: documents get their payment status, and the host's tax
    ids beside Xero's tax types (not part of the fingerprint: a new tax mapping is no change)."""
    state = dict(candidate.state)
    contact = state.get("contact")
    if isinstance(contact, dict) and contact.get("xero_id"):
        state["contact"] = {**contact, "host_id": run.contact_hosts.get(contact["xero_id"])}
    if candidate.payment is not None:
        state["payment"] = candidate.payment
    lines = state.get("lines")
    if isinstance(lines, list) and run.tax_ids:
        state["lines"] = [{**line, "tax_id": run.tax_ids.get(line.get("xero_tax_type") or "")} for line in lines]
    return state


def _history(change: Change, now: datetime) -> HistoryEvent:
    name = change.state.get("display_name") or change.state.get("number") or change.state.get("name")
    return HistoryEvent(
        org_id=change.org_id,
        at=now,
        direction="import",
        action=change.kind.value.split(".", 1)[1],
        outcome="succeeded",
        entity=change.resource.value,
        record_id=change.host_id,
        xero_id=change.xero_id,
        message=f"{change.kind.value}: {name}" if name else change.kind.value,
        details={"change_id": change.change_id, **({"match": change.match.by} if change.match else {})},
    )


def contact_ids(candidates: Collection[Candidate]) -> set[str]:
    return {candidate.contact_xero_id for candidate in candidates if candidate.contact_xero_id}
