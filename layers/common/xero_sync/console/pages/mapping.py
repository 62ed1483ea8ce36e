"""Field mapping and module toggles (F2.4, F3.11): per family, which host actions (create, update,
delete) reach Xero; per Xero field that may be re-mapped (``OVERRIDE_TARGETS``), which host field
fills it — the default, another field, a custom field, or nothing. Both are parts of the org's
settings and are saved through ``OrgSettingsService.put`` with the rest of them unchanged."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from xero_sync.console.page import Errors, Page, form_revision, save_settings
from xero_sync.console.services import services
from xero_sync.console.web import first
from xero_sync.domain.families import Family
from xero_sync.models.org_config import OVERRIDE_TARGETS, ActionToggles, OrgSettings, source_fields

page = Page("field-mapping")
routes = page.router

ACTIONS = tuple(ActionToggles.model_fields)
DEFAULT, NOTHING, CUSTOM = "", "__none__", "__custom__"
TARGETS = [(entity, field, target) for entity, fields in OVERRIDE_TARGETS.items() for field, target in fields.items()]


def _key(entity: str, xero_field: str) -> str:
    return f"fm.{entity}.{xero_field}"


def _current(settings: OrgSettings) -> dict[str, dict[str, str]]:
    """Per form key, what the select and the custom field show."""
    chosen: dict[str, dict[str, str]] = {}
    for mapping in settings.field_mappings:
        source = mapping.source
        if source is None:
            value = {"choice": NOTHING, "custom": ""}
        elif source.startswith("custom_fields."):
            value = {"choice": CUSTOM, "custom": source.removeprefix("custom_fields.")}
        else:
            value = {"choice": source, "custom": ""}
        chosen[_key(mapping.entity.value, mapping.xero_field)] = value
    return chosen


def _show(settings: OrgSettings, revision: int, errors: Errors, status: int = 200, entered: Any = None) -> Response:
    return page.settings_form(
        "mapping",
        status,
        settings,
        revision,
        errors,
        families=[family.value for family in Family],
        actions=ACTIONS,
        toggles={family.value: settings.toggles(family) for family in Family},
        targets=[
            {
                "entity": entity.value,
                "field": field,
                "key": _key(entity.value, field),
                "required": target.required,
                "description": target.description,
                "sources": source_fields(entity),
            }
            for entity, field, target in TARGETS
        ],
        chosen=entered if entered is not None else _current(settings),
        DEFAULT=DEFAULT,
        NOTHING=NOTHING,
        CUSTOM=CUSTOM,
    )


@routes.get("/console/field-mapping")
def show() -> Response:
    view = services().org_settings.get(page.visit().org_id)
    return _show(view.settings, view.revision, {})


def _entered(values: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    return {
        _key(entity.value, field): {
            "choice": first(values, _key(entity.value, field)),
            "custom": first(values, f"{_key(entity.value, field)}.custom"),
        }
        for entity, field, _ in TARGETS
    }


def _mappings(entered: dict[str, dict[str, str]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The field mappings the form asks for, and the form key of each (for its errors)."""
    mappings, keys = [], []
    for entity, field, _ in TARGETS:
        key = _key(entity.value, field)
        choice = entered[key]["choice"]
        if choice == DEFAULT:
            continue
        if choice == NOTHING:
            source: str | None = None
        elif choice == CUSTOM:
            source = f"custom_fields.{entered[key]['custom']}"
        else:
            source = choice
        mappings.append({"entity": entity.value, "xero_field": field, "source": source})
        keys.append(key)
    return mappings, keys


@routes.post("/console/field-mapping")
def save() -> Response:
    org_id = page.visit().org_id
    values = page.form()
    current = services().org_settings.current(org_id)
    body = current.model_dump(mode="json")
    body["actions"] = {
        family.value: {action: f"actions.{family.value}.{action}" in values for action in ACTIONS} for family in Family
    }
    entered = _entered(values)
    body["field_mappings"], keys = _mappings(entered)
    errors = save_settings(org_id, body, form_revision(values))
    if errors is None:
        return page.done("field-mapping", "mapping_saved")
    shown: Errors = {}
    for field, message in errors.items():
        index = field.removeprefix("field_mappings[").split("]", 1)[0]
        shown[keys[int(index)] if field.startswith("field_mappings[") and index.isdigit() else field] = message
    return _show(current, form_revision(values) or 0, shown, HTTPStatus.BAD_REQUEST, entered)
