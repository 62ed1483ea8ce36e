"""Per-org field mapping overrides (F2.4): which host field fills which Xero field.

``OrgSettings.field_mappings`` names, per entity, a Xero field (one of ``OVERRIDE_TARGETS``) and
the host field that fills it — a field of the record or ``custom_fields.<name>`` — or none, which
clears the default. Overrides apply after the default mapping; a value that cannot go into its
Xero field (a list, empty where Xero requires a value, too long, not matching Xero's pattern) is a
problem that names the mapping.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from xero_sync.domain.mapping.base import plain
from xero_sync.domain.mapping.collector import Collector
from xero_sync.domain.problems import Problem, ProblemCode
from xero_sync.models.org_config import OVERRIDE_TARGETS, FieldMapping, OrgSettings, OverrideTarget
from xero_sync.models.records import EntityName, HostModel

M = TypeVar("M", bound=BaseModel)


def apply_field_mappings(
    payload: M, record: HostModel, entity: EntityName, overrides: list[FieldMapping]
) -> tuple[M, list[Problem]]:
    """Fill the overridden Xero fields of ``payload`` from ``record`` (F2.4). Returns the new
    payload and the problems of values that cannot go into their Xero field."""
    problems: list[Problem] = []
    updates: dict[str, Any] = {}
    targets = OVERRIDE_TARGETS.get(entity, {})
    for mapping in overrides:
        target = targets.get(mapping.xero_field)
        if target is None or mapping.xero_field not in type(payload).model_fields:
            continue
        raw = _source_value(record, mapping.source) if mapping.source else None
        value, problem = _checked_value(raw, mapping, target)
        if problem is not None:
            problems.append(problem)
        else:
            updates[mapping.xero_field] = value
    if updates:
        payload = type(payload).model_validate({**payload.model_dump(), **updates})
    return payload, problems


def apply_overrides(payload: M, record: HostModel, entity: EntityName, settings: OrgSettings, c: Collector) -> M:
    """The org's overrides for ``entity`` applied to ``payload``; their problems go to ``c``."""
    overrides = settings.overrides_for(entity)
    if not overrides:
        return payload
    payload, problems = apply_field_mappings(payload, record, entity, overrides)
    for problem in problems:
        c.problem(problem)
    return payload


def _source_value(record: HostModel, source: str) -> Any:
    if source.startswith("custom_fields."):
        return getattr(record, "custom_fields", {}).get(source.removeprefix("custom_fields."))
    return getattr(record, source, None)


def _as_text(value: Any) -> str | None:
    """A host value as Xero text; None for "nothing"; raises TypeError for objects and lists."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return text or None
    raise TypeError(type(value).__name__)


def _checked_value(raw: Any, mapping: FieldMapping, target: OverrideTarget) -> tuple[str | None, Problem | None]:
    """The text that goes into the Xero field, or the problem that stops it."""
    try:
        value = _as_text(raw)
    except TypeError:
        return None, _not_text(mapping)
    if value is None:
        return None, _required(mapping) if target.required else None
    if len(value) > target.max_length:
        return None, _too_long(mapping, value, target.max_length)
    if target.pattern and not re.fullmatch(target.pattern, value):
        return None, _invalid(mapping, value)
    return value, None


def _problem(code: ProblemCode, mapping: FieldMapping, message: str, **params: str) -> Problem:
    return Problem(
        code=code, message=message, field=mapping.source, params={"xero_field": mapping.xero_field, **params}
    )


def _not_text(mapping: FieldMapping) -> Problem:
    message = (
        f"The field mapping fills Xero's {mapping.xero_field} from {mapping.source}, which holds a list or an "
        "object. Map it from a plain text field instead (field mapping settings)."
    )
    return _problem(ProblemCode.INVALID_VALUE, mapping, message, source=mapping.source or "")


def _required(mapping: FieldMapping) -> Problem:
    message = (
        f"Xero's {mapping.xero_field} is filled from {mapping.source} (field mapping settings), which is empty on "
        "this record. Fill it in the host or change the mapping, then retry."
    )
    return _problem(ProblemCode.REQUIRED_VALUE_MISSING, mapping, message, source=mapping.source or "")


def _too_long(mapping: FieldMapping, value: str, max_length: int) -> Problem:
    message = (
        f"{mapping.source} has {len(value)} characters but Xero's {mapping.xero_field} takes at most {max_length}. "
        "Shorten it in the host or change the field mapping, then retry."
    )
    return _problem(ProblemCode.VALUE_TOO_LONG, mapping, message, max_length=str(max_length))


def _invalid(mapping: FieldMapping, value: str) -> Problem:
    message = (
        f"{mapping.source} ({value!r}) is not a valid value for Xero's {mapping.xero_field}. Correct it in the host "
        "or change the field mapping, then retry."
    )
    return _problem(ProblemCode.INVALID_VALUE, mapping, message, value=value)
