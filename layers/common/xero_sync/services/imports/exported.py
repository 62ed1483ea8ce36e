"""No echo (F4): what the export worker writes to Xero is recorded as the object's known state,
so that Xero's report of it — a webhook, or the next poll — is recognised as the service's own
write and not sent back to the host as a change (a two-way sync would loop).

The export worker calls :meth:`ExportedObjects.written` with Xero's answer for every contact and
document it created, updated or linked, those of one Xero call together (services/ports.py
``XeroWriteListener``). The state is mapped exactly as the import maps what it reads
(domain/imports), and written only if it is not older than what is stored (a late export never
hides a newer change made in Xero). It also holds the document's payment status as of the write
(F4.3: shown with the record's state).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from xero_sync.domain.changes import Resource
from xero_sync.domain.imports.contacts import contact_fingerprint, contact_updated, map_contact
from xero_sync.domain.imports.documents import (
    document_updated,
    map_document,
    payment_fingerprint,
    payment_status,
)
from xero_sync.domain.imports.wire import fingerprint
from xero_sync.domain.xero_objects import ExportedElement, ObjectKey, ObjectWrite, Origin
from xero_sync.models.api_import import PaymentStatusView
from xero_sync.observability import logger
from xero_sync.services.ports import XeroObjectStore

EXPORTED_RESOURCES = {
    "contact": Resource.CONTACT,
    "invoice": Resource.INVOICE,
    "bill": Resource.BILL,
    "credit_note": Resource.CREDIT_NOTE,
    "vendor_credit": Resource.VENDOR_CREDIT,
    "write_off": Resource.CREDIT_NOTE,  # a write-off is a credit note allocated to its invoice
}


def exported_state(written: ExportedElement) -> ObjectWrite | None:
    """The state to note for one written object (None for an entity the import does not read)."""
    resource = EXPORTED_RESOURCES.get(written.entity)
    if resource is None:
        return None
    key = ObjectKey(written.org_id, resource, written.xero_id)
    element = written.element
    if resource is Resource.CONTACT:
        return ObjectWrite(
            key=key,
            fingerprint=contact_fingerprint(map_contact(element)),
            payment_fingerprint=None,
            xero_updated=contact_updated(element),
            origin=Origin.EXPORT,
            host_entity=written.entity,
            host_id=written.host_id,
        )
    payment = payment_status(element)
    return ObjectWrite(
        key=key,
        fingerprint=fingerprint(map_document(element)),
        payment_fingerprint=payment_fingerprint(payment),
        xero_updated=document_updated(element),
        origin=Origin.EXPORT,
        host_entity=written.entity,
        host_id=written.host_id,
        payment={**payment, "as_of": document_updated(element)},
    )


@dataclass
class ExportedObjects:
    objects: XeroObjectStore

    def written(self, writes: Sequence[ExportedElement], now: datetime) -> None:
        """Note the objects of one Xero call, together (one request for up to 100). Never
        raises: an export must not fail because its echo could not be noted (the worst that
        follows is one change the host did not need)."""
        try:
            states = [state for state in map(exported_state, writes) if state is not None]
            if states:
                self.objects.record_all(states, now)
        except Exception:
            logger.exception(
                "Could not record exported objects", extra={"org_id": writes[0].org_id if writes else None}
            )


def payment_status_of(objects: XeroObjectStore, org_id: str, entity: str, xero_id: str) -> PaymentStatusView | None:
    """The payment status of an exported document as last read from Xero (F4.3), for the
    record's state (GET /v1/orgs/{org}/records/{entity}/{id})."""
    resource = EXPORTED_RESOURCES.get(entity)
    if resource is None or resource is Resource.CONTACT:
        return None
    found = objects.get(ObjectKey(org_id, resource, xero_id))
    if found is None or not found.payment:
        return None
    return PaymentStatusView.model_validate(found.payment)
