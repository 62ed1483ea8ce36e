"""Reading collections the way Xero does (xero-facts §5): ``where`` (where.py), ``order``,
paging and ``If-Modified-Since``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from . import wire
from .errors import bad_request, query_error
from .fields import SCHEMAS
from .where import Field, _canonical_name, _comparable, _field_type, compile_where

Record = dict[str, Any]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

__all__ = ["compile_where", "modified_since", "paginate", "parse_if_modified_since", "requested_page", "sort_records"]
# --- order -----------------------------------------------------------------------------------------


def sort_records(records: list[Record], order: str | None, schema_name: str, id_field: str) -> list[Record]:
    """Xero's default order is ``UpdatedDateUTC`` then the record id (stable across pages);
    ``order=Field [DESC], Other`` sorts by those fields first (the default order breaks ties)."""
    result = sorted(records, key=lambda r: (_sort_key(r.get("UpdatedDateUTC")), str(r.get(id_field, ""))))
    if not order or not order.strip():
        return result
    clauses = []
    for part in order.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise query_error(f"Syntax error in order '{order}'")
        path = tuple(words[0].split("."))
        node_schema = schema_name
        canonical = []
        for index, name in enumerate(path):
            field_type = _field_type(node_schema, name)
            canonical.append(_canonical_name(node_schema, name))
            if field_type in SCHEMAS and index < len(path) - 1:
                node_schema = field_type
        clauses.append((Field("", tuple(canonical)), len(words) == 2 and words[1].upper() == "DESC"))
    for field, descending in reversed(clauses):  # stable sorts, last key first
        present = [r for r in result if field.evaluate(r) is not None]
        missing = [r for r in result if field.evaluate(r) is None]
        present.sort(key=lambda r: _sort_key(field.evaluate(r)), reverse=descending)
        result = missing + present if not descending else present + missing
    return result


def _sort_key(value: Any) -> Any:
    comparable = _comparable(value)
    if isinstance(comparable, bool):
        return int(comparable)
    return comparable if comparable is not None else ""


# --- If-Modified-Since --------------------------------------------------------------------------------


def parse_if_modified_since(value: str | None) -> datetime | None:
    """``If-Modified-Since``: ``yyyy-mm-ddThh:mm:ss`` (UTC, what Xero documents), ISO-8601 with
    offset or fraction (what the SDK sends), or an HTTP date. Second precision (xero-facts §5).
    An unreadable value is ignored, as HTTP servers do."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        moment = wire.parse_datetime(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def modified_since(records: list[Record], since: datetime | None) -> list[Record]:
    """Records created or modified at or after ``since``, compared to the second."""
    if since is None:
        return records
    return [r for r in records if r.get("UpdatedDateUTC") and r["UpdatedDateUTC"].replace(microsecond=0) >= since]


# --- paging -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    number: int
    size: int


def requested_page(page: str | None, page_size: str | None) -> Page | None:
    """``page`` (1-based) and ``pageSize`` (default 100, clamped to 1…1000: 5000 → 1000)."""
    if page is None:
        return None
    try:
        number = int(page)
    except ValueError as exc:
        raise bad_request(f"The value '{page}' is not valid for page.") from exc
    size = DEFAULT_PAGE_SIZE
    if page_size is not None:
        try:
            size = int(page_size)
        except ValueError as exc:
            raise bad_request(f"The value '{page_size}' is not valid for pageSize.") from exc
    return Page(max(number, 1), min(max(size, 1), MAX_PAGE_SIZE))


def paginate(records: list[Record], page: Page) -> tuple[list[Record], dict[str, int]]:
    start = (page.number - 1) * page.size
    item_count = len(records)
    pagination = {
        "page": page.number,
        "pageSize": page.size,
        "pageCount": math.ceil(item_count / page.size),
        "itemCount": item_count,
    }
    return records[start : start + page.size], pagination
