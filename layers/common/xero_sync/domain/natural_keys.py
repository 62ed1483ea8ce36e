"""How the service finds in Xero what it already created, after an unknown outcome (N1).

Xero's idempotency keys live 6 minutes (xero-facts §4); after a crash or a time-out the service
must *look before it creates again*. Each kind of Xero record is found by a key the service
writes into it:

| host entity | Xero record | found by |
| --- | --- | --- |
| contact | Contact | ``ContactNumber`` (:func:`contact_number`), then Name / email (F3.6) |
| invoice | ACCREC Invoice | ``InvoiceNumber`` = host number (unique in Xero) |
| bill | ACCPAY Invoice | ``InvoiceNumber`` = bill # **and** the vendor's ContactID (not unique alone) |
| credit_note | ACCRECCREDIT | ``CreditNoteNumber`` = host number (unique) |
| vendor_credit | ACCPAYCREDIT | ``CreditNoteNumber`` + ContactID (not unique alone) |
| write_off | ACCRECCREDIT | ``CreditNoteNumber`` = :func:`write_off_number` |
| invoice/bill payment, credit-note/vendor-credit refund | Payment | reference stamp in ``Reference`` |
| bank_charge | SPEND BankTransaction | reference stamp in ``Reference`` |
| allocations | Allocation | the credit note's allocations to that invoice with that amount and date |

**ContactNumber.** The host's ``contact_number`` when it sends one (it is "used to identify
contacts in external systems", ≤ 50 characters, writable only through the API). When it sends
none, the service derives ``XS-`` + the record key below: stable, unique per org and host id,
and never something a person typed in Xero.

**Reference stamp.** Records without a unique natural key carry ``[xs:<key>]`` at the end of
their ``Reference``, after the host's own reference: ``"Direct debit [xs:k7q2m4x9ab]"``. ``<key>``
is 10 lower-case base-32 characters of SHA-256 over (org id, entity, host id): short enough to
leave room for the host's text, long enough (50 bits) never to collide within an org, and free of
characters Xero could mangle. The version is deliberately not part of it, so that the stamp — and
with it the payload fingerprint — does not change when only the host's version number does. An
update of a payment deletes the old payment first (DELETED payments are ignored by the look-up),
so at most one live Xero record carries a given stamp.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from xero_sync.models.records import EntityName

KEY_LENGTH = 10
REFERENCE_MAX_LENGTH = 255  # Xero documents 255 for invoice references; assumed for payments too
CONTACT_NUMBER_MAX_LENGTH = 50  # xero-facts §6.5
_STAMP = re.compile(rf"\[xs:([a-z2-7]{{{KEY_LENGTH}}})\]\s*$")


def record_key(org_id: str, entity: EntityName | str, host_id: str) -> str:
    """10 lower-case base-32 characters identifying (org, entity, host id)."""
    digest = hashlib.sha256(f"{org_id}\x1f{EntityName(entity).value}\x1f{host_id}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:KEY_LENGTH].lower()


def build_stamp(org_id: str, entity: EntityName | str, host_id: str) -> str:
    return f"[xs:{record_key(org_id, entity, host_id)}]"


def build_reference(
    host_reference: str | None,
    org_id: str,
    entity: EntityName | str,
    host_id: str,
    *,
    max_length: int = REFERENCE_MAX_LENGTH,
) -> str:
    """The host's reference followed by the stamp, shortened (with "…") to fit ``max_length``."""
    stamp = build_stamp(org_id, entity, host_id)
    text = (host_reference or "").strip()
    if not text:
        return stamp
    room = max_length - len(stamp) - 1
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return f"{text} {stamp}"


@dataclass(frozen=True)
class ParsedReference:
    host_reference: str | None
    key: str


def parse_reference(reference: str | None) -> ParsedReference | None:
    """Split a Xero ``Reference`` into the host's text and our key; None when it has no stamp."""
    if not reference:
        return None
    match = _STAMP.search(reference)
    if match is None:
        return None
    text = reference[: match.start()].strip()
    return ParsedReference(host_reference=text or None, key=match.group(1))


def reference_matches(reference: str | None, org_id: str, entity: EntityName | str, host_id: str) -> bool:
    """Whether a Xero record's ``Reference`` carries the stamp of this host record."""
    parsed = parse_reference(reference)
    return parsed is not None and parsed.key == record_key(org_id, entity, host_id)


def contact_number(host_contact_number: str | None, org_id: str, host_id: str) -> str:
    """Xero ``ContactNumber``: the host's, or ``XS-<key>`` when the host sends none."""
    if host_contact_number and host_contact_number.strip():
        return host_contact_number.strip()[:CONTACT_NUMBER_MAX_LENGTH]
    return f"XS-{record_key(org_id, EntityName.CONTACT, host_id)}"


def write_off_number(invoice_number: str, sequence: int = 1) -> str:
    """``CreditNoteNumber`` of the credit note that writes off an invoice: ``<invoice>-WO``, then
    ``-WO2``, ``-WO3`` … for later write-offs of the same invoice (a voided credit note keeps its
    number in Xero, so a re-done write-off needs a new one)."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    suffix = "-WO" if sequence == 1 else f"-WO{sequence}"
    return f"{invoice_number[: 255 - len(suffix)]}{suffix}"


def bill_key(number: str, contact_xero_id: str) -> tuple[str, str]:
    """Bills and supplier credits are matched by number and contact together."""
    return (number.strip().casefold(), contact_xero_id.lower())
