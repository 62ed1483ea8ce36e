"""A contact's Xero invoices: the read view of a CRM (SPEC §5, F5; seed 003), and the contact's
link to a Xero contact."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from xero_sync.domain.contact_documents import RecordRef
from xero_sync.domain.invoice_view import View
from xero_sync.http.routes import HostRecordId, OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.invoice_view import (
    GUID_PATTERN,
    ContactLinkRequest,
    ContactLinkView,
    InvoiceListView,
    InvoiceSummaryView,
    PinView,
)

routes = Routes("Invoices on a contact")

CONTACT = "/orgs/<org_id>/contacts/<contact_id>"
InvoiceId = Annotated[
    str, Path(description="Xero's InvoiceID (or CreditNoteID) of the document.", pattern=GUID_PATTERN)
]
FRESHNESS = (
    " Read through a cache: as_of says when the data was read from Xero; when Xero is rate-limited or "
    "unavailable the last data read is served with stale=true. 404 when the contact is not linked to a Xero "
    "contact (the message says how to link it)."
)


@routes.route(
    "GET",
    f"{CONTACT}/invoices",
    InvoiceListView,
    404,
    409,
    502,
    summary="The contact's Xero invoices, newest first",
    description="Sales invoices, bills and credit notes of the Xero contact the host contact is linked to, with "
    "their instalments and a link into Xero, one saved view at a time (default: open), searchable by number and "
    "filterable by invoice date; with the contact's totals paid and unpaid." + FRESHNESS,
)
def list_invoices(
    org_id: OrgId,
    contact_id: HostRecordId,
    view: Annotated[
        View,
        Query(
            description="open (balance > 0, due after today — the default), paid (balance 0, status paid), unpaid "
            "(balance > 0, awaiting payment), overdue (balance > 0, due before today), pinned, or all. Today is "
            "the org's date in its Xero time zone."
        ),
    ] = View.OPEN,
    q: Annotated[str | None, Query(max_length=100, description="Search by invoice number (any part of it).")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="Invoice date from (YYYY-MM-DD).")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Invoice date up to, inclusive.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Invoices per page.")] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page.")] = None,
) -> InvoiceListView:
    # Here, not at the top: the read view's service (and the Xero client behind it) loads on the
    # first read-view request, not in every Api cold start (N6).
    from xero_sync.services.invoice_view import list_query

    query = list_query(view=view, q=q, date_from=date_from, date_to=date_to, limit=limit, cursor=cursor)
    return services().invoice_view.contact_invoices(org_id, contact_id, query)


@routes.route(
    "GET",
    f"{CONTACT}/invoices/summary",
    InvoiceSummaryView,
    404,
    409,
    502,
    summary="The contact's totals paid and unpaid",
    description="Paid, unpaid and overdue amounts of the contact's sales invoices and bills, in the org's base "
    "currency and per currency." + FRESHNESS,
)
def invoices_summary(org_id: OrgId, contact_id: HostRecordId) -> InvoiceSummaryView:
    return services().invoice_view.summary(org_id, contact_id)


@routes.route(
    "PUT",
    f"{CONTACT}/invoices/<invoice_id>/pin",
    PinView,
    404,
    409,
    502,
    summary="Pin one of the contact's invoices to the contact",
    description="400 (path.invoice_id) when the document is not one of this contact's in Xero.",
)
def pin_to_contact(org_id: OrgId, contact_id: HostRecordId, invoice_id: InvoiceId) -> PinView:
    return services().invoice_view.pin(org_id, RecordRef("contact", contact_id), invoice_id.lower())


@routes.route("DELETE", f"{CONTACT}/invoices/<invoice_id>/pin", PinView, summary="Unpin an invoice from the contact")
def unpin_from_contact(org_id: OrgId, contact_id: HostRecordId, invoice_id: InvoiceId) -> PinView:
    return services().invoice_view.unpin(org_id, RecordRef("contact", contact_id), invoice_id.lower())


@routes.route(
    "GET",
    f"{CONTACT}/xero-link",
    ContactLinkView,
    404,
    409,
    summary="Which Xero contact the contact is",
    description="Linked explicitly by the host, by export, or by the import's email or phone match.",
)
def get_link(org_id: OrgId, contact_id: HostRecordId) -> ContactLinkView:
    return services().contact_xero_links.current(org_id, contact_id)


@routes.route(
    "PUT",
    f"{CONTACT}/xero-link",
    ContactLinkView,
    409,
    502,
    summary="Link the contact to a Xero contact",
    description="For a host that does not export its contacts (a CRM): the Xero ContactID is checked to exist. "
    "An explicit link wins over export and match links and is never replaced by the import.",
)
def put_link(org_id: OrgId, contact_id: HostRecordId, body: Annotated[ContactLinkRequest, Body()]) -> ContactLinkView:
    return services().contact_xero_links.link(org_id, contact_id, body.xero_contact_id.lower())


@routes.route(
    "DELETE",
    f"{CONTACT}/xero-link",
    ContactLinkView,
    404,
    409,
    summary="Remove the contact's link to Xero",
    description="Removes the host's (or the import's) link; the answer shows what is left (an exported contact "
    "stays linked to the contact it was exported as).",
)
def delete_link(org_id: OrgId, contact_id: HostRecordId) -> ContactLinkView:
    return services().contact_xero_links.unlink(org_id, contact_id)
