"""How the import reads Xero (xero-facts §5), through the org's governed tenant client.

* **By id** (webhook events): ``IDs=`` with :data:`IDS_PER_CALL` ids a call (Xero recommends 40,
  URLs give out above ~52 GUIDs), always with ``page=1`` so that Xero sends full records (line
  items, payments, contact groups), and ``includeArchived`` for contacts.
* **Since a time** (polls, the initial and historical imports): ``If-Modified-Since`` with pages
  of :data:`PAGE_SIZE` (Xero's maximum), in Xero's default order (UpdatedDateUTC, then id), so
  10,000 contacts are ten calls.
* Documents are read with ``unitdp=4``, as the export writes them, so that a 4-place unit price
  reads back as it was sent (and the service's own write is recognised as such).

Items and Accounts know ``If-Modified-Since`` but not paging: one call each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from xero_sync.domain.imports.wire import xero_datetime
from xero_sync.models.imports import ImportResource

IDS_PER_CALL = 40
PAGE_SIZE = 1000


class Reader(Protocol):
    """What the import needs of ``TenantClient``."""

    def get(self, path: str, *, params: Any = None, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class Collection:
    name: str  # Xero's path and the answer's key
    id_field: str
    paged: bool = True
    params: tuple[tuple[str, str], ...] = ()


COLLECTIONS: dict[ImportResource, Collection] = {
    ImportResource.CONTACTS: Collection("Contacts", "ContactID", params=(("includeArchived", "true"),)),
    ImportResource.INVOICES: Collection("Invoices", "InvoiceID", params=(("unitdp", "4"),)),
    ImportResource.CREDIT_NOTES: Collection("CreditNotes", "CreditNoteID", params=(("unitdp", "4"),)),
    ImportResource.ITEMS: Collection("Items", "ItemID", paged=False, params=(("unitdp", "4"),)),
}


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    number: int
    last: bool  # no page after this one


def if_modified_since(since: str | None) -> dict[str, str]:
    """Xero wants ``yyyy-mm-ddThh:mm:ss`` in UTC, to the second (xero-facts §5)."""
    moment = xero_datetime(since) if since else None
    return {"If-Modified-Since": moment.strftime("%Y-%m-%dT%H:%M:%S")} if moment else {}


def date_range(date_from: date | None, date_to: date | None) -> str | None:
    """A ``where`` on the document date (historical import, F3.8)."""
    parts = []
    if date_from:
        parts.append(f"Date>=DateTime({date_from.year},{date_from.month:02d},{date_from.day:02d})")
    if date_to:
        parts.append(f"Date<=DateTime({date_to.year},{date_to.month:02d},{date_to.day:02d})")
    return " AND ".join(parts) or None


class ImportReads:
    def __init__(self, client: Reader) -> None:
        self.client = client
        self.calls = 0

    def by_ids(self, resource: ImportResource, ids: Iterable[str]) -> list[dict[str, Any]]:
        collection = COLLECTIONS[resource]
        wanted = sorted(set(ids))
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), IDS_PER_CALL):
            params = {**dict(collection.params), "IDs": ",".join(wanted[start : start + IDS_PER_CALL])}
            if collection.paged:
                params.update(page="1", pageSize=str(PAGE_SIZE))
            found += self._get(collection, params)
        return found

    def pages(
        self,
        resource: ImportResource,
        *,
        since: str | None,
        where: str | None = None,
        first_page: int = 1,
    ) -> Iterator[Page]:
        """Every page modified since ``since`` (None: everything), from ``first_page`` on."""
        collection = COLLECTIONS[resource]
        headers = if_modified_since(since)
        params = dict(collection.params)
        if where:
            params["where"] = where
        if not collection.paged:
            yield Page(self._get(collection, params, headers), 1, True)
            return
        number = first_page
        while True:
            body = self._body(collection, {**params, "page": str(number), "pageSize": str(PAGE_SIZE)}, headers)
            records = list(body.get(collection.name) or [])
            pagination = body.get("pagination") or {}
            page_count = int(pagination.get("pageCount") or 0)
            last = len(records) < PAGE_SIZE if not page_count else number >= page_count
            yield Page(records, number, last)
            if last:
                return
            number += 1

    def reference(self, path: str, collection: str, *, since: str | None = None) -> list[dict[str, Any]]:
        """A reference list (``/Accounts``, ``/TaxRates`` …)."""
        self.calls += 1
        response = self.client.get(path, headers=if_modified_since(since) or None)
        body = response.body if isinstance(response.body, dict) else {}
        return list(body.get(collection) or [])

    def _get(
        self, collection: Collection, params: dict[str, str], headers: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        return list(self._body(collection, params, headers).get(collection.name) or [])

    def _body(self, collection: Collection, params: dict[str, str], headers: dict[str, str] | None) -> dict[str, Any]:
        self.calls += 1
        response = self.client.get(f"/{collection.name}", params=params, headers=headers or None)
        return response.body if isinstance(response.body, dict) else {}


def newest(records: Iterable[dict[str, Any]], current: str | None) -> str | None:
    """The newest UpdatedDateUTC among ``records`` and ``current`` (ISO-8601, Xero's clock)."""
    best: datetime | None = xero_datetime(current) if current else None
    for record in records:
        moment = xero_datetime(record.get("UpdatedDateUTC"))
        if moment and (best is None or moment > best):
            best = moment
    return best.isoformat() if best else None
