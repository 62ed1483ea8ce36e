"""Per-org field mapping overrides (F2.4)."""

from __future__ import annotations

from typing import Any

from export_domain_helpers import contact, context, invoice
from mapping_helpers import CONTACT_X, codes

from xero_sync.domain.mapping import map_contact, map_invoice
from xero_sync.domain.problems import ProblemCode

# ----------------------------------------------------------------------------------------------
# Field mapping overrides (F2.4)
# ----------------------------------------------------------------------------------------------


def override(entity: str, xero_field: str, source: str | None) -> dict[str, Any]:
    return {"field_mappings": [{"entity": entity, "xero_field": xero_field, "source": source}]}


def test_invoice_reference_from_a_custom_field():
    ctx = context(override("invoice", "Reference", "custom_fields.po_number"))
    payload = map_invoice(
        invoice(reference="ignored", custom_fields={"po_number": "PO-5521"}),
        ctx,
        host_id="i",
        contact_xero_id=CONTACT_X,
    ).payload
    assert payload.Reference == "PO-5521"


def test_contact_account_number_from_contact_number():
    ctx = context(override("contact", "AccountNumber", "contact_number"))
    payload = map_contact(contact(contact_number="C-42"), ctx, host_id="c").payload
    assert (payload.AccountNumber, payload.ContactNumber) == ("C-42", "C-42")


def test_override_to_nothing_clears_the_default():
    ctx = context(override("invoice", "Reference", None))
    assert map_invoice(invoice(reference="R"), ctx, host_id="i", contact_xero_id=CONTACT_X).payload.Reference is None


def test_override_values_are_checked():
    too_long = context(override("invoice", "Reference", "custom_fields.note"))
    result = map_invoice(invoice(custom_fields={"note": "x" * 300}), too_long, host_id="i", contact_xero_id=CONTACT_X)
    assert codes(result) == [ProblemCode.VALUE_TOO_LONG]
    name = context(override("contact", "Name", "custom_fields.legal_name"))
    assert codes(map_contact(contact(), name, host_id="c")) == [ProblemCode.REQUIRED_VALUE_MISSING]
    listed = context(override("contact", "TaxNumber", "custom_fields.tags"))
    assert codes(map_contact(contact(custom_fields={"tags": ["a"]}), listed, host_id="c")) == [
        ProblemCode.INVALID_VALUE
    ]
    theme = context(override("invoice", "BrandingThemeID", "custom_fields.theme"))
    bad = map_invoice(invoice(custom_fields={"theme": "blue"}), theme, host_id="i", contact_xero_id=CONTACT_X)
    assert codes(bad) == [ProblemCode.INVALID_VALUE]


def test_override_values_are_converted_to_text():
    ctx = context(override("contact", "CompanyNumber", "custom_fields.company_no"))
    assert (
        map_contact(contact(custom_fields={"company_no": 123456}), ctx, host_id="c").payload.CompanyNumber == "123456"
    )
