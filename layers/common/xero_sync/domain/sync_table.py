"""The action rows of the source documents' sync tables (F3.2), as data, in the seeds' own words:
seed 000 (sales, a billing product) and seed 001 (sales, purchases and bank charges, an inventory
product). ``domain/restrictions.py`` decides what to do with a record from these rows; the
integration tests cover every row against the emulated Xero's state."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xero_sync.models.records import EntityName

SEED_000 = "seeds/000_e89198d27d09b2cf.txt"
SEED_001 = "seeds/001_4f71e89862faadf6.txt"
NO_RESTRICTIONS = "No restrictions"



class HostAction(StrEnum):
    """What the host did, as the sync tables name it."""

    CREATE = "create"  # first upsert of a record not yet in Xero
    UPDATE = "update"  # upsert of a record already in Xero
    DELETE = "delete"  # delete action, or a document upserted with status void


@dataclass(frozen=True)
class SyncRow:
    row_id: str
    seed: str
    host_action_text: str  # "Action in Zoho …"
    xero_effect: str  # "What Happens in Xero"
    sync_type: str
    restriction: str  # "Sync Restrictions"
    entity: EntityName
    action: HostAction


E, A = EntityName, HostAction
_ONE_WAY = "One-way sync"

SYNC_TABLE: tuple[SyncRow, ...] = (
    # --- seed 000: subscription billing, sales ------------------------------------------------
    SyncRow("000-01", SEED_000, "Create a Customer", "Creates a new contact.", "Two-way sync",
            "A contact will be exported only if it’s associated with a transaction after integrating.",
            E.CONTACT, A.CREATE),
    SyncRow("000-02", SEED_000, "Create an invoice", "Creates a new invoice.", _ONE_WAY,
            "Invoices in the draft status won’t be exported.", E.INVOICE, A.CREATE),
    SyncRow("000-03", SEED_000, "Update an invoice", "Updates the corresponding invoice.", _ONE_WAY,
            "The invoice won’t be updated if it has associated payments or credit; it has been voided or written off.",
            E.INVOICE, A.UPDATE),
    SyncRow("000-04", SEED_000, "Delete or void an invoice", "The invoice will be voided.", _ONE_WAY,
            "Invoices that have been written off or associated with a credit note cannot be voided.",
            E.INVOICE, A.DELETE),
    SyncRow("000-05", SEED_000, "Write off an invoice",
            "A credit note will be created, and the credits will be associated with the invoice.", _ONE_WAY,
            NO_RESTRICTIONS, E.WRITE_OFF, A.CREATE),
    SyncRow("000-06", SEED_000, "Record a payment for an invoice",
            "Creates a payment and associates it with the invoice.", _ONE_WAY, NO_RESTRICTIONS,
            E.INVOICE_PAYMENT, A.CREATE),
    SyncRow("000-07", SEED_000, "Update the payment for an invoice",
            "Updates the payment recorded for the corresponding invoice.", _ONE_WAY, NO_RESTRICTIONS,
            E.INVOICE_PAYMENT, A.UPDATE),
    SyncRow("000-08", SEED_000, "Delete the payment associated with an invoice",
            "Deletes payment for the corresponding invoice.", _ONE_WAY, NO_RESTRICTIONS,
            E.INVOICE_PAYMENT, A.DELETE),
    SyncRow("000-09", SEED_000, "Create a credit note", "Creates a new credit note.", _ONE_WAY,
            "Credit notes in the draft status won’t be exported.", E.CREDIT_NOTE, A.CREATE),
    SyncRow("000-10", SEED_000, "Update a credit note", "Updates the corresponding credit note.", _ONE_WAY,
            NO_RESTRICTIONS, E.CREDIT_NOTE, A.UPDATE),
    SyncRow("000-11", SEED_000, "Allocate credits from a credit note to an invoice",
            "Allocates the credits from the corresponding credit note to the specified invoice.", _ONE_WAY,
            NO_RESTRICTIONS, E.CREDIT_NOTE_ALLOCATION, A.CREATE),
    SyncRow("000-12", SEED_000, "Delete a credit note", "Deletes the corresponding credit note.", _ONE_WAY,
            "If you’ve associated the credit note with an invoice, you must remove it.", E.CREDIT_NOTE, A.DELETE),
    SyncRow("000-13", SEED_000, "Create a refund for a credit note",
            "Creates a refund for that corresponding credit note.", _ONE_WAY, NO_RESTRICTIONS,
            E.CREDIT_NOTE_REFUND, A.CREATE),
    SyncRow("000-14", SEED_000, "Update a credit note refund", "Updates the corresponding credit note refund.",
            _ONE_WAY, NO_RESTRICTIONS, E.CREDIT_NOTE_REFUND, A.UPDATE),
    SyncRow("000-15", SEED_000, "Delete a credit note refund", "Deletes the corresponding credit note refund.",
            _ONE_WAY, NO_RESTRICTIONS, E.CREDIT_NOTE_REFUND, A.DELETE),
    # --- seed 001: inventory, sales + purchases + bank charges --------------------------------
    SyncRow("001-01", SEED_001, "Create a contact (customer or vendor)", "Creates a new contact", "Two-way sync",
            "A contact will be exported only if it’s associated with a transaction after integrating.",
            E.CONTACT, A.CREATE),
    SyncRow("001-02", SEED_001, "Create an invoice", "Creates a new invoice", _ONE_WAY,
            "Invoices in the draft status won’t be exported.", E.INVOICE, A.CREATE),
    SyncRow("001-03", SEED_001, "Update an invoice", "Updates the corresponding invoice", _ONE_WAY,
            "The invoice won’t be updated if it has associated payments or credit; it has been voided or written off.",
            E.INVOICE, A.UPDATE),
    SyncRow("001-04", SEED_001, "Delete or void an invoice", "The invoice will be voided.", _ONE_WAY,
            "Invoices that have been written off, or associated with a credit note cannot be voided.",
            E.INVOICE, A.DELETE),
    SyncRow("001-05", SEED_001, "Write off an invoice",
            "A credit note will be created and the credits will be associated with the invoice.", _ONE_WAY,
            NO_RESTRICTIONS, E.WRITE_OFF, A.CREATE),
    SyncRow("001-06", SEED_001, "Record a payment for an invoice",
            "Creates a payment and associates it with the invoice.", _ONE_WAY, NO_RESTRICTIONS,
            E.INVOICE_PAYMENT, A.CREATE),
    SyncRow("001-07", SEED_001, "Record a bank charge",
            "A spend bank transaction will be created and associated with the specified bank.", _ONE_WAY,
            NO_RESTRICTIONS, E.BANK_CHARGE, A.CREATE),
    SyncRow("001-08", SEED_001, "Update the payment for an invoice",
            "Updates the payment recorded for the corresponding invoice", _ONE_WAY, NO_RESTRICTIONS,
            E.INVOICE_PAYMENT, A.UPDATE),
    SyncRow("001-09", SEED_001, "Delete the payment associated with an invoice",
            "Deletes payment for the corresponding invoice", _ONE_WAY, NO_RESTRICTIONS, E.INVOICE_PAYMENT, A.DELETE),
    SyncRow("001-10", SEED_001, "Create a bill", "Creates a new bill", _ONE_WAY,
            "Bills in the draft status won’t be exported", E.BILL, A.CREATE),
    SyncRow("001-11", SEED_001, "Update a bill", "Updates the corresponding bill", _ONE_WAY,
            "The bill won’t be updated if it has payments or debit notes associated with it.", E.BILL, A.UPDATE),
    SyncRow("001-12", SEED_001, "Void or delete a bill", "Voids the corresponding bill", _ONE_WAY,
            "The bill won’t be voided if it is associated with a debit note", E.BILL, A.DELETE),
    SyncRow("001-13", SEED_001, "Record a payment for a bill", "Creates a payment and associates it with the bill",
            _ONE_WAY, NO_RESTRICTIONS, E.BILL_PAYMENT, A.CREATE),
    SyncRow("001-14", SEED_001, "Update the payment associated with a bill",
            "Updates the payment associated with the payment", _ONE_WAY, NO_RESTRICTIONS, E.BILL_PAYMENT, A.UPDATE),
    SyncRow("001-15", SEED_001, "Delete the payment associated with a bill",
            "Deletes the payment associated from corresponding bill", _ONE_WAY, NO_RESTRICTIONS,
            E.BILL_PAYMENT, A.DELETE),
    SyncRow("001-16", SEED_001, "Create a credit note", "Creates a new credit note", _ONE_WAY,
            "Credit notes in the draft status won’t be exported", E.CREDIT_NOTE, A.CREATE),
    SyncRow("001-17", SEED_001, "Update a credit note", "Updates the corresponding credit note", _ONE_WAY,
            NO_RESTRICTIONS, E.CREDIT_NOTE, A.UPDATE),
    SyncRow("001-18", SEED_001, "Allocate credits from a credit note to an invoice",
            "Allocates the credits from the corresponding credit note to the specified invoice.", _ONE_WAY,
            NO_RESTRICTIONS, E.CREDIT_NOTE_ALLOCATION, A.CREATE),
    SyncRow("001-19", SEED_001, "Delete a credit note", "Deletes the corresponding credit note", _ONE_WAY,
            "If you’ve associated the credit note with an invoice, you must remove it.", E.CREDIT_NOTE, A.DELETE),
    SyncRow("001-20", SEED_001, "Create a vendor credit", "Creates a new debit note", _ONE_WAY,
            "Debit notes in the draft status won’t be exported", E.VENDOR_CREDIT, A.CREATE),
    SyncRow("001-21", SEED_001, "Update a vendor credit", "Updates the corresponding debit note", _ONE_WAY,
            NO_RESTRICTIONS, E.VENDOR_CREDIT, A.UPDATE),
    SyncRow("001-22", SEED_001, "Allocate credits from a vendor credit to a bill",
            "Allocates the debits from the corresponding debit note to the specified bill.", _ONE_WAY,
            NO_RESTRICTIONS, E.VENDOR_CREDIT_ALLOCATION, A.CREATE),
    SyncRow("001-23", SEED_001, "Delete a vendor credit", "The debit note will be deleted", _ONE_WAY,
            "You need to de allocate any credits used from the debit note from Xero’s UI",
            E.VENDOR_CREDIT, A.DELETE),
    SyncRow("001-24", SEED_001, "Create a refund for a credit note", "Creates a refund for that corresponding credit note",
            _ONE_WAY, NO_RESTRICTIONS, E.CREDIT_NOTE_REFUND, A.CREATE),
    SyncRow("001-25", SEED_001, "Update a credit note refund", "Updates the corresponding credit note refund",
            _ONE_WAY, NO_RESTRICTIONS, E.CREDIT_NOTE_REFUND, A.UPDATE),
    SyncRow("001-26", SEED_001, "Delete a credit note refund", "Deletes the corresponding credit note refund",
            _ONE_WAY, NO_RESTRICTIONS, E.CREDIT_NOTE_REFUND, A.DELETE),
    SyncRow("001-27", SEED_001, "Create a refund for a vendor credit",
            "Creates a refund for that corresponding vendor credit", _ONE_WAY, NO_RESTRICTIONS,
            E.VENDOR_CREDIT_REFUND, A.CREATE),
    SyncRow("001-28", SEED_001, "Update a vendor credit refund", "Updates the corresponding vendor credit refund",
            _ONE_WAY, NO_RESTRICTIONS, E.VENDOR_CREDIT_REFUND, A.UPDATE),
    SyncRow("001-29", SEED_001, "Delete a vendor credit refund", "Deletes the corresponding vendor credit refund",
            _ONE_WAY, NO_RESTRICTIONS, E.VENDOR_CREDIT_REFUND, A.DELETE),
)

ROWS_BY_ID: dict[str, SyncRow] = {row.row_id: row for row in SYNC_TABLE}


def rows_for(entity: EntityName, action: HostAction) -> tuple[SyncRow, ...]:
    return tuple(row for row in SYNC_TABLE if row.entity is entity and row.action is action)
