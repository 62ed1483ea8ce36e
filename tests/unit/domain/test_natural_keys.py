"""Reference stamps and natural keys: how the service finds what it already created (N1)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xero_sync.domain.natural_keys import (
    REFERENCE_MAX_LENGTH,
    bill_key,
    build_reference,
    build_stamp,
    contact_number,
    parse_reference,
    record_key,
    reference_matches,
    write_off_number,
)
from xero_sync.models.records import EntityName

PAY = EntityName.INVOICE_PAYMENT


def test_record_key_is_short_stable_and_specific():
    key = record_key("org-1", PAY, "pay-9")
    assert re.fullmatch(r"[a-z2-7]{10}", key)
    assert key == record_key("org-1", "invoice_payment", "pay-9")
    assert key != record_key("org-2", PAY, "pay-9")
    assert key != record_key("org-1", EntityName.BILL_PAYMENT, "pay-9")
    assert key != record_key("org-1", PAY, "pay-10")


def test_reference_is_host_text_then_stamp():
    reference = build_reference("Direct debit", "org-1", PAY, "pay-9")
    assert reference == f"Direct debit {build_stamp('org-1', PAY, 'pay-9')}"
    assert build_reference(None, "org-1", PAY, "pay-9") == build_stamp("org-1", PAY, "pay-9")
    assert build_reference("   ", "org-1", PAY, "pay-9") == build_stamp("org-1", PAY, "pay-9")


def test_long_host_reference_is_shortened_to_fit():
    reference = build_reference("x" * 400, "org-1", PAY, "pay-9")
    assert len(reference) == REFERENCE_MAX_LENGTH
    assert reference.endswith(build_stamp("org-1", PAY, "pay-9"))
    assert "…" in reference


@given(text=st.one_of(st.none(), st.text(max_size=300)), host_id=st.text(min_size=1, max_size=60))
def test_stamp_round_trip(text, host_id):
    reference = build_reference(text, "org-1", PAY, host_id)
    parsed = parse_reference(reference)
    assert parsed is not None
    assert parsed.key == record_key("org-1", PAY, host_id)
    assert reference_matches(reference, "org-1", PAY, host_id)
    assert len(reference) <= REFERENCE_MAX_LENGTH
    if text and text.strip() and len(text.strip()) < 200:
        assert parsed.host_reference == text.strip()


@pytest.mark.parametrize(
    "reference", [None, "", "Direct debit", "[xs:short]", "[xs:ABCDEFGHIJ]", "x [xs:abcdefghij] y"]
)
def test_references_without_our_stamp(reference):
    assert parse_reference(reference) is None
    assert not reference_matches(reference, "org-1", PAY, "pay-9")


def test_someone_elses_stamp_does_not_match():
    reference = build_reference("Refund", "org-1", EntityName.CREDIT_NOTE_REFUND, "r-1")
    assert not reference_matches(reference, "org-1", EntityName.CREDIT_NOTE_REFUND, "r-2")


def test_contact_number_is_the_hosts_or_derived_from_the_host_id():
    assert contact_number("C-0042", "org-1", "cus-17") == "C-0042"
    derived = contact_number(None, "org-1", "cus-17")
    assert derived == f"XS-{record_key('org-1', EntityName.CONTACT, 'cus-17')}"
    assert derived == contact_number("  ", "org-1", "cus-17")
    assert len(derived) <= 50


def test_write_off_numbers():
    assert write_off_number("INV-1042") == "INV-1042-WO"
    assert write_off_number("INV-1042", 2) == "INV-1042-WO2"
    assert len(write_off_number("I" * 300)) == 255
    with pytest.raises(ValueError):
        write_off_number("INV-1", 0)


def test_bill_key_combines_number_and_contact():
    assert bill_key(" SUP-778 ", "ABC") == bill_key("sup-778", "abc")
    assert bill_key("SUP-778", "abc") != bill_key("SUP-778", "def")
