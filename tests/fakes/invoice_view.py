"""In-memory stand-ins for the read view's ports: the cache and pins of dal/invoice_view.py (with
their rules: a put never goes back in time and keeps the listener's change counts; an invalidation marks
only an existing entry; a pin is stored once), and a Xero tenant that serves one organisation's
invoices and credit notes the way ``GET /Invoices`` and ``GET /CreditNotes`` do."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from xero_sync.domain.contact_documents import CachedDocuments, Part, Pin, RecordRef
from xero_sync.xero.client import CallPriority
from xero_sync.xero.errors import XeroNotFound


class InMemoryInvoiceCache:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], CachedDocuments] = {}
        self.puts = 0

    def get(self, org_id: str, xero_contact_id: str) -> CachedDocuments | None:
        return self.entries.get((org_id, xero_contact_id))

    def put(self, entry: CachedDocuments) -> bool:
        self.puts += 1
        key = (entry.org_id, entry.xero_contact_id)
        current = self.entries.get(key)
        if current is not None and any(
            stored is not None and (mine is None or stored > mine)
            for stored, mine in (
                (current.invoices_fetched_at, entry.invoices_fetched_at),
                (current.credit_notes_fetched_at, entry.credit_notes_fetched_at),
            )
        ):
            return False
        if current is not None:  # the change counts are the listener's: a put keeps them
            entry = dataclasses.replace(
                entry, invoices_changes=current.invoices_changes, credit_notes_changes=current.credit_notes_changes
            )
        else:
            entry = dataclasses.replace(entry, invoices_changes=0, credit_notes_changes=0)
        self.entries[key] = entry
        return True

    def invalidate(self, org_id: str, xero_contact_id: str, part: Part, now: datetime) -> bool:
        current = self.entries.get((org_id, xero_contact_id))
        if current is None:
            return False
        if part is Part.INVOICES:
            current = dataclasses.replace(current, invoices_changes=current.invoices_changes + 1)
        else:
            current = dataclasses.replace(current, credit_notes_changes=current.credit_notes_changes + 1)
        self.entries[(org_id, xero_contact_id)] = current
        return True


class InMemoryPins:
    def __init__(self) -> None:
        self.items: dict[tuple[str, RecordRef, str], Pin] = {}

    def pins_of(self, org_id: str, record: RecordRef) -> list[Pin]:
        return [
            pin
            for (org, ref, _), pin in sorted(self.items.items(), key=lambda kv: kv[0][2])
            if (org, ref) == (org_id, record)
        ]

    def put(self, pin: Pin) -> bool:
        key = (pin.org_id, pin.record, pin.document_id)
        if key in self.items:
            return False
        self.items[key] = pin
        return True

    def delete(self, org_id: str, record: RecordRef, document_id: str) -> bool:
        return self.items.pop((org_id, record, document_id), None) is not None


_CONTACT_WHERE = re.compile(r'^Contact\.ContactID==guid\("(?P<id>[0-9a-f-]+)"\)$')


class FakeXeroDocuments:
    """One tenant's contacts, invoices and credit notes as Xero's JSON. ``failures`` holds errors
    the next calls raise (in order), as a rate-limited or unavailable Xero would; ``calls`` is
    every call as (path, params, priority)."""

    def __init__(self, page_size: int = 1000) -> None:
        self.contacts: dict[str, dict[str, Any]] = {}
        self.invoices: list[dict[str, Any]] = []
        self.credit_notes: list[dict[str, Any]] = []
        self.failures: list[Exception] = []
        self.calls: list[tuple[str, dict[str, Any], CallPriority]] = []
        self.page_size = page_size

    def reader(self) -> Callable[[str], FakeXeroDocuments]:
        return lambda org_id: self

    def get(self, path: str, *, params: Any = None, priority: CallPriority = CallPriority.BACKGROUND) -> Any:
        self.calls.append((path, dict(params or {}), priority))
        if self.failures:
            raise self.failures.pop(0)
        collection, _, key = path.strip("/").partition("/")
        if key:
            return self._one(collection, key)
        params = params or {}
        if collection == "Invoices":
            wanted = params["ContactIDs"]
            items = [i for i in self.invoices if i["Contact"]["ContactID"] == wanted]
        else:
            match = _CONTACT_WHERE.match(params["where"])
            assert match, params
            items = [c for c in self.credit_notes if c["Contact"]["ContactID"] == match["id"]]
        page, size = int(params["page"]), min(int(params["pageSize"]), self.page_size)
        chosen = items[(page - 1) * size : page * size]
        pagination = {
            "page": page,
            "pageSize": size,
            "pageCount": max(1, -(-len(items) // size)),
            "itemCount": len(items),
        }
        return SimpleNamespace(status=200, body={collection: copy.deepcopy(chosen), "pagination": pagination})

    def _one(self, collection: str, key: str) -> Any:
        pool = {"Invoices": self.invoices, "CreditNotes": self.credit_notes}.get(collection)
        if pool is None:
            found = [self.contacts[key]] if key in self.contacts else []
        else:
            id_field = "InvoiceID" if collection == "Invoices" else "CreditNoteID"
            found = [d for d in pool if d[id_field] == key]
        if not found:
            raise XeroNotFound("Xero: not found", status=404)
        return SimpleNamespace(status=200, body={collection: copy.deepcopy(found)})

    def reads(self) -> list[str]:
        """The list reads made (paths), in order."""
        return [path for path, params, _ in self.calls if "page" in params]
