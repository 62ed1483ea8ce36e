"""Both sides changed a contact since the last sync (F4 "clear conflicts"): the newer change
wins, and the history keeps both versions.

A conflict is a linked host contact whose newer version is still on its way to Xero (pending,
and Xero held an earlier version of it) while Xero reports a change of the same contact. The
host's time is when the service received its version; Xero's is the contact's UpdatedDateUTC.

* Xero's change is newer (or as new): it is reported to the host, with the host's version in
  ``conflict``; the host's pending version is marked skipped ("superseded by a newer change in
  Xero"), so the export does not overwrite it. The host may push again to overrule it.
* The host's change is newer: nothing is reported; Xero's state is recorded as known (so the
  next read does not report it either), and the host's version goes to Xero as planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xero_sync.domain.errors import ClaimLost
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.imports.wire import xero_datetime
from xero_sync.domain.records import RecordKey, RecordStatus
from xero_sync.domain.xero_objects import ObjectWrite, Origin
from xero_sync.services.ports import HistoryStore, RecordStore, XeroObjectStore

if TYPE_CHECKING:
    from xero_sync.services.imports.org_import import Decided, OrgRun

SUPERSEDED_BY_XERO = "superseded_by_xero"


@dataclass
class Conflicts:
    records: RecordStore
    objects: XeroObjectStore
    history: HistoryStore

    def settle(self, run: OrgRun, item: Decided) -> bool:
        """True: report the change (no conflict, or Xero's is newer); False: the host's wins."""
        if not item.host_id or item.host_entity != "contact":
            return True
        key = RecordKey(run.org_id, "contact", item.host_id)
        row = self.records.get(key)
        if row is None or row.status is not RecordStatus.PENDING or row.exported_version is None:
            return True
        if not row.changed_since_export:
            return True
        host_at = row.received_at
        xero_at = xero_datetime(item.candidate.seen.xero_updated)
        xero_wins = host_at is None or xero_at is None or xero_at >= host_at
        if xero_wins:
            try:
                status = self.records.mark_outcome(
                    key,
                    owner=None,
                    status=RecordStatus.SKIPPED,
                    version=row.version,
                    error_code=SUPERSEDED_BY_XERO,
                    message="Superseded by a newer change of the contact in Xero (reported to the host); "
                    "push a new version to overrule it.",
                    now=run.now,
                )
            except ClaimLost:
                status = RecordStatus.PENDING  # the export took it meanwhile: it goes to Xero
            xero_wins = status is RecordStatus.SKIPPED
        details: dict[str, Any] = {
            "winner": "xero" if xero_wins else "host",
            "host_version": row.version,
            "host_changed_at": host_at.isoformat() if host_at else None,
            "xero_changed_at": item.candidate.seen.xero_updated,
            "host_state": row.data,
        }
        self.history.append(_event(run, item, details))
        run.counts["conflicts"] += 1
        if xero_wins:
            item.conflict = details
            return True
        self._known(run, item)
        return False

    def _known(self, run: OrgRun, item: Decided) -> None:
        seen = item.candidate.seen
        write = ObjectWrite(
            key=item.candidate.key,
            fingerprint=seen.fingerprint,
            payment_fingerprint=seen.payment_fingerprint,
            xero_updated=seen.xero_updated,
            origin=Origin.XERO,
            host_entity=item.host_entity,
            host_id=item.host_id,
            expected_revision=item.known.revision if item.known is not None else 0,
        )
        self.objects.record(write, run.now)


def _event(run: OrgRun, item: Decided, details: dict[str, Any]) -> HistoryEvent:
    name = item.candidate.state.get("display_name") or item.candidate.key.xero_id
    winner = "Xero's" if details["winner"] == "xero" else "the host's"
    return HistoryEvent(
        org_id=run.org_id,
        at=run.now,
        direction="import",
        action="conflict",
        outcome="info",
        entity="contact",
        record_id=item.host_id,
        xero_id=item.candidate.key.xero_id,
        message=f"Contact {name} changed both in Xero and in the host since the last sync; the newer change "
        f"({winner}) wins.",
        details={**details, "xero_state": item.candidate.state},
    )
