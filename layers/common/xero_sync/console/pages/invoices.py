"""The invoices panel of one host contact (F5, seed 003), as a page of its own that a host embeds
on its contact page: five saved views, search by number, a date filter, totals paid and unpaid,
pins, the instalments of each invoice and a link into Xero. The data comes from the read-view
service through ``console/contact_invoices.py``'s interface."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response

from xero_sync.console.contact_invoices import DEFAULT_VIEW, VIEWS, ContactInvoices
from xero_sync.console.page import Errors, Page, detail_errors
from xero_sync.console.services import services
from xero_sync.console.web import first, local_back, page_url, redirect
from xero_sync.services.errors import InvalidInput

page = Page("invoices")
routes = page.router

PATH = "contacts/{contact_id}/invoices"


def _date(text: str, name: str, errors: Errors) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = page.words().t("errors.date")
        return None


def _service() -> ContactInvoices | None:
    return services().contact_invoices


@routes.get("/console/contacts/<contact_id>/invoices")
def show(contact_id: str) -> Response:
    service = _service()
    if service is None:
        return page.render("invoices_unavailable", int(HTTPStatus.SERVICE_UNAVAILABLE), embedded_page=True)
    org_id = page.visit().org_id
    view = page.query("view") if page.query("view") in VIEWS else DEFAULT_VIEW
    filters = {"view": view, "q": page.query("q")[:100], "from": page.query("from"), "to": page.query("to")}
    errors: Errors = {}
    date_from = _date(filters["from"], "from", errors)
    date_to = _date(filters["to"], "to", errors)
    if date_from and date_to and date_from > date_to:
        errors["to"] = page.words().t("errors.date_order")
    items, next_cursor = [], None
    if not errors:
        try:
            found = service.list(
                org_id,
                contact_id,
                view=view,
                q=filters["q"] or None,
                date_from=date_from,
                date_to=date_to,
                cursor=page.query("cursor")[:2000] or None,
            )
            items, next_cursor = found.items, found.next_cursor
        except InvalidInput as error:
            errors = detail_errors(error.details, strip="query.")
    path = PATH.format(contact_id=contact_id)
    return page.render(
        "invoices",
        HTTPStatus.BAD_REQUEST if errors else HTTPStatus.OK,
        embedded_page=True,
        contact_id=contact_id,
        path=path,
        filters=filters,
        views=VIEWS,
        errors=errors,
        items=items,
        totals=service.summary(org_id, contact_id),
        **page.listing_links(path, filters, next_cursor),
    )


@routes.post("/console/contacts/<contact_id>/invoices/pin")
def pin(contact_id: str) -> Response:
    service = _service()
    values = page.form()
    path = PATH.format(contact_id=contact_id)
    if service is None:
        return redirect(page_url(path))
    invoice_id = first(values, "invoice_id")
    if invoice_id:
        org_id = page.visit().org_id
        if first(values, "pinned") == "true":
            service.unpin(org_id, contact_id, invoice_id)
        else:
            service.pin(org_id, contact_id, invoice_id)
    return redirect(local_back(first(values, "back"), page_url(path)))
