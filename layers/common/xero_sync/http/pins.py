"""Xero invoices pinned to any host record — a contact, an account, a deal (SPEC §5, F5; seed 003:
"Pin Xero invoices against your records", "a summary of total paid and unpaid amount for each
contact, account, and deal")."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from xero_sync.domain.contact_documents import RecordRef
from xero_sync.http.contact_invoices import InvoiceId
from xero_sync.http.routes import HostRecordId, OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.invoice_view import PinnedInvoicesView, PinView

routes = Routes("Pins")

PINS = "/orgs/<org_id>/records/<record_type>/<record_id>/pins"
RecordType = Annotated[
    str,
    Path(
        description="The host's record type, e.g. contact, account, deal (lower case letters, digits, _).",
        pattern=r"^[a-z][a-z0-9_]{0,39}$",
    ),
]


@routes.route(
    "GET",
    PINS,
    PinnedInvoicesView,
    409,
    502,
    summary="The invoices pinned to a host record, with their totals",
    description="Each pinned document as in the contact list, and the totals paid and unpaid over them (the "
    "boxes of an account or a deal). Read through the same cache as the contact list (as_of, stale).",
)
def record_pins(org_id: OrgId, record_type: RecordType, record_id: HostRecordId) -> PinnedInvoicesView:
    return services().invoice_view.record_pins(org_id, RecordRef(record_type, record_id))


@routes.route(
    "PUT",
    f"{PINS}/<invoice_id>",
    PinView,
    404,
    409,
    502,
    summary="Pin a Xero invoice to a host record",
    description="The document must exist in the org's Xero organisation (400 on path.invoice_id otherwise); on a "
    "contact it must be one of that contact's.",
)
def pin_to_record(org_id: OrgId, record_type: RecordType, record_id: HostRecordId, invoice_id: InvoiceId) -> PinView:
    return services().invoice_view.pin(org_id, RecordRef(record_type, record_id), invoice_id.lower())


@routes.route("DELETE", f"{PINS}/<invoice_id>", PinView, summary="Unpin a Xero invoice from a host record")
def unpin_from_record(
    org_id: OrgId, record_type: RecordType, record_id: HostRecordId, invoice_id: InvoiceId
) -> PinView:
    return services().invoice_view.unpin(org_id, RecordRef(record_type, record_id), invoice_id.lower())
