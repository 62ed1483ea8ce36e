"""The sync tables of the source documents (F3.2), as data, and the decision they drive.

:data:`SYNC_TABLE` holds every action row of both sync tables — seed 000 (sales, a billing
product) and seed 001 (sales, purchases and bank charges, an inventory product) — with the seed's
own words, so a reader can check them row by row. :func:`decide` takes a record's latest state
and what is known about it in Xero and returns the :class:`Operation` to perform, the reason, and
the ids of the rows that governed it.

Operations, and what each means per kind of Xero record (the service carries them out):

* ``create``: PUT — for every kind (a write-off: a credit note, then its allocation).
* ``update``: POST with the id — documents, bank charges and contacts.
* ``recreate``: payments, refunds, allocations and write-offs: delete the old one, then create
  (Xero never edits payments or allocations, xero-facts §6.2).
* ``void``: documents: POST ``Status: VOIDED``.
* ``delete``: a DRAFT/SUBMITTED document or a bank charge: POST ``Status: DELETED``; a payment:
  POST ``Status: DELETED``; an allocation: DELETE; a write-off: delete the allocation, then void
  the credit note.
* ``skip``: nothing to do, not an error (a draft; a record outside the export settings).
* ``refuse``: a restriction of the sync tables: reported to the admin, not retried until
  something changes.
* ``wait``: the record's children are being removed from Xero first (e.g. its payments); decide
  again after.
* ``noop``: Xero already holds this version (or an older version arrived late).

Decisions where the seeds are silent (each says so in its reason):

* An exported invoice, bill or credit note that goes back to **draft** is skipped: Xero cannot
  take an AUTHORISED document back to DRAFT; it stays as last exported until it is open again.
* Delete/void of a document that was **never exported** has nothing to do (skip).
* A document **voided** in Xero cannot be reopened or updated: refused.
* Voiding a document that still has **payments** in Xero is refused (Xero voids only unpaid
  documents) — or waits while the host's deletion of those payments is on its way.
* Credit notes and vendor credits are **voided** when AUTHORISED (Xero cannot delete them) and
  deleted when still DRAFT/SUBMITTED in Xero.
* **Contacts** are never deleted in Xero (Xero can only archive them; a host delete is skipped).
* A **bank charge** can be updated and deleted (Xero allows both for SPEND transactions);
  a **write-off** update is a recreate, its delete removes the allocation and voids the note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from xero_sync.domain.entities import ENTITIES
from xero_sync.domain.sync_table import HostAction, rows_for
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.records import DocumentStatus, EntityName, RecordAction

E = EntityName


class Operation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    VOID = "void"
    DELETE = "delete"
    RECREATE = "recreate"
    SKIP = "skip"
    REFUSE = "refuse"
    WAIT = "wait"
    NOOP = "noop"


# Why a record is skipped, for the service: a child of a record skipped for one of EXCLUDING_SKIPS
# is skipped too (its parent will never be in Xero); a child of a draft waits (it will be).
SKIP_FAMILY_OFF = "family_off"
SKIP_ACTION_OFF = "action_off"
SKIP_BEFORE_EXPORT_FROM = "before_export_from"
SKIP_DRAFT = "draft"
EXCLUDING_SKIPS = frozenset({SKIP_FAMILY_OFF, SKIP_ACTION_OFF, SKIP_BEFORE_EXPORT_FROM})


# ----------------------------------------------------------------------------------------------
# What is known about a record
# ----------------------------------------------------------------------------------------------


class XeroStatus(StrEnum):
    """Last known status of the linked Xero record."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    AUTHORISED = "AUTHORISED"
    PAID = "PAID"
    VOIDED = "VOIDED"
    DELETED = "DELETED"


@dataclass(frozen=True)
class LinkState:
    """Where the record stands with Xero (the Records table's link, in the current tenant)."""

    xero_id: str | None = None
    exported_version: int | None = None
    exported_action: RecordAction | None = None
    xero_status: XeroStatus | None = None
    exported_fingerprint: str | None = None

    @property
    def exported(self) -> bool:
        return self.xero_id is not None

    @property
    def removed(self) -> bool:
        """Voided or deleted in Xero (by us or by someone in Xero)."""
        return self.xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED)


NEVER_EXPORTED = LinkState()


@dataclass(frozen=True)
class RecordFacts:
    """Facts about the record's neighbours, computed by the service from its links.

    * ``referenced`` — contacts: a transaction refers to it (sync tables, "Create a contact").
    * ``has_payments`` — documents: payments (or refunds) of it are in Xero.
    * ``has_credits`` — invoices/bills: a credit note / vendor credit is allocated to it in Xero or
      was raised against it in the host ("associated with a credit note" / "debit notes").
    * ``written_off`` — invoices: a write-off of it is in Xero.
    * ``has_allocations`` — credit notes / vendor credits: allocated to an invoice/bill in Xero.
    * ``child_removals_pending`` — some of the above are deleted in the host and their removal
      from Xero is under way: a blocked action waits instead of being refused.
    """

    referenced: bool = False
    has_payments: bool = False
    has_credits: bool = False
    written_off: bool = False
    has_allocations: bool = False
    child_removals_pending: bool = False


@dataclass(frozen=True)
class Decision:
    operation: Operation
    reason: str
    rows: tuple[str, ...] = ()  # ids of the SYNC_TABLE rows that governed the decision
    code: str | None = None  # machine-readable cause of a skip: see SKIP_* below

    @property
    def refused(self) -> bool:
        return self.operation is Operation.REFUSE

    @property
    def sends_to_xero(self) -> bool:
        return self.operation in (
            Operation.CREATE,
            Operation.UPDATE,
            Operation.VOID,
            Operation.DELETE,
            Operation.RECREATE,
        )


# ----------------------------------------------------------------------------------------------
# The decision
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    entity: EntityName
    action: RecordAction
    data: Any
    link: LinkState
    facts: RecordFacts
    host_action: HostAction
    label: str


def host_action_of(entity: EntityName, action: RecordAction, data: BaseModel | None, link: LinkState) -> HostAction:
    """Name what the host did the way the sync tables do."""
    if action is RecordAction.DELETE or getattr(data, "status", None) is DocumentStatus.VOID:
        return HostAction.DELETE
    return HostAction.UPDATE if link.exported else HostAction.CREATE


def decide(
    entity: EntityName | str,
    action: RecordAction,
    data: BaseModel | None,
    version: int,
    link: LinkState = NEVER_EXPORTED,
    facts: RecordFacts = RecordFacts(),
    *,
    settings: OrgSettings | None = None,
    new_fingerprint: str | None = None,
    label: str | None = None,
) -> Decision:
    """The Xero operation for a record's latest state.

    ``settings`` applies the org's choices (families exported, create/update/delete toggles,
    export-from date); ``new_fingerprint`` (``mapping.fingerprint`` of the new payload) turns an
    update that changes nothing in Xero into a ``noop``; ``label`` names the record in messages
    when ``data`` has no number (a delete)."""
    entity = EntityName(entity)
    host_action = host_action_of(entity, action, data, link)
    rows = tuple(row.row_id for row in rows_for(entity, host_action))
    number = getattr(data, "number", None)
    case = _Case(entity, action, data, link, facts, host_action, label or number or "")

    if link.exported_version is not None:
        if version < link.exported_version:
            return Decision(
                Operation.NOOP, f"Version {version} is older than version {link.exported_version} already in Xero."
            )
        if version == link.exported_version and link.exported_action is action:
            return Decision(Operation.NOOP, f"Version {version} is already in Xero.")

    if settings is not None:
        gate = _settings_gate(case, settings)
        if gate is not None:
            return replace(gate, rows=rows)

    decision = _RULES[entity](case)
    if (
        decision.operation in (Operation.UPDATE, Operation.RECREATE)
        and new_fingerprint is not None
        and new_fingerprint == link.exported_fingerprint
    ):
        decision = Decision(Operation.NOOP, "Nothing that Xero holds has changed since the last export.")
    return replace(decision, rows=rows)


def _noun(case: _Case) -> str:
    noun = case.entity.value.replace("_", " ")
    return f"{noun} {case.label}" if case.label else f"this {noun}"


def _cap(text: str) -> str:
    """Upper-case the first letter only ("invoice INV-1" → "Invoice INV-1")."""
    return text[:1].upper() + text[1:]


def _settings_gate(case: _Case, settings: OrgSettings) -> Decision | None:
    spec = ENTITIES[case.entity]
    if not settings.export.enabled(spec.family):
        return Decision(
            Operation.SKIP,
            f"Exporting {spec.family.value.replace('_', ' ')} is turned off in the settings.",
            code=SKIP_FAMILY_OFF,
        )
    toggles = settings.toggles(spec.family)
    allowed = {HostAction.CREATE: toggles.create, HostAction.UPDATE: toggles.update, HostAction.DELETE: toggles.delete}
    if not allowed[case.host_action]:
        return Decision(
            Operation.SKIP,
            f"Sending {case.host_action.value}s of {spec.family.value.replace('_', ' ')} to Xero "
            "is turned off in the settings.",
            code=SKIP_ACTION_OFF,
        )
    record_date = getattr(case.data, "date", None)
    if (
        spec.root_document
        and case.host_action is HostAction.CREATE
        and settings.export_from is not None
        and record_date is not None
        and record_date < settings.export_from
    ):
        return Decision(
            Operation.SKIP,
            f"Dated {record_date.isoformat()}, before the export-from date {settings.export_from.isoformat()}.",
            code=SKIP_BEFORE_EXPORT_FROM,
        )
    return None


# --- contacts ---------------------------------------------------------------------------------


def _contact(case: _Case) -> Decision:
    if case.host_action is HostAction.DELETE:
        return Decision(Operation.SKIP, "Contacts are not deleted in Xero (Xero can only archive them).")
    if case.link.exported:
        return Decision(Operation.UPDATE, "Contacts sync both ways: the contact is updated in Xero.")
    if not case.facts.referenced:
        # Rows 000-01 / 001-01.
        return Decision(
            Operation.SKIP,
            "A contact will be exported only if it’s associated with a transaction after integrating.",
        )
    return Decision(Operation.CREATE, "A transaction refers to this contact: it is created in Xero.")


# --- documents: invoices, bills, credit notes, vendor credits ---------------------------------


def _blocked_or_wait(case: _Case, reason: str) -> Decision:
    if case.facts.child_removals_pending:
        return Decision(Operation.WAIT, f"{reason} Waiting for their removal from Xero, which is under way.")
    return Decision(Operation.REFUSE, reason)


def _document_upsert(case: _Case, update_blocked: str | None) -> Decision:
    noun = _noun(case)
    if case.data.status is DocumentStatus.DRAFT:
        if not case.link.exported:
            return Decision(
                Operation.SKIP, f"Drafts are not exported: {noun} will be exported once it is open.", code=SKIP_DRAFT
            )
        return Decision(
            Operation.SKIP,
            f"{_cap(noun)} went back to draft, but it is already approved in Xero, which cannot take it "
            "back to draft. Xero keeps the last exported version until it is open again.",
        )
    if not case.link.exported:
        return Decision(Operation.CREATE, f"{_cap(noun)} is created in Xero.")
    if case.link.removed:
        return Decision(
            Operation.REFUSE,
            f"{_cap(noun)} was voided in Xero, where a voided document cannot be reopened or changed. "
            "Create a new one in the host instead.",
        )
    if update_blocked is not None:
        return _blocked_or_wait(case, update_blocked)
    return Decision(Operation.UPDATE, f"{_cap(noun)} is updated in Xero.")


def _document_removal(case: _Case, removal_blocked: str | None, *, voids: str) -> Decision:
    noun = _noun(case)
    if not case.link.exported:
        return Decision(Operation.SKIP, f"{_cap(noun)} was never exported, so there is nothing to remove in Xero.")
    if case.link.removed:
        return Decision(Operation.NOOP, f"{_cap(noun)} is already voided in Xero.")
    if removal_blocked is not None:
        return _blocked_or_wait(case, removal_blocked)
    if case.facts.has_payments or case.link.xero_status is XeroStatus.PAID:
        return _blocked_or_wait(
            case,
            f"{_cap(noun)} has payments in Xero, and Xero voids only documents without payments. "
            "Delete the payments first, then retry.",
        )
    if case.link.xero_status in (XeroStatus.DRAFT, XeroStatus.SUBMITTED):
        return Decision(Operation.DELETE, f"{_cap(noun)} is still a draft in Xero: it is deleted.")
    return Decision(Operation.VOID, voids)


def _invoice(case: _Case) -> Decision:
    facts, noun = case.facts, _noun(case)
    if case.host_action is HostAction.DELETE:
        # Rows 000-04 / 001-04: "Invoices that have been written off or associated with a credit
        # note cannot be voided."
        blocked = None
        if facts.written_off or facts.has_credits:
            cause = "has been written off" if facts.written_off else "is associated with a credit note"
            blocked = (
                f"{_cap(noun)} was not voided in Xero because it {cause}: invoices that have been written "
                "off or associated with a credit note cannot be voided. Remove the write-off or credit allocation "
                "first, then retry."
            )
        return _document_removal(case, blocked, voids="The invoice will be voided.")
    # Rows 000-03 / 001-03: "The invoice won't be updated if it has associated payments or credit;
    # it has been voided or written off."
    blocked = None
    if case.link.exported and (
        facts.written_off or facts.has_payments or facts.has_credits or case.link.xero_status is XeroStatus.PAID
    ):
        cause = "has been written off" if facts.written_off else "has associated payments or credit"
        blocked = (
            f"{_cap(noun)} was not updated in Xero because it {cause}. Remove them first, or make the "
            "change directly in Xero."
        )
    return _document_upsert(case, blocked)


def _bill(case: _Case) -> Decision:
    facts, noun = case.facts, _noun(case)
    if case.host_action is HostAction.DELETE:
        # Row 001-12: "The bill won't be voided if it is associated with a debit note".
        blocked = None
        if facts.has_credits:
            blocked = (
                f"{_cap(noun)} was not voided in Xero because it is associated with a debit note (vendor "
                "credit). Remove the allocation first, then retry."
            )
        return _document_removal(case, blocked, voids="Voids the corresponding bill.")
    # Row 001-11: "The bill won't be updated if it has payments or debit notes associated with it."
    blocked = None
    if case.link.exported and (facts.has_payments or facts.has_credits or case.link.xero_status is XeroStatus.PAID):
        blocked = (
            f"{_cap(noun)} was not updated in Xero because it has payments or debit notes associated "
            "with it. Remove them first, or make the change directly in Xero."
        )
    return _document_upsert(case, blocked)


def _credit_document(*, allocated: str, voids: str) -> Callable[[_Case], Decision]:
    """The rule of credit notes and vendor credits (debit notes), which differ only in words:
    removing one is blocked while it is allocated (``allocated`` says why, after the noun);
    updating one has no restrictions."""

    def rule(case: _Case) -> Decision:
        if case.host_action is HostAction.DELETE:
            blocked = f"{_cap(_noun(case))} {allocated}" if case.facts.has_allocations else None
            return _document_removal(case, blocked, voids=voids)
        return _document_upsert(case, None)

    return rule


# Delete: rows 000-12 / 001-19, "If you've associated the credit note with an invoice, you must
# remove it." Xero cannot delete an AUTHORISED credit note, only void it (xero-facts §6.3).
# Update: rows 000-10 / 001-17, no restrictions.
_credit_note = _credit_document(
    allocated="is allocated to an invoice in Xero. If you’ve associated the credit note with an invoice, "
    "you must remove it: delete the allocation, then retry.",
    voids="The credit note is voided (Xero cannot delete an approved one).",
)

# Delete: row 001-23, "You need to de allocate any credits used from the debit note from Xero's UI".
# Update: row 001-21, no restrictions.
_vendor_credit = _credit_document(
    allocated="has credits allocated to bills in Xero. You need to de-allocate any credits used from the "
    "debit note (in Xero, or by removing the allocation in the host), then retry.",
    voids="The debit note is voided (Xero cannot delete an approved one).",
)


# --- payments, refunds, allocations, write-offs -----------------------------------------------


def _replaceable(case: _Case) -> Decision:
    """Records Xero can create and remove but never edit (payments, refunds, allocations,
    write-offs): an update is delete + create (xero-facts §6.2)."""
    noun = _noun(case)
    if case.host_action is HostAction.DELETE:
        return _plain_delete(case, done="removed from Xero")
    if not case.link.exported or case.link.removed:
        return Decision(Operation.CREATE, f"{_cap(noun)} is created in Xero.")
    return Decision(
        Operation.RECREATE,
        f"Xero cannot edit an existing {case.entity.value.replace('_', ' ')}: the old one is removed and the "
        "new version created.",
    )


# --- bank charges -----------------------------------------------------------------------------


def _bank_charge(case: _Case) -> Decision:
    # Row 001-07 covers creation; updates and deletes follow what Xero allows for SPEND
    # transactions (xero-facts §6.4).
    if case.host_action is HostAction.DELETE:
        return _plain_delete(case, done="deleted in Xero")
    if not case.link.exported or case.link.removed:
        return Decision(
            Operation.CREATE, "A spend bank transaction will be created and associated with the specified bank."
        )
    return Decision(Operation.UPDATE, f"{_cap(_noun(case))} is updated in Xero.")


def _plain_delete(case: _Case, *, done: str) -> Decision:
    """A host delete of a record Xero can simply delete (no void, no restriction): ``done`` says
    what happens to it in Xero ("removed from Xero", "deleted in Xero")."""
    noun = _noun(case)
    if not case.link.exported:
        return Decision(Operation.SKIP, f"{_cap(noun)} was never exported, so there is nothing to delete.")
    if case.link.removed:
        return Decision(Operation.NOOP, f"{_cap(noun)} is already {done}.")
    return Decision(Operation.DELETE, f"{_cap(noun)} is {done}.")


# --- items (F3.10) -----------------------------------------------------------------------------


def _item(case: _Case) -> Decision:
    """Seed 002's products module: created, updated and deleted in Xero as the toggles allow;
    Xero keys items by code, so a create of a code Xero already has updates that item."""
    if case.host_action is HostAction.DELETE:
        return _plain_delete(case, done="deleted in Xero")
    if case.link.exported:
        return Decision(Operation.UPDATE, f"Item {case.label or ''} is updated in Xero.".replace("  ", " "))
    return Decision(Operation.CREATE, "The item is created in Xero (or updated there when Xero has its code).")


_RULES = {
    E.CONTACT: _contact,
    E.INVOICE: _invoice,
    E.BILL: _bill,
    E.CREDIT_NOTE: _credit_note,
    E.VENDOR_CREDIT: _vendor_credit,
    E.INVOICE_PAYMENT: _replaceable,
    E.BILL_PAYMENT: _replaceable,
    E.CREDIT_NOTE_REFUND: _replaceable,
    E.VENDOR_CREDIT_REFUND: _replaceable,
    E.CREDIT_NOTE_ALLOCATION: _replaceable,
    E.VENDOR_CREDIT_ALLOCATION: _replaceable,
    E.WRITE_OFF: _replaceable,
    E.BANK_CHARGE: _bank_charge,
    E.ITEM: _item,
}
