"""What every page module shares: its router, the visit (session, org, language) of the request,
rendering a page with the layout's context, and turning a service's errors into messages next to
the form fields they name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import ValidationError

from xero_sync.console.render import Words, render_html
from xero_sync.console.services import services
from xero_sync.console.web import Visit, current_visit, form, page_url, redirect
from xero_sync.models.api import ErrorDetail
from xero_sync.models.api_export import OrgSettingsUpdate, field_path
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.reference_data import ReferenceData
from xero_sync.services.errors import Conflict, InvalidInput
from xero_sync.xero.errors import XeroError

NAV = (
    ("connection", "nav.connection"),
    ("settings", "nav.settings"),
    ("tax-mappings", "nav.tax"),
    ("field-mapping", "nav.mapping"),
    ("history", "nav.history"),
)

Errors = dict[str, str]
"""Messages by form field name (the setting's dotted path, e.g. ``export_from``,
``mappings[1].xero_tax_type``); ``""`` for the form as a whole."""


class Page:
    """One area of the console: its routes and how it renders."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.router = APIGatewayHttpRouter()

    def visit(self) -> Visit:
        return current_visit()

    def words(self) -> Words:
        return Words(self.visit().language)

    def query(self, name: str, default: str = "") -> str:
        value = (self.router.current_event.query_string_parameters or {}).get(name)
        return value.strip() if value else default

    def form(self) -> dict[str, list[str]]:
        return form(self.router.current_event)

    def render(self, template: str, status: int = 200, *, embedded_page: bool = False, **context: Any) -> Response:
        visit = self.visit()
        words = Words(visit.language)
        done = self.query("done")
        notice = words.t(f"done.{done}", **_notice_params(self.router.current_event)) if done else None
        if notice == f"done.{done}":
            notice = None  # an unknown key in the address: show nothing rather than the key
        return render_html(
            visit.language,
            template,
            status,
            visit=visit,
            csrf_token=visit.csrf_token,
            nav=NAV,
            current=self.name,
            notice=notice,
            return_url=visit.session.return_url,
            embedded_page=embedded_page,
            tenant_name=_tenant_name(visit.org_id),
            **context,
        )

    def settings_form(
        self, template: str, status: int, settings: OrgSettings, revision: int, errors: Errors, **context: Any
    ) -> Response:
        """A page that edits part of the org's settings: the settings, the revision they were read
        at (sent back for optimistic concurrency) and the errors by field."""
        return self.render(template, status, settings=settings, revision=revision, errors=errors, **context)

    def listing_links(self, path: str, filters: Mapping[str, str], next_cursor: str | None) -> dict[str, Any]:
        """A paged list's addresses, each keeping the filters: the next page, the first page (when
        on a later one) and this one (where a form on it returns to)."""
        kept = {name: value for name, value in filters.items() if value}
        cursor = self.query("cursor") or None
        return {
            "next_url": page_url(path, cursor=next_cursor, **kept) if next_cursor else None,
            "first_url": page_url(path, **kept) if cursor else None,
            "here": page_url(path, cursor=cursor, **kept),
        }

    def done(self, path: str, key: str, **query: Any) -> Response:
        """After a successful POST: 303 to the page, which shows the ``done.<key>`` message."""
        return redirect(page_url(path, done=key, **query))


def _notice_params(event: Any) -> dict[str, str]:
    query = event.query_string_parameters or {}
    return {name: query.get(name, "") for name in ("count", "warnings")}


def _tenant_name(org_id: str) -> str | None:
    connection = services().connections.get(org_id)
    return connection.tenant_name if connection is not None and connection.tenant_id else None


# --- errors next to the fields --------------------------------------------------------------------


def detail_errors(details: Iterable[ErrorDetail], *, strip: str = "") -> Errors:
    """A service's ``InvalidInput`` details by field, without a leading ``strip`` (``settings.``)."""
    errors: Errors = {}
    for detail in details:
        field = (detail.field or "").removeprefix(strip)
        errors.setdefault(field, detail.message)
    return errors


def validation_errors(error: ValidationError, *, prefix: Sequence[str | int] = ()) -> Errors:
    """Pydantic's errors by field path (``export_from``, ``mappings[0].host_rate``)."""
    errors: Errors = {}
    for item in error.errors():
        location = [*prefix, *item.get("loc", ())]
        errors.setdefault(field_path([part for part in location if part != "__root__"]), item.get("msg", "invalid"))
    return errors


def form_values(values: Mapping[str, list[str]], name: str) -> list[str]:
    return [value.strip() for value in values.get(name, [])]


def form_revision(values: Mapping[str, list[str]]) -> int | None:
    text = (values.get("revision") or [""])[0].strip()
    return int(text) if text.isdigit() else None


def save_settings(org_id: str, body: dict[str, Any], revision: int | None) -> Errors | None:
    """Save the org's settings through the same service as ``PUT /v1/orgs/{org_id}/settings``;
    the errors by field when it refuses (None when saved)."""
    try:
        settings = OrgSettings.model_validate(body)
    except ValidationError as error:
        return validation_errors(error)
    try:
        services().org_settings.put(org_id, OrgSettingsUpdate(settings=settings, revision=revision))
    except InvalidInput as error:
        return detail_errors(error.details, strip="settings.") or {"": error.message}
    except Conflict as error:
        return {"": str(error)}
    return None


def reference_data(org_id: str) -> ReferenceData | None:
    """Xero's chart of accounts, tax rates and contact groups as last imported (imported now if
    never, when the org is connected); None when there is nothing to offer yet."""
    try:
        return services().reference_data.load_or_import(org_id)
    except (Conflict, XeroError):
        return None
