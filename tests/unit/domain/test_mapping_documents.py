"""Invoices, credit notes, bills and vendor credits → Xero documents (F3.3): SPEC §7's example, the
seeds' field tables row by row, lines, discounts, rounding and totals."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
from export_domain_helpers import bill, context, credit_note, invoice, spec_example_invoice, vendor_credit
from mapping_helpers import CONTACT_X, E, codes, extra_line, line, mapped, ok

from xero_sync.domain.mapping import map_invoice
from xero_sync.domain.problems import NoticeCode, ProblemCode
from xero_sync.models.xero_payloads import LineAmountType, to_wire, to_wire_json

# ----------------------------------------------------------------------------------------------
# SPEC §7's worked example
# ----------------------------------------------------------------------------------------------


def test_spec_example_reaches_xero_with_total_441_96():
    result = map_invoice(spec_example_invoice(), context(), host_id="inv-1042", contact_xero_id=CONTACT_X)
    assert result.ok and result.notices == ()
    assert result.totals is not None and result.totals.total == D("441.96")
    lines = [
        (li.Description, li.Quantity, li.UnitAmount, li.AccountCode, li.TaxType) for li in result.payload.LineItems
    ]
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


def _number(payload) -> str:
    return getattr(payload, "InvoiceNumber", None) or payload.CreditNoteNumber


# (row name, fields of the host document, extractor, expected) — valid for invoices and credit notes
SALES_ROWS: list[tuple[str, dict[str, Any], Callable[[Any], Any], Any]] = [
    ("Invoice# → Invoice#", {"number": "INV-0077"}, _number, "INV-0077"),
    ("Invoice Date → Date", {"date": "2026-10-31"}, lambda p: p.Date.isoformat(), "2026-10-31"),
    ("Item Rate → Unit price", {"lines": [{"quantity": 1, "rate": "19.9"}]}, lambda p: line(p).UnitAmount, D("19.90")),
    ("Item Quantity → Quantity", {"lines": [{"quantity": "2.5", "rate": 4}]}, lambda p: line(p).Quantity, D("2.5")),
    (
        "Discount → a separate line",
        {"discount": "5.00"},
        lambda p: extra_line(p, "Discount"),
        (D(1), D("-5.00"), "260", "NONE"),
    ),
    (
        "Tax → Tax rate",
        {"lines": [{"quantity": 1, "rate": 10, "tax_id": "gst15"}]},
        lambda p: line(p).TaxType,
        "OUTPUT2",
    ),
    ("Tax Type → Amounts are", {"amounts_are": "inclusive"}, lambda p: p.LineAmountTypes, LineAmountType.INCLUSIVE),
    (
        "Shipping Charges → a separate line",
        {"shipping_charge": "7.50", "shipping_tax_id": "gst15"},
        lambda p: extra_line(p, "Shipping charges"),
        (D(1), D("7.50"), "260", "OUTPUT2"),
    ),
    (
        "Adjustments → a separate line",
        {"adjustment": "-2.00", "adjustment_description": "Loyalty credit"},
        lambda p: extra_line(p, "Loyalty credit"),
        (D(1), D("-2.00"), "260", "NONE"),
    ),
    (
        "Round Off → a separate line",
        {"round_off": "-0.02"},
        lambda p: extra_line(p, "Round off"),
        (D(1), D("-0.02"), "260", "NONE"),
    ),
]
SEED_001_EXTRA_SALES_ROWS: list[tuple[str, dict[str, Any], Callable[[Any], Any], Any]] = [
    ("Currency code → Currency code", {"currency": "EUR", "exchange_rate": "1.85"}, lambda p: p.CurrencyCode, "EUR"),
    (
        "Exchange rate → Exchange rate (Xero's direction)",
        {"currency": "EUR", "exchange_rate": "1.85"},
        lambda p: p.CurrencyRate,
        D("0.540541"),
    ),
    (
        "Item name and description → description",
        {"lines": [{"item_name": "Espresso beans 1kg", "description": "Single origin", "quantity": 1, "rate": 1}]},
        lambda p: line(p).Description,
        "Espresso beans 1kg\nSingle origin",
    ),
]
DUE_DATE_ROW = ("Due Date → Due date", {"due_date": "2026-12-01"}, lambda p: p.DueDate.isoformat(), "2026-12-01")


def _sales_params() -> list[Any]:
    params = []
    for name, fields, extract, expected in [*SALES_ROWS, DUE_DATE_ROW]:
        params.append(
            pytest.param(E.INVOICE, fields, extract, expected, id=f"seed 000 invoices: {name}".replace("→", "->"))
        )
        if (name, fields) != DUE_DATE_ROW[:2]:  # Xero credit notes have no due date
            params.append(
                pytest.param(
                    E.CREDIT_NOTE, fields, extract, expected, id=f"seed 000 credit notes: {name}".replace("→", "->")
                )
            )
    for name, fields, extract, expected in [*SALES_ROWS, DUE_DATE_ROW, *SEED_001_EXTRA_SALES_ROWS]:
        params.append(
            pytest.param(E.INVOICE, fields, extract, expected, id=f"seed 001 invoices: {name}".replace("→", "->"))
        )
    return params


@pytest.mark.parametrize(("entity", "fields", "extract", "expected"), _sales_params())
def test_sales_document_field_rows(entity, fields, extract, expected):
    data = invoice(**fields) if entity is E.INVOICE else credit_note(**fields)
    assert extract(ok(entity, data)) == expected


BILL_ROWS: list[tuple[str, dict[str, Any], Callable[[Any], Any], Any]] = [
    (
        "Bill# → Reference (Xero's InvoiceNumber)",
        {"number": "SUP-991"},
        lambda p: (p.InvoiceNumber, p.Reference),
        ("SUP-991", None),
    ),
    ("Bill Date → Date", {"date": "2026-10-30"}, lambda p: p.Date.isoformat(), "2026-10-30"),
    ("Due Date → Due date", {"due_date": "2026-11-30"}, lambda p: p.DueDate.isoformat(), "2026-11-30"),
    ("Currency Code → Currency code", {"currency": "EUR", "exchange_rate": "2"}, lambda p: p.CurrencyCode, "EUR"),
    ("Exchange rate → Exchange rate", {"currency": "EUR", "exchange_rate": "2"}, lambda p: p.CurrencyRate, D("0.5")),
    (
        "Item name and description → description",
        {"lines": [{"item_name": "Green beans", "description": "Colombia", "quantity": 1, "rate": 1}]},
        lambda p: line(p).Description,
        "Green beans\nColombia",
    ),
    ("Item rate → Unit price", {"lines": [{"quantity": 1, "rate": "8.125"}]}, lambda p: line(p).UnitAmount, D("8.125")),
    ("Item quantity → Qty", {"lines": [{"quantity": 40, "rate": 8}]}, lambda p: line(p).Quantity, D(40)),
    (
        "Discount → a separate line",
        {"discount": "3.00"},
        lambda p: extra_line(p, "Discount"),
        (D(1), D("-3.00"), "310", "NONE"),
    ),
    (
        "Tax → Tax rate (the purchases tax type)",
        {"lines": [{"quantity": 1, "rate": 1, "tax_id": "gst15"}]},
        lambda p: line(p).TaxType,
        "INPUT2",
    ),
    (
        "Adjustments → a separate line",
        {"adjustment": "1.10"},
        lambda p: extra_line(p, "Adjustment"),
        (D(1), D("1.10"), "310", "NONE"),
    ),
]


@pytest.mark.parametrize(
    ("fields", "extract", "expected"),
    [pytest.param(f, x, e, id=f"seed 001 bills: {n}".replace("→", "->")) for n, f, x, e in BILL_ROWS],
)
def test_bill_field_rows(fields, extract, expected):
    assert extract(ok(E.BILL, bill(**fields))) == expected


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
    assert (
        "0.061171 was sent as 0.0612; the line amount is 61.20 in Xero instead of 61.17 (difference 0.03)"
        in rounded.message
    )
    # 1000 × 0.0612 = 61.20 + 15 % = 70.38 in Xero; the host said 70.35 (61.17 + 9.18)
    mismatch = mapped(
        E.INVOICE, invoice(lines=[{"quantity": 1000, "rate": "0.061171", "tax_id": "gst15"}], total="70.35")
    )
    assert mismatch.totals.total == D("70.38")
    assert mismatch.notices[-1].params["difference"] == "-0.03"


def test_line_discount_percent_on_invoices_is_discount_rate():
    payload = ok(
        E.INVOICE, invoice(lines=[{"quantity": 3, "rate": "19.99", "discount_percent": 10, "tax_id": "gst15"}])
    )
    assert payload.LineItems[0].DiscountRate == D(10)


def test_no_tax_documents_send_no_tax_type():
    payload = ok(E.INVOICE, invoice(amounts_are="no_tax", discount="1.00"))
    assert payload.LineAmountTypes is LineAmountType.NO_TAX
    assert {li.TaxType for li in payload.LineItems} == {None}


def test_inclusive_invoice_totals():
    result = mapped(
        E.INVOICE, invoice(amounts_are="inclusive", lines=[{"quantity": 1, "rate": "115", "tax_id": "gst15"}])
    )
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
    result = mapped(
        E.BILL, bill(lines=[{"item_name": "Sack", "quantity": 3, "rate": "0.07", "discount_percent": "33.3333"}])
    )
    line = result.payload.LineItems[0]
    assert (line.Quantity, line.UnitAmount, line.DiscountRate) == (D(3), D("0.0467"), None)
    assert result.unitdp == 4 and result.notices == ()


def test_bill_discount_that_cannot_be_folded_exactly_goes_as_one_line_amount():
    # 1000 × 1.11 less 12.3457 % = 972.957… → 972.96, but a 4-place unit 0.9730 × 1000 = 973.00
    result = mapped(
        E.BILL, bill(lines=[{"item_name": "Beans", "quantity": 1000, "rate": "1.11", "discount_percent": "12.3457"}])
    )
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
    assert extra_line(payload, "Discount") == (D(1), D("-1.00"), "310", "NONE")
