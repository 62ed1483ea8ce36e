"""Xero's records as the import's candidates: each mapped to the host's schema, fingerprinted,
and filtered by the org's import options (F2.1) — before anything is read from the tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xero_sync.domain.changes import Resource
from xero_sync.domain.imports.contacts import contact_fingerprint, contact_updated, map_contact
from xero_sync.domain.imports.decide import Seen, contact_wanted
from xero_sync.domain.imports.documents import (
    document_id,
    document_resource,
    document_updated,
    is_voided,
    map_document,
    payment_fingerprint,
    payment_status,
)
from xero_sync.domain.imports.matching import ContactKeys, contact_keys
from xero_sync.domain.imports.wire import amount, fingerprint, iso_time, text
from xero_sync.domain.xero_objects import ObjectKey, Origin, XeroObject
from xero_sync.models.org_config import ImportOptions


@dataclass(frozen=True)
class Candidate:
    """One Xero object as the import read it, ready to be compared with what is known."""

    key: ObjectKey
    state: dict[str, Any]
    seen: Seen
    payment: dict[str, Any] | None = None
    keys: ContactKeys | None = None  # contacts: email and phones, to match
    contact_xero_id: str | None = None  # documents: whose document it is

    @property
    def resource(self) -> Resource:
        return self.key.resource


@dataclass
class Filtered:
    """Candidates, and what the options left out."""

    candidates: list[Candidate] = field(default_factory=list)
    left_out: int = 0


def contact_candidates(
    org_id: str, records: list[dict[str, Any]], options: ImportOptions, region: str | None
) -> Filtered:
    result = Filtered()
    for xero in records:
        state = map_contact(xero)
        wanted = contact_wanted(
            state, customers=options.customers, vendors=options.vendors, contact_group_ids=options.contact_group_ids
        )
        if not wanted or not xero.get("ContactID"):
            result.left_out += 1
            continue
        seen = Seen(contact_fingerprint(state), None, contact_updated(xero), archived=state["status"] != "active")
        key = ObjectKey(org_id, Resource.CONTACT, str(xero["ContactID"]))
        result.candidates.append(Candidate(key, state, seen, keys=contact_keys(state, region)))
    return result


def document_candidates(org_id: str, records: list[dict[str, Any]]) -> Filtered:
    """Every document is a candidate here: whether the host follows its content, its payment
    status or nothing depends on who made it (:func:`tracking`)."""
    result = Filtered()
    for xero in records:
        resource, xero_id = document_resource(xero), document_id(xero)
        if resource is None or not xero_id:
            result.left_out += 1
            continue
        state = map_document(xero)
        payment = {**payment_status(xero), "as_of": document_updated(xero)}
        seen = Seen(
            fingerprint(state),
            payment_fingerprint({k: v for k, v in payment.items() if k != "as_of"}),
            document_updated(xero),
            archived=is_voided(xero),
        )
        contact = (xero.get("Contact") or {}).get("ContactID")
        key = ObjectKey(org_id, resource, str(xero_id))
        result.candidates.append(Candidate(key, state, seen, payment=payment, contact_xero_id=contact))
    return result


def item_candidates(org_id: str, records: list[dict[str, Any]]) -> Filtered:
    """Xero items (F3.10: "can always be imported for viewing")."""
    result = Filtered()
    for xero in records:
        if not xero.get("ItemID"):
            result.left_out += 1
            continue
        state = map_item(xero)
        seen = Seen(fingerprint(state), None, iso_time(xero.get("UpdatedDateUTC")), archived=False)
        result.candidates.append(Candidate(ObjectKey(org_id, Resource.ITEM, str(xero["ItemID"])), state, seen))
    return result


def map_item(xero: dict[str, Any]) -> dict[str, Any]:
    def details(part: dict[str, Any] | None) -> dict[str, Any] | None:
        if not part:
            return None
        return {
            "unit_price": amount(part.get("UnitPrice")),
            "account_code": text(part.get("AccountCode")),
            "xero_tax_type": text(part.get("TaxType")),
        }

    return {
        "code": text(xero.get("Code")),
        "name": text(xero.get("Name")),
        "description": text(xero.get("Description")),
        "purchase_description": text(xero.get("PurchaseDescription")),
        "is_sold": bool(xero.get("IsSold", True)),
        "is_purchased": bool(xero.get("IsPurchased", True)),
        "is_tracked_as_inventory": bool(xero.get("IsTrackedAsInventory")),
        "sales": details(xero.get("SalesDetails")),
        "purchase": details(xero.get("PurchaseDetails")),
        "quantity_on_hand": amount(xero.get("QuantityOnHand")),
    }


def reference_candidate(org_id: str, resource: Resource, xero_id: str, state: dict[str, Any]) -> Candidate:
    """An account, tax rate, currency or contact group (as GET /xero/... shows it)."""
    archived = str(state.get("status") or "ACTIVE").upper() not in ("ACTIVE", "")
    return Candidate(ObjectKey(org_id, resource, xero_id), state, Seen(fingerprint(state), None, None, archived))


def tracking(candidate: Candidate, known: XeroObject | None, options: ImportOptions) -> tuple[bool, bool]:
    """(content, payment): which parts of the object the host follows.

    * Documents the host exported: their payment status (F4.3), and their content too for a
      two-way host (``import_options.documents``).
    * Documents made in Xero: both, for a two-way host only.
    * Everything else (contacts, already filtered by the options; items; reference data): content.
    """
    if candidate.resource not in (Resource.INVOICE, Resource.BILL, Resource.CREDIT_NOTE, Resource.VENDOR_CREDIT):
        return True, False
    if known is not None and known.origin is Origin.EXPORT:
        return options.documents, True
    return options.documents, options.documents
