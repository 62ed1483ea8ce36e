"""Test helpers for the accounting engine: call ``Books.handle`` directly (fast, no HTTP) and
check every response the way a real client would see it.

``Engine.call`` checks each response three ways, so that every test is also a fidelity test:
  1. the body is JSON-serialisable (what the platform sends on the wire);
  2. 2xx and 400 bodies validate *strictly* against Xero's OpenAPI document
     (tests/emulator/openapi_validation.py, the platform's checker: undeclared fields fail);
  3. the official xero-python SDK deserialises the body into its models without error.
"""

from __future__ import annotations

import importlib
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from local.xero_emulator.accounting import Books, seed_demo_company
from local.xero_emulator.interfaces import AccountingRequest, AccountingResponse

TENANT_ID = "7a9f3c1e-1111-4222-8333-944455556666"
START = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)

# Seeded chart of accounts (seed.py) — the codes tests rely on.
BANK = "090"
USD_BANK = "091"
SALES = "200"
ARCHIVED_SALES = "210"
PURCHASES = "300"
BANK_FEES = "404"
BAD_DEBTS = "408"
RECEIVABLES = "610"
INVENTORY = "630"
ROUNDING = "860"
FUNDS_INTRODUCED = "970"  # EnablePaymentsToAccount, not a bank account

_SDK_TYPES = {
    "Invoices",
    "Contacts",
    "Payments",
    "CreditNotes",
    "BankTransactions",
    "Accounts",
    "TaxRates",
    "Currencies",
    "ContactGroups",
    "Organisations",
    "Allocations",
    "Actions",
    "ManualJournals",
    "TrackingCategories",
    "Options",
    "Items",
}
# Body key → SDK model, where they differ.
_SDK_MODEL_OF = {"Options": "TrackingOptions"}


def sdk_deserialize(type_name: str, body: Any) -> Any:
    """What ``AccountingApi`` does with a response body (floats parsed as Decimal)."""
    from xero_python.api_client import ModelFinder
    from xero_python.api_client.deserializer import deserialize

    data = json.loads(json.dumps(body), parse_float=Decimal)
    finder = ModelFinder(importlib.import_module("xero_python.accounting.models"))
    return deserialize(type_name, data, finder)


class Engine:
    """One tenant's books driven like the platform drives them, with an adjustable clock."""

    def __init__(self, books: Books, checker: Any | None) -> None:
        self.books = books
        self.checker = checker
        self.now = START

    # --- the seam -------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> AccountingResponse:
        request = AccountingRequest(
            method=method,
            path=path,
            query=dict(query or {}),
            headers={k.lower(): v for k, v in (headers or {}).items()},
            body=body,
            now=self.now,
        )
        response = self.books.handle(request)
        self._check(request, response)
        return response

    def get(self, path: str, **kwargs: Any) -> AccountingResponse:
        return self.call("GET", path, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> AccountingResponse:
        return self.call("PUT", path, body, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> AccountingResponse:
        return self.call("POST", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> AccountingResponse:
        return self.call("DELETE", path, **kwargs)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    # --- checks ---------------------------------------------------------------------------

    def _check(self, request: AccountingRequest, response: AccountingResponse) -> None:
        text_body = isinstance(response.body, str)
        payload = (
            b""
            if response.body is None
            else (response.body.encode() if text_body else json.dumps(response.body).encode())
        )
        if self.checker is not None:
            path, method = "/api.xro/2.0" + request.path, request.method
            if response.status == 400:
                # Every 400 body is schema ``Error`` (xero-facts §7), but the document declares
                # no 400 on reads (a bad ``where``) nor on some writes (PUT /Currencies); check
                # every 400 as the 400 of PUT /Contacts, which is exactly ``Error``.
                path, method = "/api.xro/2.0/Contacts", "PUT"
            record = {
                "path": path,
                "method": method,
                "status": response.status,
                # what the platform adds to every response (checked by the platform's tests)
                "headers": {
                    "Xero-Correlation-Id": "test",
                    "X-DayLimit-Remaining": "4999",
                    "X-MinLimit-Remaining": "59",
                    "X-AppMinLimit-Remaining": "9999",
                    "Content-Type": "text/plain" if text_body else "application/json",
                    **response.headers,
                },
                "request_headers": {"xero-tenant-id": TENANT_ID, "Accept": "application/json"},
                "body": payload,
                "content_type": "text/plain" if text_body else "application/json",
            }
            violations = self.checker.check(record)
            assert not violations, "response violates Xero's OpenAPI document:\n" + "\n".join(violations)
        if isinstance(response.body, dict):
            self._check_sdk(request, response)

    def _check_sdk(self, request: AccountingRequest, response: AccountingResponse) -> None:
        body = response.body
        assert isinstance(body, dict)
        if response.status == 400:
            sdk_deserialize("Error", body)
            return
        if request.method == "DELETE" and "AllocationID" in body:
            sdk_deserialize("Allocation", body)
            return
        collections = [key for key in body if key in _SDK_TYPES]
        assert len(collections) == 1, f"no single collection in {list(body)}"
        sdk_deserialize(_SDK_MODEL_OF.get(collections[0], collections[0]), body)

    # --- builders (each asserts success and returns the created record) ----------------------

    def ok(self, response: AccountingResponse, collection: str) -> dict[str, Any]:
        assert response.status == 200, json.dumps(response.body, indent=1)[:3000]
        items = response.body[collection]
        assert len(items) == 1
        return items[0]

    def contact(self, name: str = "Harbour Cafe Ltd", **fields: Any) -> dict[str, Any]:
        return self.ok(self.put("/Contacts", {"Contacts": [{"Name": name, **fields}]}), "Contacts")

    def invoice(self, contact_id: str, **fields: Any) -> dict[str, Any]:
        element = invoice_element(contact_id, **fields)
        return self.ok(self.put("/Invoices", {"Invoices": [element]}), "Invoices")

    def credit_note(self, contact_id: str, **fields: Any) -> dict[str, Any]:
        element = credit_note_element(contact_id, **fields)
        return self.ok(self.put("/CreditNotes", {"CreditNotes": [element]}), "CreditNotes")

    def pay(self, invoice_id: str, amount: Any, account: str = BANK, **fields: Any) -> AccountingResponse:
        element = {
            "Invoice": {"InvoiceID": invoice_id},
            "Account": {"Code": account},
            "Date": "2026-03-05",
            "Amount": amount,
        }
        element.update(fields)
        return self.put("/Payments", {"Payments": [element]})

    def allocate(self, credit_note_id: str, invoice_id: str, amount: Any, **query: str) -> AccountingResponse:
        body = {"Allocations": [{"Invoice": {"InvoiceID": invoice_id}, "Amount": amount, "Date": "2026-03-06"}]}
        return self.put(f"/CreditNotes/{credit_note_id}/Allocations", body, query=query)


def invoice_element(contact_id: str, **fields: Any) -> dict[str, Any]:
    """An AUTHORISED ACCREC invoice for 100.00 + 15 % GST unless ``fields`` say otherwise."""
    element: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "Date": "2026-03-01",
        "DueDate": "2026-03-31",
        "Status": "AUTHORISED",
        "LineItems": [
            {"Description": "Consulting", "Quantity": 1, "UnitAmount": 100, "AccountCode": SALES, "TaxType": "OUTPUT2"}
        ],
    }
    element.update(fields)
    return element


def credit_note_element(contact_id: str, **fields: Any) -> dict[str, Any]:
    """An AUTHORISED ACCRECCREDIT credit note for 20.00 + 15 % GST unless ``fields`` say otherwise."""
    element: dict[str, Any] = {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactID": contact_id},
        "Date": "2026-03-02",
        "Status": "AUTHORISED",
        "LineItems": [
            {
                "Description": "Returned goods",
                "Quantity": 1,
                "UnitAmount": 20,
                "AccountCode": SALES,
                "TaxType": "OUTPUT2",
            }
        ],
    }
    element.update(fields)
    return element


def messages_of(response: AccountingResponse) -> list[str]:
    """Every validation message of a 400 or a summarizeErrors=false response."""
    body = response.body
    elements = (
        body.get("Elements")
        if response.status == 400
        else next((v for k, v in body.items() if isinstance(v, list) and k not in ("Warnings",)), [])
    )
    found = []
    for element in elements or []:
        for error in element.get("ValidationErrors", []):
            found.append(error["Message"])
    return found


def ms(value: date | datetime) -> str:
    """Expected wire form of a date."""
    from local.xero_emulator.accounting.wire import ms_date

    return ms_date(value)


def new_books(base_currency: str = "NZD", tenant_id: str = TENANT_ID) -> Books:
    return seed_demo_company(tenant_id, "Demo Company (NZ)", base_currency, START)
