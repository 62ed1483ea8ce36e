"""Per-org mappings onto document *lines* (F2.4): Xero's own custom dimension, tracking
categories, and the line description — each filled from a host field or custom field of the
document or of the line. Checked against the imported reference data when saved (a tracking
category must be an ACTIVE one of the org's), and again when each record is mapped (its option
must exist). ``OrgSettings.tracking`` and ``OrgSettings.line_mappings`` hold them."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from xero_sync.models.records import DocumentLine, EntityName

DOCUMENTS = (EntityName.INVOICE, EntityName.CREDIT_NOTE, EntityName.BILL, EntityName.VENDOR_CREDIT)
_LINE_FIELDS = frozenset(name for name in DocumentLine.model_fields if name != "custom_fields")
_SOURCE = re.compile(r"^(line\.)?(custom_fields\.[^.\s]+|[a-z_]+)$")

Source = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(
        description="Where the value comes from: a field of the document (reference), one of its custom fields "
        "(custom_fields.region), a field of the line (line.item_code) or one of the line's custom fields "
        "(line.custom_fields.region).",
        examples=["custom_fields.region", "line.custom_fields.store"],
    ),
]


def check_source(source: str, entities: list[EntityName]) -> str:
    """A source is a document field of every entity it applies to, or a line field, or a custom field."""
    match = _SOURCE.fullmatch(source)
    if match is None:
        raise ValueError(
            "source must look like reference, custom_fields.<key>, line.<field> or line.custom_fields.<key>"
        )
    on_line, name = bool(match.group(1)), match.group(2)
    if name.startswith("custom_fields."):
        return source
    if on_line and name not in _LINE_FIELDS:
        raise ValueError(f"line.{name} is not a field of a line; use one of {', '.join(sorted(_LINE_FIELDS))}")
    if not on_line:
        from xero_sync.models.org_config import source_fields  # the document fields overrides may read

        for entity in entities:
            if name not in source_fields(entity):
                raise ValueError(f"{name} is not a field of {entity.value}")
    return source


def check_on_lines(what: str, source: str, entities: list[EntityName]) -> None:
    """A mapping onto lines names documents only, and a source they have."""
    wrong = [e.value for e in entities if e not in DOCUMENTS]
    if wrong or not entities:
        raise ValueError(f"{what} on document lines only; not on {', '.join(wrong) or 'nothing'}")
    check_source(source, entities)


class TrackingMapping(BaseModel):
    """Lines of these documents carry an option of Xero tracking category ``category``, named by
    the value of ``source`` (e.g. custom field ``region`` = "North" → Region: North)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    category: str = Field(
        min_length=1, max_length=100, description="The tracking category's name (or TrackingCategoryID) in Xero."
    )
    source: Source
    entities: list[EntityName] = Field(
        default_factory=lambda: list(DOCUMENTS),
        description="The documents whose lines carry it (default: invoices, credit notes, bills, vendor credits).",
    )

    @model_validator(mode="after")
    def _check(self) -> TrackingMapping:
        check_on_lines("tracking goes", self.source, self.entities)
        return self


class LineMapping(BaseModel):
    """A line's ``Description`` filled from a source of the org's choice instead of the default
    (item name and description)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    xero_field: str = Field(pattern=r"^Description$", description="The line field: Description.")
    source: Source
    entities: list[EntityName] = Field(default_factory=lambda: list(DOCUMENTS))

    @model_validator(mode="after")
    def _check(self) -> LineMapping:
        check_on_lines("line mappings apply", self.source, self.entities)
        return self
