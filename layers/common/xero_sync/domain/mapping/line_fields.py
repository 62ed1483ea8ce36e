"""What the org maps onto each line of a document (F2.4): tracking category options and the
line description, from host fields or custom fields of the document or of the line
(``models/line_mappings.py``).

A tracking value must name an ACTIVE option of the category in the imported reference data;
otherwise the record stops with a problem naming the line, the value, the category and its
options — cured by adding the option in Xero (a reference data refresh re-sends the record) or
by changing the host's value. An empty value leaves the line without that category. Document-
level amounts (discount, shipping …) carry the tracking of document-level sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xero_sync.domain.mapping.base import MappingContext
from xero_sync.domain.mapping.collector import Collector
from xero_sync.domain.mapping.overrides import _as_text
from xero_sync.domain.problems import Problem, ProblemCode
from xero_sync.models.line_mappings import LineMapping, TrackingMapping
from xero_sync.models.records import DocumentLine, EntityName
from xero_sync.models.xero_payloads import XeroTracking

TRACKING_SETTINGS = "Settings → Tracking categories"


def source_value(source: str, document: Any, line: DocumentLine | None) -> Any:
    """The value ``source`` names: on the line (``line.…``) or on the document; None when the
    source is a line's and there is no line (a document-level amount)."""
    holder: Any = document
    if source.startswith("line."):
        if line is None:
            return None
        holder, source = line, source.removeprefix("line.")
    if source.startswith("custom_fields."):
        return (getattr(holder, "custom_fields", None) or {}).get(source.removeprefix("custom_fields."))
    return getattr(holder, source, None)


def _text(value: Any) -> str | None:
    try:
        return _as_text(value)
    except TypeError:
        return None


@dataclass
class LineFields:
    entity: EntityName
    document: Any
    ctx: MappingContext
    c: Collector

    @property
    def tracking_mappings(self) -> list[TrackingMapping]:
        return [m for m in self.ctx.settings.tracking if self.entity in m.entities]

    @property
    def line_mappings(self) -> list[LineMapping]:
        return [m for m in self.ctx.settings.line_mappings if self.entity in m.entities]

    def description(self, line: DocumentLine) -> str | None:
        """The line's Description from the org's line mapping, when it gives one."""
        for mapping in self.line_mappings:
            text = _text(source_value(mapping.source, self.document, line))
            if text:
                return text[:4000]
        return None

    def tracking(self, index: int | None, line: DocumentLine | None) -> list[XeroTracking]:
        """The line's tracking options (``index`` None: a document-level amount's line)."""
        found: list[XeroTracking] = []
        for mapping in self.tracking_mappings:
            text = _text(source_value(mapping.source, self.document, line))
            if not text:
                continue
            category = self.ctx.reference.tracking_category(mapping.category)
            if category is None:
                self.c.problem(_no_category(mapping))
                continue
            option = category.option(text)
            if option is None:
                self.c.problem(_no_option(mapping, category.Name, text, [o.Name for o in category.Options], index))
                continue
            found.append(XeroTracking(Name=category.Name, Option=option.Name))
        return found


def _no_category(mapping: TrackingMapping) -> Problem:
    message = (
        f"The tracking mapping names Xero tracking category '{mapping.category}', which Xero does not have (or has "
        f"archived). Restore it in Xero ({TRACKING_SETTINGS}) or change the tracking mapping in the settings, then "
        "retry."
    )
    return Problem(
        code=ProblemCode.UNKNOWN_TRACKING_CATEGORY,
        message=message,
        field="settings.tracking",
        params={"category": mapping.category},
    )


def _no_option(mapping: TrackingMapping, category: str, value: str, options: list[str], index: int | None) -> Problem:
    where = f"Line {index + 1}" if index is not None else "The document"
    field = (
        f"lines[{index}].{mapping.source.removeprefix('line.')}"
        if mapping.source.startswith("line.") and index is not None
        else mapping.source
    )
    message = (
        f"{where}: '{value}' ({mapping.source}) is not an option of Xero's tracking category '{category}' "
        f"(options: {', '.join(options) or 'none'}). Add the option in Xero ({TRACKING_SETTINGS}) or change the "
        "value in the host, then retry."
    )
    return Problem(
        code=ProblemCode.UNKNOWN_TRACKING_OPTION,
        message=message,
        field=field,
        params={"category": category, "value": value},
    )
