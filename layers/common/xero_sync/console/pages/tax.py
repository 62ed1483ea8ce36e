"""Tax mapping (F2.3): each host tax → a Xero tax rate (and, when it differs, the rate for
purchases). A row offers only the Xero rates whose rate equals the host rate (the script narrows
the list again as the rate is typed); compound rates are explained with their components. Saved
through ``OrgSettingsService.put_tax_mappings``, which refuses a mismatch: its message appears next
to the field at fault."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response
from pydantic import ValidationError

from xero_sync.console.page import Errors, Page, form_revision, reference_data, validation_errors
from xero_sync.console.services import services
from xero_sync.console.web import first
from xero_sync.domain.tax import rates_equal
from xero_sync.models.api_export import TaxMappingsUpdate
from xero_sync.models.reference_data import XeroTaxRate
from xero_sync.services.errors import Conflict, InvalidInput
from xero_sync.services.reference_data import tax_rate_view

page = Page("tax-mappings")
routes = page.router

FIELDS = ("host_tax_id", "host_tax_name", "host_rate", "xero_tax_type", "purchases_xero_tax_type")
MAX_ROWS = 500


def _rate(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text.strip() else None
    except InvalidOperation:
        return None


def _offered(rates: list[XeroTaxRate], host_rate: str) -> list[XeroTaxRate]:
    """The Xero rates a row offers: those equal to the host rate (all, while it has none)."""
    rate = _rate(host_rate)
    return rates if rate is None else [r for r in rates if rates_equal(rate, r)]


def _show(rows: list[dict[str, str]], revision: int, errors: Errors, status: int = 200) -> Response:
    reference = reference_data(page.visit().org_id)
    rates = [r for r in reference.tax_rates if r.is_active] if reference else []
    shown = [*rows, dict.fromkeys(FIELDS, "")]  # an empty row to add a mapping
    return page.render(
        "tax",
        status,
        rows=[{**row, "offered": _offered(rates, row["host_rate"])} for row in shown],
        rates=[tax_rate_view(r) for r in rates],
        has_reference=reference is not None,
        revision=revision,
        errors=errors,
    )


@routes.get("/console/tax-mappings")
def show() -> Response:
    view = services().org_settings.get_tax_mappings(page.visit().org_id)
    rows = [{name: str(getattr(m, name) or "") for name in FIELDS} for m in view.mappings]
    return _show(rows, view.revision, {problem.field: problem.message for problem in view.problems})


def _rows(values: dict[str, list[str]]) -> list[tuple[int, dict[str, str]]]:
    """(form row, entered values) of every row that is neither removed nor left empty."""
    count = min(int(first(values, "rows", "0") or 0), MAX_ROWS + 1)
    rows = []
    for row in range(count):
        entered = {name: first(values, f"mappings[{row}].{name}") for name in FIELDS}
        if f"mappings[{row}].remove" in values or not any(entered.values()):
            continue
        rows.append((row, entered))
    return rows


@routes.post("/console/tax-mappings")
def save() -> Response:
    values = page.form()
    kept = _rows(values)
    revision = form_revision(values)
    entered = [row for _, row in kept]
    try:
        update = TaxMappingsUpdate.model_validate(
            {"mappings": [{k: v or None for k, v in row.items()} for row in entered], "revision": revision}
        )
    except ValidationError as error:
        return _refused(kept, revision, validation_errors(error))
    try:
        services().org_settings.put_tax_mappings(page.visit().org_id, update)
    except InvalidInput as error:
        return _refused(kept, revision, {d.field or "": d.message for d in error.details} or {"": error.message})
    except Conflict as error:
        return _refused(kept, revision, {"": str(error)})
    return page.done("tax-mappings", "tax_saved")


def _refused(kept: list[tuple[int, dict[str, str]]], revision: int | None, errors: Errors) -> Response:
    """The form again as entered: the kept rows are shown in order, so the service's
    ``mappings[i]`` is the i-th row shown, and each message lands next to its field."""
    return _show([row for _, row in kept], revision or 0, errors, HTTPStatus.BAD_REQUEST)
