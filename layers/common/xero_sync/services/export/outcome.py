"""What happened to one record in an export attempt, and the small rules that name it: a failure
classified for the admin, and what to keep about the Xero record beside its id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xero_sync.models.records import EntityName
from xero_sync.services.export.failures import classify
from xero_sync.services.export.plan import Work


@dataclass
class Outcome:
    """What happened to one record in this attempt."""

    work: Work
    kind: str  # synced | failed | retry | lost
    xero_id: str | None = None
    refs: dict[str, Any] = field(default_factory=dict)
    message: str | None = None
    code: str | None = None
    needs_admin: bool = False
    outcome_unknown: bool = False
    retry_after: float | None = None
    not_sent: bool = False  # the rate governor held the call: Xero never saw it, no attempt is spent
    linked_existing: bool = False
    element: dict[str, Any] | None = None  # Xero's answer for the record (contacts and documents)


def failed(work: Work, messages: list[str]) -> Outcome:
    """Xero refused the record: the cause in the admin's words (failures.py)."""
    failure = classify(messages, label=work.view.title)
    return Outcome(work, "failed", code=failure.code, message=failure.message, needs_admin=True)


def refs_of(work: Work, element: dict[str, Any]) -> dict[str, Any]:
    """What to keep about the Xero record beside its id: its status, and for documents their
    number and contact (children need them: a write-off's credit note goes to the same contact)."""
    refs: dict[str, Any] = {}
    if element.get("Status"):
        refs["status"] = element["Status"]
    number = element.get("InvoiceNumber") or element.get("CreditNoteNumber")
    if number:
        refs["number"] = number
    contact = element.get("Contact") or {}
    if contact.get("ContactID"):
        refs["contact_id"] = contact["ContactID"]
    if work.view.entity is EntityName.CONTACT and element.get("Name"):
        refs["name"] = element["Name"]
    return refs


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
