"""Settings (F2.1, F2.2): what is exported and from which day, how often, the accounts (chosen from
Xero's chart of accounts, those without a code flagged), the no-tax rate, what is imported and
from which contact groups, the admin emails and their language. Saved through
``OrgSettingsService.put``, as ``PUT /v1/orgs/{org_id}/settings`` is: its refusals appear next to
the fields they name. Fields this page does not show (module toggles, field mappings, allowed
host origins) are kept as they are."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from xero_sync.console.page import Errors, Page, form_revision, form_values, reference_data, save_settings
from xero_sync.console.services import services
from xero_sync.console.web import first
from xero_sync.domain.mapping.checks import ACCOUNT_SETTINGS
from xero_sync.domain.tax import xero_rate_percent
from xero_sync.models.org_config import ExportOptions, Language, OrgSettings, SyncFrequency
from xero_sync.models.reference_data import ReferenceData
from xero_sync.services.connection_gate import require_connected

page = Page("settings")
routes = page.router

EXPORT_OPTIONS = tuple(ExportOptions.model_fields)
FREQUENCIES = tuple(frequency.value for frequency in SyncFrequency)
LANGUAGES = tuple(language.value for language in Language)


def _choices(reference: ReferenceData | None) -> dict[str, Any]:
    """What the selects offer: Xero's active accounts that may go on document lines (not bank
    accounts), the zero rates, the active contact groups."""
    if reference is None:
        return {"accounts": None, "zero_rates": [], "groups": [], "currencies": []}
    accounts = [a for a in reference.accounts if a.is_active and not a.is_bank]
    return {
        "accounts": sorted(accounts, key=lambda a: (a.Code is not None, a.Code or a.Name)),
        "zero_rates": [r for r in reference.tax_rates if r.is_active and xero_rate_percent(r) == 0],
        "groups": [g for g in reference.contact_groups if g.Status == "ACTIVE"],
        "currencies": sorted({c.Code for c in reference.currencies} | {reference.base_currency}),
    }


def _show(settings: OrgSettings, revision: int, errors: Errors, status: int = 200) -> Response:
    reference = reference_data(page.visit().org_id)
    return page.settings_form(
        "settings",
        status,
        settings,
        revision,
        errors,
        account_settings=list(ACCOUNT_SETTINGS),
        export_options=EXPORT_OPTIONS,
        frequencies=FREQUENCIES,
        languages=LANGUAGES,
        **_choices(reference),
    )


@routes.get("/console/settings")
def show() -> Response:
    view = services().org_settings.get(page.visit().org_id)
    problems = {problem.field.removeprefix("settings."): problem.message for problem in view.problems}
    return _show(view.settings, view.revision, problems)


def _body(current: OrgSettings, values: dict[str, list[str]]) -> dict[str, Any]:
    """The saved settings with this form's fields replaced (checkboxes: present = on; a field the
    form did not send keeps its value)."""
    body = current.model_dump(mode="json")

    def entered(name: str) -> str | None:
        return first(values, name) or None if name in values else body[name]

    for name in ("export_from", *ACCOUNT_SETTINGS, "no_tax_type", "base_currency", "document_url_template"):
        body[name] = entered(name)
    for name in ("sync_frequency", "language", "bank_contact_name"):
        body[name] = first(values, name) if name in values else body[name]
    body["export"] = {name: f"export.{name}" in values for name in EXPORT_OPTIONS}
    body["import_options"] = {
        **body["import_options"],
        "customers": "import_options.customers" in values,
        "vendors": "import_options.vendors" in values,
        "contact_group_ids": [group for group in form_values(values, "import_options.contact_group_ids") if group],
    }
    if "admin_emails" in values:
        body["admin_emails"] = [email for email in re.split(r"[\s,;]+", first(values, "admin_emails")) if email]
    return body


@routes.post("/console/settings")
def save() -> Response:
    org_id = page.visit().org_id
    values = page.form()
    current = services().org_settings.current(org_id)
    body = _body(current, values)
    errors = save_settings(org_id, body, form_revision(values))
    if errors is None:
        return page.done("settings", "settings_saved")
    # Show what the admin entered, as far as it can be shown.
    shown = OrgSettings.model_construct(**{**current.model_dump(), **_displayable(body)})
    return _show(shown, form_revision(values) or 0, errors, HTTPStatus.BAD_REQUEST)


def _displayable(body: dict[str, Any]) -> dict[str, Any]:
    """The entered values for re-display (nested options as models, so the template reads them alike)."""
    from xero_sync.models.org_config import ImportOptions

    shown = dict(body)
    shown["export"] = ExportOptions.model_construct(**body["export"])
    shown["import_options"] = ImportOptions.model_construct(**body["import_options"])
    return shown


@routes.post("/console/settings/refresh")
def refresh() -> Response:
    """'Refresh from Xero' (as ``POST /v1/orgs/{org_id}/xero/refresh``): import Xero's lists again
    now; the failed records a change there cures are sent again."""
    app = services()
    org_id = page.visit().org_id
    require_connected(app.connections, org_id)
    result = app.mapping_contexts.refresh(org_id, app.clock())
    return page.done("settings", "refreshed", count=result.requeued)
