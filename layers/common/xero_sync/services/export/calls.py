"""The Accounting API calls the export worker makes, on top of the tenant client.

Writes go in batches of up to ``BATCH_SIZE`` elements with ``summarizeErrors=false`` (so one bad
record does not fail its batch and every element comes back with its own status, xero-facts
§3.3) and with an ``Idempotency-Key`` derived from what is sent (§4). Documents and bank
transactions are always sent with ``unitdp=4`` so that unit prices with 3–4 decimals keep them
(§6.1); 2-decimal prices are unaffected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xero_sync.models.xero_payloads import json_ready
from xero_sync.xero.client import TenantClient
from xero_sync.xero.elements import ElementResult, parse_element_results

BATCH_SIZE = 50  # Xero's recommended batch (xero-facts §3.2); N2's "≥ 45 records per call"
LOOKUP_CHUNK = 10  # where-clauses per look-up GET: keeps the URL short (§3.2)
IDS_CHUNK = 40  # ids per IDs= filter (§3.2: ~50 GUIDs is the URL's limit)


@dataclass(frozen=True)
class Collection:
    """A Xero collection endpoint and the id field of its elements."""

    name: str  # "Invoices"
    id_field: str  # "InvoiceID"
    unitdp: bool = False


CONTACTS = Collection("Contacts", "ContactID")
INVOICES = Collection("Invoices", "InvoiceID", unitdp=True)
CREDIT_NOTES = Collection("CreditNotes", "CreditNoteID", unitdp=True)
PAYMENTS = Collection("Payments", "PaymentID")
BANK_TRANSACTIONS = Collection("BankTransactions", "BankTransactionID", unitdp=True)
ITEMS = Collection("Items", "ItemID", unitdp=True)


def collection_of(entity: str) -> Collection | None:
    """The collection a host entity is written to (None for allocations and write-offs, which
    have their own endpoints)."""
    return _COLLECTION_OF.get(entity)


_COLLECTION_OF: dict[str, Collection] = {
    "contact": CONTACTS,
    "invoice": INVOICES,
    "bill": INVOICES,
    "credit_note": CREDIT_NOTES,
    "vendor_credit": CREDIT_NOTES,
    "bank_charge": BANK_TRANSACTIONS,
    "invoice_payment": PAYMENTS,
    "bill_payment": PAYMENTS,
    "credit_note_refund": PAYMENTS,
    "vendor_credit_refund": PAYMENTS,
    "item": ITEMS,
}


def idempotency_key(tenant_id: str, operation: str, items: Iterable[tuple[str, int]]) -> str:
    """Derived from (tenant, operation, each record's key and version): the same batch sent
    again within Xero's 6 minutes is answered from Xero's store instead of applied twice."""
    digest = hashlib.sha256()
    digest.update(f"{tenant_id}|{operation}".encode())
    for record, version in sorted(items):
        digest.update(f"|{record}@{version}".encode())
    return f"xs-{digest.hexdigest()}"


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


class XeroCalls:
    def __init__(self, client: TenantClient) -> None:
        self.client = client

    @property
    def tenant_id(self) -> str:
        return self.client.tenant_id

    # --- batch writes ------------------------------------------------------------------------

    def write(
        self, method: str, collection: Collection, elements: list[dict[str, Any]], *, key: str
    ) -> list[ElementResult]:
        """PUT (create) or POST (create-or-update) up to BATCH_SIZE elements; one result per
        element, in request order."""
        params = {"summarizeErrors": "false"}
        if collection.unitdp:
            params["unitdp"] = "4"
        response = self.client.request(
            method,
            f"/{collection.name}",
            params=params,
            json=json_ready({collection.name: elements}),
            idempotency_key=key,
        )
        results = parse_element_results(response.body, collection.name)
        if len(results) != len(elements):
            raise RuntimeError(f"Xero answered {len(results)} elements for {len(elements)} sent to {collection.name}")
        return results

    def delete_payment(self, payment_id: str, *, key: str) -> dict[str, Any]:
        """Xero has no payment edit: a payment is removed with ``{"Status": "DELETED"}``
        (xero-facts §6.2), one per call."""
        response = self.client.post(f"/Payments/{payment_id}", json={"Status": "DELETED"}, idempotency_key=key)
        return _first(response.body, "Payments")

    def allocate(self, credit_note_id: str, allocations: list[dict[str, Any]], *, key: str) -> list[ElementResult]:
        """Apply a credit note to invoices (one credit note per call, several allocations)."""
        response = self.client.put(
            f"/CreditNotes/{credit_note_id}/Allocations",
            params={"summarizeErrors": "false"},
            json=json_ready({"Allocations": allocations}),
            idempotency_key=key,
        )
        return parse_element_results(response.body, "Allocations")

    def delete_allocation(self, credit_note_id: str, allocation_id: str) -> None:
        self.client.delete(f"/CreditNotes/{credit_note_id}/Allocations/{allocation_id}")

    def delete_item(self, item_id: str) -> None:
        """``DELETE /Items/{ItemID}`` (204); documents keep the item's code as text."""
        self.client.delete(f"/Items/{item_id}")

    # --- reads -------------------------------------------------------------------------------

    def get_by_ids(self, collection: Collection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Current state of records by Xero id, ``IDS_CHUNK`` per call."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunks(sorted(set(ids)), IDS_CHUNK):
            response = self.client.get(f"/{collection.name}", params={"IDs": ",".join(chunk)})
            for element in (response.body or {}).get(collection.name, []):
                found[element[collection.id_field]] = element
        return found

    def get_one(self, collection: Collection, xero_id: str) -> dict[str, Any] | None:
        response = self.client.get(f"/{collection.name}/{xero_id}")
        return _first(response.body, collection.name) or None

    def page(
        self, collection: Collection, page: int, *, params: dict[str, str] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of 1000 records and the number of pages (xero-facts §5)."""
        response = self.client.get(
            f"/{collection.name}", params={**(params or {}), "page": str(page), "pageSize": "1000"}
        )
        body = response.body or {}
        pages = int((body.get("pagination") or {}).get("pageCount") or 1)
        return body.get(collection.name, []), pages

    def find(
        self, collection: Collection, conditions: list[str], *, extra: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Records matching any of ``conditions`` (Xero ``where`` clauses), LOOKUP_CHUNK per
        call. Used to find what an unknown outcome may have created, and contacts to link."""
        found: list[dict[str, Any]] = []
        for chunk in chunks(conditions, LOOKUP_CHUNK):
            params = {"where": " OR ".join(f"({condition})" for condition in chunk), **(extra or {})}
            page = 1
            while True:
                response = self.client.get(
                    f"/{collection.name}", params={**params, "page": str(page), "pageSize": "1000"}
                )
                body = response.body or {}
                found.extend(body.get(collection.name, []))
                pagination = body.get("pagination") or {}
                if page >= int(pagination.get("pageCount") or 1):
                    break
                page += 1
        return found


def quote(value: str) -> str:
    """A string literal for a Xero ``where`` clause."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _first(body: Any, collection: str) -> dict[str, Any]:
    items = (body or {}).get(collection) if isinstance(body, dict) else None
    return items[0] if items else {}
