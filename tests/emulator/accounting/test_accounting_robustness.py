"""Whatever a client sends, the engine answers like Xero — 200, 400 or 404 in Xero's shapes —
and never fails with an exception (which the platform would turn into a 500). Every answer is
also checked against the OpenAPI document and the SDK by ``Engine.call``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.accounting.helpers import Engine, new_books

FIELDS = [
    "Type", "Contact", "ContactID", "Name", "LineItems", "Description", "Quantity", "UnitAmount", "AccountCode",
    "TaxType", "Status", "Date", "DueDate", "CurrencyCode", "CurrencyRate", "LineAmountTypes", "InvoiceNumber",
    "Reference", "Invoice", "CreditNote", "Account", "Code", "Amount", "BankAccount", "Addresses", "Phones",
    "ContactPersons", "AddressType", "PhoneType", "TaxComponents", "Rate", "IsCompound", "DiscountRate",
    "TaxAmount", "LineAmount", "Tracking", "InvoiceID", "CreditNoteID", "PaymentID", "EmailAddress",
    "ContactStatus", "PaymentTerms", "Sales", "Day", "EnablePaymentsToAccount", "BankAccountNumber",
    "ReportTaxType", "IsReconciled", "LineItemID", "SentToContact", "Total", "DefaultCurrency", "AccountID",
    "Narration", "JournalLines", "ItemCode", "Option", "TrackingCategoryID", "TrackingOptionID", "SalesDetails",
    "PurchaseDetails", "UnitPrice", "COGSAccountCode", "InventoryAssetAccountCode", "IsTrackedAsInventory",
    "IsSold", "Options",
]  # fmt: skip
PLAUSIBLE = [
    "ACCREC", "ACCPAY", "ACCRECCREDIT", "AUTHORISED", "DRAFT", "DELETED", "VOIDED", "200", "090", "970",
    "OUTPUT2", "TAX002", "NZD", "USD", "2026-01-01", "/Date(0)/", "SPEND", "RECEIVE", "Inclusive", "POBOX",
    "MOBILE", "INV-0001", "CN-0001", "Region", "North", "ITEM-1", "630", "310",
]  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_engine(accounting_checker):
    engine = Engine(new_books(), accounting_checker)
    contact = engine.contact("Fuzz Ltd")
    invoice = engine.invoice(contact["ContactID"])
    credit = engine.credit_note(contact["ContactID"])
    payment = engine.ok(engine.pay(invoice["InvoiceID"], 1), "Payments")
    item = engine.ok(engine.put("/Items", {"Code": "ITEM-1", "SalesDetails": {"AccountCode": "200"}}), "Items")
    region = engine.get("/TrackingCategories").body["TrackingCategories"][0]
    ids = [contact["ContactID"], invoice["InvoiceID"], credit["CreditNoteID"], payment["PaymentID"], item["ItemID"],
           region["TrackingCategoryID"], region["Options"][0]["TrackingOptionID"]]  # fmt: skip
    return engine, ids


def _json(ids):
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**16), 10**16),
        st.floats(),
        st.text(max_size=12),
        st.sampled_from(PLAUSIBLE + ids),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=6)
        ),
        max_leaves=12,
    )


ENDPOINTS = [
    ("PUT", "/Contacts", "Contacts"),
    ("POST", "/Contacts", "Contacts"),
    ("POST", "/Contacts/{0}", "Contacts"),
    ("PUT", "/Invoices", "Invoices"),
    ("POST", "/Invoices", "Invoices"),
    ("POST", "/Invoices/{1}", "Invoices"),
    ("PUT", "/CreditNotes", "CreditNotes"),
    ("POST", "/CreditNotes/{2}", "CreditNotes"),
    ("PUT", "/CreditNotes/{2}/Allocations", "Allocations"),
    ("PUT", "/Payments", "Payments"),
    ("POST", "/Payments", "Payments"),
    ("POST", "/Payments/{3}", "Payments"),
    ("PUT", "/BankTransactions", "BankTransactions"),
    ("POST", "/BankTransactions", "BankTransactions"),
    ("PUT", "/Accounts", "Accounts"),
    ("PUT", "/TaxRates", "TaxRates"),
    ("POST", "/TaxRates", "TaxRates"),
    ("PUT", "/Currencies", "Currencies"),
    ("PUT", "/ContactGroups", "ContactGroups"),
    ("PUT", "/ManualJournals", "ManualJournals"),
    ("PUT", "/Items", "Items"),
    ("POST", "/Items", "Items"),
    ("POST", "/Items/{4}", "Items"),
    ("PUT", "/TrackingCategories", "TrackingCategories"),
    ("POST", "/TrackingCategories/{5}", "TrackingCategories"),
    ("PUT", "/TrackingCategories/{5}/Options", "Options"),
    ("POST", "/TrackingCategories/{5}/Options/{6}", "Options"),
]


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_write_body_gets_a_xero_shaped_answer(fuzz_engine, data):
    engine, ids = fuzz_engine
    method, template, collection = data.draw(st.sampled_from(ENDPOINTS))
    elements = data.draw(st.lists(st.dictionaries(st.sampled_from(FIELDS), _json(ids), max_size=8), max_size=3))
    wrapped = data.draw(st.booleans())
    body = {collection: elements} if wrapped else (elements[0] if elements else {})
    query = data.draw(st.sampled_from([{}, {"summarizeErrors": "false"}, {"unitdp": "4"}]))
    response = engine.call(method, template.format(*ids), body, query=query)
    assert response.status in (200, 400, 404)


WHERE_TOKENS = [
    *'()"=!<>&|. ,-',
    "==", "!=", ">=", "Status", "AND", "OR", "NOT", "Date", "DateTime", "Parse", "guid", "Contains", "ToLower",
    "Total", "Contact", "ContactID", "1", "2026", "1.5", "null", "true", '"abc"', '"2026-01-01"',
]  # fmt: skip


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    where=st.lists(st.sampled_from(WHERE_TOKENS), max_size=14).map("".join),
    order=st.sampled_from(["", "Date", "x DESC", "Date DESC DESC"]),
)
def test_any_where_or_order_is_answered_200_or_400(fuzz_engine, where, order):
    engine, _ = fuzz_engine
    response = engine.get("/Invoices", query={"where": where, "order": order})
    assert response.status in (200, 400)
