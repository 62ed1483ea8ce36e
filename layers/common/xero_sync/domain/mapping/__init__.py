"""Host record → Xero payload (F3.3, F2.1–F2.4), or the needs-admin problems that stop it.

Every ``map_*`` function is pure: it takes the host record, a :class:`MappingContext` (the org's
settings, tax mappings and Xero reference data) and the Xero ids of the parents already in Xero,
and returns a :class:`Mapped` result::

    result = map_invoice(invoice, ctx, host_id="inv-1042", contact_xero_id="…")
    if result.ok:
        client.put_invoices([to_wire(result.payload)], unitdp=result.unitdp)
    else:
        report(result.problems)          # each with a stable code and an actionable message
    history.note(result.notices)         # e.g. the host's total differs from Xero's

:func:`map_record` dispatches by entity, with the parents' links as :func:`dependencies.resolve`
returns them. :func:`fingerprint` tells whether a new host version changes what Xero holds.

One module per topic, each with its rows of the seeds' field tables:

* :mod:`.contacts` — contacts;
* :mod:`.documents` — invoices, credit notes, bills and vendor credits: one mapper, and a table of
  what differs per kind; :mod:`.lines` — their line items and document-level amounts;
* :mod:`.payments` — payments, refunds, allocations, write-offs and bank charges;
* :mod:`.overrides` — the per-org field mapping overrides (F2.4), applied after the defaults;
* :mod:`.checks` — the one check of accounts and taxes (F2.2, F2.3), which the settings use too;
  :mod:`.collector` gathers one record's problems; :mod:`.base` the context and result types.
"""

from xero_sync.domain.mapping.base import Mapped, MappingContext
from xero_sync.domain.mapping.contacts import MAX_CONTACT_PERSONS, map_contact
from xero_sync.domain.mapping.dispatch import map_record
from xero_sync.domain.mapping.documents import (
    DOCUMENT_KINDS,
    LINE_AMOUNT_TYPES,
    DocumentKind,
    map_document,
    map_invoice,
)
from xero_sync.domain.mapping.fingerprint import fingerprint
from xero_sync.domain.mapping.overrides import apply_field_mappings
from xero_sync.domain.mapping.payments import (
    PAYMENT_KINDS,
    AllocationRequest,
    PaymentKind,
    WriteOffPlan,
    map_allocation,
    map_bank_charge,
    map_payment,
    map_write_off,
)

__all__ = [
    "DOCUMENT_KINDS",
    "LINE_AMOUNT_TYPES",
    "MAX_CONTACT_PERSONS",
    "PAYMENT_KINDS",
    "AllocationRequest",
    "DocumentKind",
    "Mapped",
    "MappingContext",
    "PaymentKind",
    "WriteOffPlan",
    "apply_field_mappings",
    "fingerprint",
    "map_allocation",
    "map_bank_charge",
    "map_contact",
    "map_document",
    "map_invoice",
    "map_payment",
    "map_record",
    "map_write_off",
]
