"""Host record → Xero payload (F3.3), field row by field row of the seeds' tables, plus the
needs-admin problems (F2.2, F2.3) and the per-org overrides (F2.4)."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any, Callable

import pytest
from export_domain_helpers import (
    CLEARING_ACCOUNT_ID,
    NO_CODE_ACCOUNT_ID,
    ORG_ID,
    bank_charge,
    bill,
    bill_payment,
    contact,
    context,
    credit_note,
    credit_note_allocation,
    credit_note_refund,
    invoice,
    invoice_payment,
    link,
    reference,
    spec_example_invoice,
    vendor_credit,
    vendor_credit_allocation,
    vendor_credit_refund,
    write_off,
    xero_reference_json,
)

from xero_sync.domain.dependencies import ParentState, ParentStatus, Ready, parents_of, resolve
from xero_sync.domain.entities import referenced_contacts
from xero_sync.domain.mapping import (
    Mapped,
    fingerprint,
    map_bank_charge,
    map_contact,
    map_invoice,
    map_record,
    map_write_off,
)
from xero_sync.domain.natural_keys import build_stamp, parse_reference, record_key
from xero_sync.domain.problems import NoticeCode, ProblemCode
from xero_sync.domain.restrictions import NEVER_EXPORTED, LinkState, Operation, RecordFacts, decide
from xero_sync.models.org_config import ReferenceData
from xero_sync.models.records import EntityName, parse_envelope
from xero_sync.models.xero_payloads import LineAmountType, to_wire, to_wire_json, with_id

E = EntityName
CONTACT_X = "11111111-aaaa-4aaa-8aaa-000000000001"
INVOICE_X = "22222222-bbbb-4bbb-8bbb-000000000002"


def links_for(entity: EntityName, **parent_extra: Any) -> dict[str, Any]:
    """Parent links as dependencies.resolve would return them."""
    invoice_link = link(E.INVOICE, "inv-1", INVOICE_X, number="INV-1", contact_xero_id=CONTACT_X, **parent_extra)
    return {
        E.INVOICE: {"contact_id": link(E.CONTACT, "cus-1", CONTACT_X)},
        E.CREDIT_NOTE: {"contact_id": link(E.CONTACT, "cus-1", CONTACT_X)},
        E.BILL: {"vendor_id": link(E.CONTACT, "ven-1", CONTACT_X)},
        E.VENDOR_CREDIT: {"vendor_id": link(E.CONTACT, "ven-1", CONTACT_X)},
        E.INVOICE_PAYMENT: {"invoice_id": invoice_link},
        E.WRITE_OFF: {"invoice_id": invoice_link},
        E.BILL_PAYMENT: {"bill_id": link(E.BILL, "bill-1", "X-BILL", **parent_extra)},
        E.CREDIT_NOTE_REFUND: {"credit_note_id": link(E.CREDIT_NOTE, "cn-1", "X-CN", **parent_extra)},
        E.VENDOR_CREDIT_REFUND: {"vendor_credit_id": link(E.VENDOR_CREDIT, "vc-1", "X-VC", **parent_extra)},
        E.CREDIT_NOTE_ALLOCATION: {"credit_note_id": link(E.CREDIT_NOTE, "cn-1", "X-CN"), "invoice_id": invoice_link},
        E.VENDOR_CREDIT_ALLOCATION: {
            "vendor_credit_id": link(E.VENDOR_CREDIT, "vc-1", "X-VC"),
            "bill_id": link(E.BILL, "bill-1", "X-BILL"),
        },
        E.BANK_CHARGE: {},
        E.CONTACT: {},
    }[entity]


def mapped(entity: EntityName, data: Any, ctx=None, **kwargs: Any) -> Mapped[Any]:
    return map_record(entity, "host-1", data, ctx or context(), links_for(entity), **kwargs)


def ok(entity: EntityName, data: Any, ctx=None, **kwargs: Any) -> Any:
    result = mapped(entity, data, ctx, **kwargs)
    assert result.ok, result.problems
    return result.payload


def codes(result: Mapped[Any]) -> list[ProblemCode]:
    return [problem.code for problem in result.problems]


# ----------------------------------------------------------------------------------------------
# SPEC §7's worked example
# ----------------------------------------------------------------------------------------------


def test_spec_example_reaches_xero_with_total_441_96():
    result = map_invoice(spec_example_invoice(), context(), host_id="inv-1042", contact_xero_id=CONTACT_X)
    assert result.ok and result.notices == ()
    assert result.totals is not None and result.totals.total == D("441.96")
    lines = [(li.Description, li.Quantity, li.UnitAmount, li.AccountCode, li.TaxType) for li in result.payload.LineItems]
    assert lines == [
        ("Espresso beans 1kg\nSingle origin", D(12), D("31.50"), "200", "OUTPUT2"),
        ("Discount", D(1), D("-10.00"), "260", "NONE"),
        ("Shipping charges", D(1), D("15.00"), "260", "OUTPUT2"),
        ("Round off", D(1), D("0.01"), "260", "NONE"),
    ]
    wire = to_wire(result.payload)
    assert wire["Type"] == "ACCREC" and wire["Status"] == "AUTHORISED"
    assert wire["Contact"] == {"ContactID": CONTACT_X}
    assert wire["Date"] == "2026-11-02" and wire["DueDate"] == "2026-12-02"
    assert '"UnitAmount":31.5' in to_wire_json(result.payload)


def test_host_total_that_differs_is_reported_not_changed():
    result = map_invoice(spec_example_invoice(total="441.97"), context(), host_id="i", contact_xero_id=CONTACT_X)
    assert result.ok
    [notice] = result.notices
    assert notice.code is NoticeCode.TOTAL_MISMATCH
    assert notice.params == {"host_total": "441.97", "xero_total": "441.96", "difference": "0.01"}
    assert "441.97" in notice.message and "441.96" in notice.message


# ----------------------------------------------------------------------------------------------
# Field tables of the seeds, one test per row
# ----------------------------------------------------------------------------------------------

ADDRESS = {"line1": "12 Quay St", "line2": "Level 2", "city": "Auckland", "region": "Auckland",
           "postal_code": "1010", "country": "NZ", "attention": "Accounts"}
PERSONS = [{"first_name": "Ana", "last_name": "Ruiz", "email": "ana@harbour.example", "include_in_emails": True}]


def _phones(payload) -> dict[str, str]:
    return {phone.PhoneType: phone.PhoneNumber for phone in payload.Phones or []}


def _address(payload, kind: str) -> dict[str, Any]:
    [address] = [a for a in payload.Addresses if a.AddressType == kind]
    return address.model_dump(exclude_none=True)


CONTACT_ROWS: list[tuple[str, dict[str, Any], Callable[[Any], Any], Any]] = [
    ("Display Name → Contact Name", {"display_name": "Harbour Cafe Ltd"}, lambda p: p.Name, "Harbour Cafe Ltd"),
    ("First name → First Name", {"first_name": "Ana"}, lambda p: p.FirstName, "Ana"),
    ("Last Name → Last Name", {"last_name": "Ruiz"}, lambda p: p.LastName, "Ruiz"),
    ("Email → Email", {"email": "ap@harbour.example"}, lambda p: p.EmailAddress, "ap@harbour.example"),
    ("Phone - Work → Phone Number", {"phone_work": "09 555 0100"}, lambda p: _phones(p), {"DEFAULT": "09 555 0100"}),
    ("Phone - Mobile → Mobile number", {"phone_mobile": "021 555 0101"}, lambda p: _phones(p), {"MOBILE": "021 555 0101"}),
    ("Billing Address → Billing Address", {"billing_address": ADDRESS}, lambda p: _address(p, "POBOX"),
     {"AddressType": "POBOX", "AddressLine1": "12 Quay St", "AddressLine2": "Level 2", "City": "Auckland",
      "Region": "Auckland", "PostalCode": "1010", "Country": "NZ", "AttentionTo": "Accounts"}),
    ("Shipping Address → Delivery Address", {"shipping_address": {"line1": "3 Wharf Rd", "city": "Napier"}},
     lambda p: _address(p, "STREET"), {"AddressType": "STREET", "AddressLine1": "3 Wharf Rd", "City": "Napier"}),
    ("Currency → Currency", {"currency": "EUR"}, lambda p: p.DefaultCurrency, "EUR"),
    ("Contact Persons → Additional People", {"contact_persons": PERSONS},
     lambda p: [person.model_dump() for person in p.ContactPersons],
     [{"FirstName": "Ana", "LastName": "Ruiz", "EmailAddress": "ana@harbour.example", "IncludeInEmails": True}]),
]


@pytest.mark.parametrize(
    ("fields", "extract", "expected"),
    [pytest.param(f, x, e, id=f"seed {seed} contacts: {name}".replace("→", "->")) for seed in ("000", "001") for name, f, x, e in CONTACT_ROWS],
)
def test_contact_field_rows(fields, extract, expected):
    payload = ok(E.CONTACT, contact(**fields))
    assert extract(payload) == expected


def _line(payload, index: int = 0):
    return payload.LineItems[index]


def _extra_line(payload, description: str):
    [line] = [li for li in payload.LineItems if li.Description == description]
    return (line.Quantity, line.UnitAmount, line.AccountCode, line.TaxType)


def _number(payload) -> str:
    return getattr(payload, "InvoiceNumber", None) or payload.CreditNoteNumber


# (row name, fields of the host document, extractor, expected) — valid for invoices and credit notes
SALES_ROWS: list[tuple[str, dict[str, Any], Callable[[Any], Any], Any]] = [
    ("Invoice# → Invoice#", {"number": "INV-0077"}, _number, "INV-0077"),
    ("Invoice Date → Date", {"date": "2026-10-31"}, lambda p: p.Date.isoformat(), "2026-10-31"),
    ("Item Rate → Unit price", {"lines": [{"quantity": 1, "rate": "19.9"}]}, lambda p: _line(p).UnitAmount, D("19.90")),
    ("Item Quantity → Quantity", {"lines": [{"quantity": "2.5", "rate": 4}]}, lambda p: _line(p).Quantity, D("2.5")),
    ("Discount → a separate line", {"discount": "5.00"}, lambda p: _extra_line(p, "Discount"),
     (D(1), D("-5.00"), "260", "NONE")),
    ("Tax → Tax rate", {"lines": [{"quantity": 1, "rate": 10, "tax_id": "gst15"}]}, lambda p: _line(p).TaxType, "OUTPUT2"),
    ("Tax Type → Amounts are", {"amounts_are": "inclusive"}, lambda p: p.LineAmountTypes, LineAmountType.INCLUSIVE),
    ("Shipping Charges → a separate line", {"shipping_charge": "7.50", "shipping_tax_id": "gst15"},
     lambda p: _extra_line(p, "Shipping charges"), (D(1), D("7.50"), "260", "OUTPUT2")),
    ("Adjustments → a separate line", {"adjustment": "-2.00", "adjustment_description": "Loyalty credit"},
     lambda p: _extra_line(p, "Loyalty credit"), (D(1), D("-2.00"), "260", "NONE")),
    ("Round Off → a separate line", {"round_off": "-0.02"}, lambda p: _extra_line(p, "Round off"),
     (D(1), D("-0.02"), "260", "NONE")),
]
SEED_001_EXTRA_SALES_ROWS: list[tuple[str, dict[str, Any], Callable[[Any], Any], Any]] = [
    ("Currency code → Currency code", {"currency": "EUR", "exchange_rate": "1.85"}, lambda p: p.CurrencyCode, "EUR"),
    ("Exchange rate → Exchange rate (Xero's direction)", {"currency": "EUR", "exchange_rate": "1.85"},
     lambda p: p.CurrencyRate, D("0.540541")),
    ("Item name and description → description",
     {"lines": [{"item_name": "Espresso beans 1kg", "description": "Single origin", "quantity": 1, "rate": 1}]},
     lambda p: _line(p).Description, "Espresso beans 1kg\nSingle origin"),
]
DUE_DATE_ROW = ("Due Date → Due date", {"due_date": "2026-12-01"}, lambda p: p.DueDate.isoformat(), "2026-12-01")


def _sales_params() -> list[Any]:
    params = []
    for name, fields, extract, expected in [*SALES_ROWS, DUE_DATE_ROW]:
        params.append(pytest.param(E.INVOICE, fields, extract, expected, id=f"seed 000 invoices: {name}".replace("→", "->")))
        if (name, fields) != DUE_DATE_ROW[:2]:  # Xero credit notes have no due date
            params.append(pytest.param(E.CREDIT_NOTE, fields, extract, expected, id=f"seed 000 credit notes: {name}".replace("→", "->")))
    for name, fields, extract, expected in [*SALES_ROWS, DUE_DATE_ROW, *SEED_001_EXTRA_SALES_ROWS]:
        params.append(pytest.param(E.INVOICE, fields, extract, expected, id=f"seed 001 invoices: {name}".replace("→", "->")))
    return params


@pytest.mark.parametrize(("entity", "fields", "extract", "expected"), _sales_params())
def test_sales_document_field_rows(entity, fields, extract, expected):
    data = invoice(**fields) if entity is E.INVOICE else credit_note(**fields)
    assert extract(ok(entity, data)) == expected


BILL_ROWS: list[tuple[str, dict[str, Any], Callable[[Any], Any], Any]] = [
    ("Bill# → Reference (Xero's InvoiceNumber)", {"number": "SUP-991"}, lambda p: (p.InvoiceNumber, p.Reference),
     ("SUP-991", None)),
    ("Bill Date → Date", {"date": "2026-10-30"}, lambda p: p.Date.isoformat(), "2026-10-30"),
    ("Due Date → Due date", {"due_date": "2026-11-30"}, lambda p: p.DueDate.isoformat(), "2026-11-30"),
    ("Currency Code → Currency code", {"currency": "EUR", "exchange_rate": "2"}, lambda p: p.CurrencyCode, "EUR"),
    ("Exchange rate → Exchange rate", {"currency": "EUR", "exchange_rate": "2"}, lambda p: p.CurrencyRate, D("0.5")),
    ("Item name and description → description",
     {"lines": [{"item_name": "Green beans", "description": "Colombia", "quantity": 1, "rate": 1}]},
     lambda p: _line(p).Description, "Green beans\nColombia"),
    ("Item rate → Unit price", {"lines": [{"quantity": 1, "rate": "8.125"}]}, lambda p: _line(p).UnitAmount, D("8.125")),
    ("Item quantity → Qty", {"lines": [{"quantity": 40, "rate": 8}]}, lambda p: _line(p).Quantity, D(40)),
    ("Discount → a separate line", {"discount": "3.00"}, lambda p: _extra_line(p, "Discount"),
     (D(1), D("-3.00"), "310", "NONE")),
    ("Tax → Tax rate (the purchases tax type)", {"lines": [{"quantity": 1, "rate": 1, "tax_id": "gst15"}]},
     lambda p: _line(p).TaxType, "INPUT2"),
    ("Adjustments → a separate line", {"adjustment": "1.10"}, lambda p: _extra_line(p, "Adjustment"),
     (D(1), D("1.10"), "310", "NONE")),
]


@pytest.mark.parametrize(
    ("fields", "extract", "expected"), [pytest.param(f, x, e, id=f"seed 001 bills: {n}".replace("→", "->")) for n, f, x, e in BILL_ROWS]
)
def test_bill_field_rows(fields, extract, expected):
    assert extract(ok(E.BILL, bill(**fields))) == expected


# ----------------------------------------------------------------------------------------------
# Contacts
# ----------------------------------------------------------------------------------------------


def test_contact_number_from_host_or_derived():
    assert ok(E.CONTACT, contact(contact_number="C-42")).ContactNumber == "C-42"
    assert ok(E.CONTACT, contact()).ContactNumber == f"XS-{record_key(ORG_ID, E.CONTACT, 'host-1')}"


def test_contact_persons_beyond_five_are_reported():
    persons = [{"first_name": f"P{n}", "email": f"p{n}@x.example"} for n in range(7)]
    result = mapped(E.CONTACT, contact(contact_persons=persons))
    assert result.ok and len(result.payload.ContactPersons) == 5
    [notice] = result.notices
    assert notice.code is NoticeCode.CONTACT_PERSONS_DROPPED and "P5, P6" in notice.message


def test_contact_with_only_a_name_sends_no_empty_lists():
    assert to_wire(ok(E.CONTACT, contact())) == {
        "Name": "Harbour Cafe Ltd",
        "ContactNumber": f"XS-{record_key(ORG_ID, E.CONTACT, 'host-1')}",
    }


def test_contact_currency_must_be_enabled():
    assert codes(mapped(E.CONTACT, contact(currency="USD"))) == [ProblemCode.CURRENCY_NOT_ENABLED]


# ----------------------------------------------------------------------------------------------
# Accounts (F2.1, F2.2)
# ----------------------------------------------------------------------------------------------


def test_account_without_code_fails_then_succeeds_once_the_code_is_added():
    # Given the sales adjustments account chosen by AccountID, with no code in Xero
    ctx = context({"sales_adjustments_account": NO_CODE_ACCOUNT_ID})
    # When an invoice with a discount is mapped
    result = map_invoice(spec_example_invoice(), ctx, host_id="i", contact_xero_id=CONTACT_X)
    # Then it fails, naming the account and what to do
    assert not result.ok and result.payload is None
    [problem] = result.problems
    assert problem.code is ProblemCode.MISSING_ACCOUNT_CODE
    assert problem.message == (
        "Account 'Discounts Given' (discounts, shipping, adjustments and round-off on sales) has no code in Xero, "
        "and the integration can only use accounts with a code. "
        "Add a code to it in Xero (Accounting → Chart of accounts), then retry."
    )
    # And once the admin adds code 405 in Xero and the chart is re-imported, the same settings work
    data = xero_reference_json()
    for account in data["accounts"]:
        if account["AccountID"] == NO_CODE_ACCOUNT_ID:
            account["Code"] = "405"
    ctx_after = context({"sales_adjustments_account": NO_CODE_ACCOUNT_ID}, ReferenceData.model_validate(data))
    retry = map_invoice(spec_example_invoice(), ctx_after, host_id="i", contact_xero_id=CONTACT_X)
    assert retry.ok and {li.AccountCode for li in retry.payload.LineItems[1:]} == {"405"}


def test_unknown_line_account_code():
    result = mapped(E.INVOICE, invoice(lines=[{"quantity": 1, "rate": 5, "account_code": "999"}]))
    [problem] = result.problems
    assert problem.code is ProblemCode.UNKNOWN_ACCOUNT and problem.field == "lines[0].account_code"
    assert "Account '999' (line 1) was not found in Xero's chart of accounts" in problem.message


def test_archived_account():
    result = mapped(E.INVOICE, invoice(lines=[{"quantity": 1, "rate": 5, "account_code": "299"}]))
    assert codes(result) == [ProblemCode.ARCHIVED_ACCOUNT]
    assert "'Old Sales (299)'" in result.problems[0].message


def test_adjustments_account_not_configured():
    # discount, shipping and round-off all need it: one problem, not three
    data = invoice(discount="1.00", shipping_charge="2.00", round_off="0.01")
    result = mapped(E.INVOICE, data, context({"sales_adjustments_account": None}))
    [problem] = result.problems
    assert problem.code is ProblemCode.ACCOUNT_NOT_CONFIGURED and problem.field == "discount"
    assert "(sales_adjustments_account)" in problem.message


def test_line_without_account_uses_the_default_sales_account_or_says_it_is_missing():
    assert ok(E.INVOICE, invoice()).LineItems[0].AccountCode == "200"
    result = mapped(E.INVOICE, invoice(), context({"sales_account": None}))
    assert codes(result) == [ProblemCode.ACCOUNT_NOT_CONFIGURED]
    assert "sales lines without an account" in result.problems[0].message


def test_specific_accounts_fall_back_to_the_sales_adjustments_account():
    payload = ok(E.INVOICE, invoice(shipping_charge="5.00", round_off="0.01"),
                 context({"shipping_account": "270", "rounding_account": "860"}))
    assert _extra_line(payload, "Shipping charges")[2] == "270"
    assert _extra_line(payload, "Round off")[2] == "860"


def test_tax_not_allowed_on_the_account():
    # OUTPUT2 (sales GST) cannot be used on an expense account in Xero
    result = mapped(E.INVOICE, invoice(lines=[{"quantity": 1, "rate": 5, "tax_id": "gst15", "account_code": "300"}]))
    [problem] = result.problems
    assert problem.code is ProblemCode.TAX_NOT_ALLOWED_FOR_ACCOUNT
    assert "'15% GST on Income' (OUTPUT2)" in problem.message and "'Purchases (300)'" in problem.message


def test_unmapped_tax_names_the_field():
    result = mapped(E.INVOICE, invoice(shipping_charge="5.00", shipping_tax_id="vat20"))
    [problem] = result.problems
    assert problem.code is ProblemCode.UNMAPPED_TAX and problem.field == "shipping_tax_id"


def test_problems_are_gathered_not_just_the_first():
    result = mapped(
        E.INVOICE,
        invoice(currency="USD", lines=[{"quantity": 1, "rate": 5, "tax_id": "vat20", "account_code": "999"}]),
    )
    assert set(codes(result)) == {ProblemCode.CURRENCY_NOT_ENABLED, ProblemCode.UNMAPPED_TAX, ProblemCode.UNKNOWN_ACCOUNT}


def test_base_currency_mismatch_stops_every_record():
    assert codes(mapped(E.CONTACT, contact(), context({"base_currency": "AUD"}))) == [ProblemCode.BASE_CURRENCY_MISMATCH]


# ----------------------------------------------------------------------------------------------
# Documents
# ----------------------------------------------------------------------------------------------


def test_unit_prices_with_three_or_four_decimals_need_unitdp_4():
    result = mapped(E.INVOICE, invoice(lines=[{"quantity": 3, "rate": "1.125"}]))
    assert result.ok and result.unitdp == 4 and result.payload.LineItems[0].UnitAmount == D("1.1250")
    assert mapped(E.INVOICE, invoice()).unitdp == 2


def test_unit_price_beyond_four_decimals_is_rounded_and_reported():
    result = mapped(E.INVOICE, invoice(lines=[{"quantity": 1000, "rate": "0.061171"}], total="70.38"))
    assert result.ok and result.payload.LineItems[0].UnitAmount == D("0.0612")
    assert [n.code for n in result.notices] == [NoticeCode.UNIT_PRICE_ROUNDED, NoticeCode.TOTAL_MISMATCH]
    rounded = result.notices[0]
    assert "0.061171 was sent as 0.0612; the line amount is 61.20 in Xero instead of 61.17 (difference 0.03)" in rounded.message
    # 1000 × 0.0612 = 61.20 + 15 % = 70.38 in Xero; the host said 70.35 (61.17 + 9.18)
    mismatch = mapped(E.INVOICE, invoice(lines=[{"quantity": 1000, "rate": "0.061171", "tax_id": "gst15"}], total="70.35"))
    assert mismatch.totals.total == D("70.38")
    assert mismatch.notices[-1].params["difference"] == "-0.03"


def test_line_discount_percent_on_invoices_is_discount_rate():
    payload = ok(E.INVOICE, invoice(lines=[{"quantity": 3, "rate": "19.99", "discount_percent": 10, "tax_id": "gst15"}]))
    assert payload.LineItems[0].DiscountRate == D(10)


def test_no_tax_documents_send_no_tax_type():
    payload = ok(E.INVOICE, invoice(amounts_are="no_tax", discount="1.00"))
    assert payload.LineAmountTypes is LineAmountType.NO_TAX
    assert {li.TaxType for li in payload.LineItems} == {None}


def test_inclusive_invoice_totals():
    result = mapped(E.INVOICE, invoice(amounts_are="inclusive", lines=[{"quantity": 1, "rate": "115", "tax_id": "gst15"}]))
    assert result.totals.total == D("115.00") and result.totals.total_tax == D("15.00")


def test_negative_total_is_refused():
    result = mapped(E.INVOICE, invoice(discount="50.00"))
    assert codes(result) == [ProblemCode.NEGATIVE_TOTAL]


def test_compound_tax_line():
    result = mapped(E.INVOICE, invoice(lines=[{"quantity": 1, "rate": "10.03", "tax_id": "gst_qst"}]))
    assert result.payload.LineItems[0].TaxType == "TAX001" and result.totals.total_tax == D("1.29")


def test_document_url_back_to_the_host():
    ctx = context({"document_url_template": "https://app.example.com/{entity}s/{id}?n={number}"})
    payload = map_invoice(invoice(number="INV 7/1"), ctx, host_id="inv 7", contact_xero_id=CONTACT_X).payload
    assert payload.Url == "https://app.example.com/invoices/inv%207?n=INV%207%2F1"
    assert ok(E.INVOICE, invoice()).Url is None


def test_credit_note_has_no_line_discount_so_it_is_folded_into_the_unit_price():
    payload = ok(E.CREDIT_NOTE, credit_note(lines=[{"quantity": 4, "rate": "25.00", "discount_percent": 10}]))
    line = payload.LineItems[0]
    assert (line.Quantity, line.UnitAmount, line.DiscountRate) == (D(4), D("22.50"), None)
    assert payload.Type == "ACCRECCREDIT" and payload.CreditNoteNumber == "CN-1"


def test_bill_line_discount_is_folded_into_the_unit_price():
    # ACCPAY takes no DiscountRate: 3 × 0.07 less 33.3333 % = 0.14; unit 0.0467 × 3 = 0.1401 → 0.14
    result = mapped(E.BILL, bill(lines=[{"item_name": "Sack", "quantity": 3, "rate": "0.07", "discount_percent": "33.3333"}]))
    line = result.payload.LineItems[0]
    assert (line.Quantity, line.UnitAmount, line.DiscountRate) == (D(3), D("0.0467"), None)
    assert result.unitdp == 4 and result.notices == ()


def test_bill_discount_that_cannot_be_folded_exactly_goes_as_one_line_amount():
    # 1000 × 1.11 less 12.3457 % = 972.957… → 972.96, but a 4-place unit 0.9730 × 1000 = 973.00
    result = mapped(E.BILL, bill(lines=[{"item_name": "Beans", "quantity": 1000, "rate": "1.11", "discount_percent": "12.3457"}]))
    line = result.payload.LineItems[0]
    assert (line.Quantity, line.UnitAmount) == (D(1), D("972.96"))
    assert line.Description == "Beans (1000 × 1.11 less 12.3457 %)"
    assert [n.code for n in result.notices] == [NoticeCode.LINE_DISCOUNT_FOLDED]


def test_bill_is_accpay_with_purchases_defaults():
    payload = ok(E.BILL, bill())
    assert payload.Type == "ACCPAY" and payload.LineItems[0].AccountCode == "300"
    assert "Reference" not in to_wire(payload)


def test_vendor_credit_is_accpaycredit():
    payload = ok(E.VENDOR_CREDIT, vendor_credit(discount="1.00"))
    assert payload.Type == "ACCPAYCREDIT" and payload.CreditNoteNumber == "DN-5"
    assert _extra_line(payload, "Discount") == (D(1), D("-1.00"), "310", "NONE")


# ----------------------------------------------------------------------------------------------
# Payments, refunds, allocations
# ----------------------------------------------------------------------------------------------


def test_invoice_payment():
    payload = ok(E.INVOICE_PAYMENT, invoice_payment(reference="Direct debit"))
    assert to_wire(payload) == {
        "Invoice": {"InvoiceID": INVOICE_X},
        "Account": {"Code": "090"},
        "Date": "2026-11-20",
        "Amount": D("23.00"),
        "Reference": f"Direct debit {build_stamp(ORG_ID, E.INVOICE_PAYMENT, 'host-1')}",
    }
    assert parse_reference(payload.Reference).host_reference == "Direct debit"


def test_payment_to_a_payments_enabled_account():
    assert ok(E.INVOICE_PAYMENT, invoice_payment(account_code="150")).Account.Code == "150"


def test_payment_account_must_accept_payments():
    result = mapped(E.INVOICE_PAYMENT, invoice_payment(account_code="200"))
    [problem] = result.problems
    assert problem.code is ProblemCode.ACCOUNT_NOT_PAYMENT_ENABLED
    assert "Enable payments to this account" in problem.message


def test_payments_enabled_account_without_code_is_refused_by_code():
    # The host can only refer to it by code, so the chart of accounts offers it without one.
    assert reference().account_by_id(CLEARING_ACCOUNT_ID).accepts_payments
    assert codes(mapped(E.INVOICE_PAYMENT, invoice_payment(account_code="151"))) == [ProblemCode.UNKNOWN_ACCOUNT]


def test_payment_of_a_foreign_invoice_carries_a_rate():
    eur = {"currency": "EUR", "exchange_rate": D("1.85")}
    own = map_record(E.INVOICE_PAYMENT, "p", invoice_payment(exchange_rate="2"), context(), links_for(E.INVOICE_PAYMENT, **eur))
    inherited = map_record(E.INVOICE_PAYMENT, "p", invoice_payment(), context(), links_for(E.INVOICE_PAYMENT, **eur))
    base = map_record(E.INVOICE_PAYMENT, "p", invoice_payment(exchange_rate="2"), context(), links_for(E.INVOICE_PAYMENT))
    assert own.payload.CurrencyRate == D("0.5")
    assert inherited.payload.CurrencyRate == D("0.540541")
    assert base.payload.CurrencyRate is None


def test_bill_payment():
    payload = ok(E.BILL_PAYMENT, bill_payment())
    assert payload.Invoice.InvoiceID == "X-BILL" and payload.CreditNote is None


@pytest.mark.parametrize(
    ("entity", "data", "credit_note_id"),
    [
        (E.CREDIT_NOTE_REFUND, credit_note_refund(), "X-CN"),
        (E.VENDOR_CREDIT_REFUND, vendor_credit_refund(), "X-VC"),
    ],
)
def test_refunds_are_payments_against_the_credit_note(entity, data, credit_note_id):
    wire = to_wire(ok(entity, data))
    assert wire["CreditNote"] == {"CreditNoteID": credit_note_id} and "Invoice" not in wire
    assert wire["Reference"] == build_stamp(ORG_ID, entity, "host-1")


@pytest.mark.parametrize(
    ("entity", "data", "note", "document"),
    [
        (E.CREDIT_NOTE_ALLOCATION, credit_note_allocation(), "X-CN", INVOICE_X),
        (E.VENDOR_CREDIT_ALLOCATION, vendor_credit_allocation(), "X-VC", "X-BILL"),
    ],
)
def test_allocations(entity, data, note, document):
    request = ok(entity, data)
    assert request.credit_note_xero_id == note
    assert to_wire(request.body) == {
        "Allocations": [{"Invoice": {"InvoiceID": document}, "Amount": data.amount, "Date": data.date.isoformat()}]
    }


# ----------------------------------------------------------------------------------------------
# Write-offs and bank charges
# ----------------------------------------------------------------------------------------------


def test_write_off_is_a_credit_note_then_an_allocation():
    plan = ok(E.WRITE_OFF, write_off(), invoice_balance=D("57.50"))
    note = to_wire(plan.credit_note)
    assert note == {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactID": CONTACT_X},
        "CreditNoteNumber": "INV-1-WO",
        "Reference": "Customer went out of business",
        "Date": "2026-12-31",
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "CurrencyCode": "NZD",
        "LineItems": [{"Description": "Write-off of invoice INV-1: Customer went out of business",
                       "Quantity": D(1), "UnitAmount": D("57.50"), "AccountCode": "684"}],
    }
    assert to_wire(plan.allocation) == {"Invoice": {"InvoiceID": INVOICE_X}, "Amount": D("57.50"), "Date": "2026-12-31"}


def test_write_off_amount_second_write_off_and_fallback_account():
    ctx = context({"write_off_account": None})
    plan = map_write_off(write_off(amount="10.00"), ctx, host_id="w", invoice=links_for(E.WRITE_OFF)["invoice_id"],
                         invoice_balance=D("57.50"), sequence=2).payload
    assert plan.allocation.Amount == D("10.00")
    assert plan.credit_note.CreditNoteNumber == "INV-1-WO2"
    assert plan.credit_note.LineItems[0].AccountCode == "260"


def test_write_off_without_amount_or_balance():
    assert codes(mapped(E.WRITE_OFF, write_off())) == [ProblemCode.WRITE_OFF_AMOUNT_UNKNOWN]
    assert codes(mapped(E.WRITE_OFF, write_off(), invoice_balance=D(0))) == [ProblemCode.WRITE_OFF_AMOUNT_UNKNOWN]


def test_write_off_of_a_foreign_invoice_keeps_its_currency():
    links = links_for(E.WRITE_OFF, currency="EUR", exchange_rate=D("1.85"))
    plan = map_record(E.WRITE_OFF, "w", write_off(), context(), links, invoice_balance=D("5")).payload
    assert (plan.credit_note.CurrencyCode, plan.credit_note.CurrencyRate) == ("EUR", D("0.540541"))


def test_bank_charge_is_a_spend_transaction():
    wire = to_wire(ok(E.BANK_CHARGE, bank_charge(reference="Nov fee")))
    assert wire == {
        "Type": "SPEND",
        "Contact": {"Name": "Bank"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-11-30",
        "Reference": f"Nov fee {build_stamp(ORG_ID, E.BANK_CHARGE, 'host-1')}",
        "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "Monthly account fee", "Quantity": D(1), "UnitAmount": D("12.50"),
                       "AccountCode": "404"}],
    }


def test_bank_charge_with_a_contact_and_default_account():
    payload = map_bank_charge(bank_charge(), context({"bank_charges_account": None}), host_id="b",
                              contact_xero_id=CONTACT_X).payload
    assert payload.Contact.ContactID == CONTACT_X and payload.Contact.Name is None
    assert payload.LineItems[0].AccountCode == "260"


def test_bank_charge_needs_a_bank_account():
    result = mapped(E.BANK_CHARGE, bank_charge(account_code="150"))
    assert codes(result) == [ProblemCode.NOT_A_BANK_ACCOUNT]


# ----------------------------------------------------------------------------------------------
# Field mapping overrides (F2.4)
# ----------------------------------------------------------------------------------------------


def override(entity: str, xero_field: str, source: str | None) -> dict[str, Any]:
    return {"field_mappings": [{"entity": entity, "xero_field": xero_field, "source": source}]}


def test_invoice_reference_from_a_custom_field():
    ctx = context(override("invoice", "Reference", "custom_fields.po_number"))
    payload = map_invoice(invoice(reference="ignored", custom_fields={"po_number": "PO-5521"}), ctx,
                          host_id="i", contact_xero_id=CONTACT_X).payload
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
    assert codes(map_contact(contact(custom_fields={"tags": ["a"]}), listed, host_id="c")) == [ProblemCode.INVALID_VALUE]
    theme = context(override("invoice", "BrandingThemeID", "custom_fields.theme"))
    bad = map_invoice(invoice(custom_fields={"theme": "blue"}), theme, host_id="i", contact_xero_id=CONTACT_X)
    assert codes(bad) == [ProblemCode.INVALID_VALUE]


def test_override_values_are_converted_to_text():
    ctx = context(override("contact", "CompanyNumber", "custom_fields.company_no"))
    assert map_contact(contact(custom_fields={"company_no": 123456}), ctx, host_id="c").payload.CompanyNumber == "123456"


# ----------------------------------------------------------------------------------------------
# Fingerprint
# ----------------------------------------------------------------------------------------------


def test_fingerprint_is_stable_and_compares_values():
    first = ok(E.INVOICE, invoice(lines=[{"quantity": "2", "rate": "10"}]))
    second = ok(E.INVOICE, invoice(lines=[{"quantity": "2.00", "rate": "10.000"}]))
    assert fingerprint(first) == fingerprint(second)
    changed = ok(E.INVOICE, invoice(lines=[{"quantity": "3", "rate": "10"}]))
    assert fingerprint(first) != fingerprint(changed)
    assert len(fingerprint(first)) == 64


def test_fingerprint_ignores_the_version_and_id():
    assert fingerprint(ok(E.INVOICE_PAYMENT, invoice_payment())) == fingerprint(ok(E.INVOICE_PAYMENT, invoice_payment()))
    payload = ok(E.INVOICE, invoice())
    assert with_id(payload, "X-9")["InvoiceID"] == "X-9"


def test_map_record_needs_the_parent_links():
    with pytest.raises(ValueError, match="contact_id"):
        map_record(E.INVOICE, "i", invoice(), context(), {})


# ----------------------------------------------------------------------------------------------
# The domain end to end: envelope → decision → dependencies → payload
# ----------------------------------------------------------------------------------------------


def test_spec_example_through_the_whole_domain():
    body = json.loads(
        '{"records": ['
        '{"entity": "contact", "id": "cus-17", "version": 2, "action": "upsert",'
        ' "data": {"display_name": "Harbour Cafe Ltd", "email": "ap@harbourcafe.example", "currency": "NZD"}},'
        '{"entity": "invoice", "id": "inv-1042", "version": 5, "action": "upsert",'
        ' "data": {"number": "INV-1042", "contact_id": "cus-17", "date": "2026-11-02", "due_date": "2026-12-02",'
        ' "lines": [{"item_name": "Espresso beans 1kg", "quantity": 12, "rate": "31.5", "tax_id": "gst15",'
        ' "account_code": "200"}], "discount": "10.00", "shipping_charge": "15.00", "shipping_tax_id": "gst15",'
        ' "round_off": "0.01", "total": "441.96"}}]}',
        parse_float=D,
    )
    contact_env, invoice_env = (parse_envelope(raw) for raw in body["records"])
    ctx = context()

    # The invoice refers to the contact, which makes the contact exportable.
    assert referenced_contacts(E.INVOICE, invoice_env.data) == ["cus-17"]
    decision = decide(E.CONTACT, contact_env.action, contact_env.data, 2, NEVER_EXPORTED, RecordFacts(referenced=True))
    assert decision.operation is Operation.CREATE
    assert map_record(E.CONTACT, "cus-17", contact_env.data, ctx, {}).ok

    # Until the contact is in Xero the invoice waits; then it is ready with the contact's id.
    [parent] = parents_of(E.INVOICE, invoice_env.data)
    assert not isinstance(resolve(E.INVOICE, invoice_env.action, invoice_env.data, {}), Ready)
    states = {parent: ParentState(ParentStatus.EXPORTED, link(E.CONTACT, "cus-17", CONTACT_X))}
    ready = resolve(E.INVOICE, invoice_env.action, invoice_env.data, states)
    assert isinstance(ready, Ready)
    assert decide(E.INVOICE, invoice_env.action, invoice_env.data, 5).operation is Operation.CREATE
    result = map_record(E.INVOICE, "inv-1042", invoice_env.data, ctx, ready.links)
    assert result.ok and result.totals.total == D("441.96") and result.notices == ()

    # Version 6 with the same content changes nothing in Xero.
    exported = LinkState(xero_id=INVOICE_X, exported_version=5, exported_action=invoice_env.action,
                         exported_fingerprint=fingerprint(result.payload))
    again = map_record(E.INVOICE, "inv-1042", invoice_env.data, ctx, ready.links)
    decision = decide(E.INVOICE, invoice_env.action, invoice_env.data, 6, exported,
                      new_fingerprint=fingerprint(again.payload))
    assert decision.operation is Operation.NOOP
