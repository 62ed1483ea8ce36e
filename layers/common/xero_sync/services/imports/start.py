"""Starting imports (F4.2, F3.8): on connect (the initial import of the tenant's contacts and
documents), on the org's scheduled sync (the polling catch-up: webhooks can be missed or not
configured), and on the host's request (``POST /sync`` with ``direction`` import or both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xero_sync.models.api_export import SyncNowRequest
from xero_sync.models.imports import ImportResource, OrgImport
from xero_sync.services.ports import ImportQueue

ENTITY_RESOURCES = {
    "contact": ImportResource.CONTACTS,
    "invoice": ImportResource.INVOICES,
    "bill": ImportResource.INVOICES,
    "credit_note": ImportResource.CREDIT_NOTES,
    "vendor_credit": ImportResource.CREDIT_NOTES,
}


@dataclass
class ImportStarter:
    queue: ImportQueue

    def on_connected(self, org_id: str, now: datetime) -> None:
        self.queue.send([OrgImport(kind="initial", org_id=org_id, requested_by="connect")])

    def on_scheduled(self, org_id: str, now: datetime) -> None:
        self.queue.send([OrgImport(kind="poll", org_id=org_id, requested_by="tick")])

    def historical(self, org_id: str, request: SyncNowRequest, now: datetime) -> bool:
        """Every record of the range (documents by date; contacts changed since ``from``), for the
        entities asked for (all importable ones by default)."""
        entities = [entity.value for entity in request.entities] if request.entities else list(ENTITY_RESOURCES)
        resources = list(dict.fromkeys(ENTITY_RESOURCES[e] for e in entities if e in ENTITY_RESOURCES))
        if not resources:
            return False
        message = OrgImport(
            kind="historical",
            org_id=org_id,
            resources=resources,
            date_from=request.date_from,
            date_to=request.date_to,
            requested_by="host",
        )
        self.queue.send([message])
        return True
