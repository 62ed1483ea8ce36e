"""Per-element results of summarizeErrors=false batches and 400 ValidationException bodies (§3.3)."""

from __future__ import annotations

from xero_sync.xero.elements import (
    ElementStatus,
    element_messages,
    parse_element_results,
    parse_validation_exception,
)

BATCH = {
    "Id": "e0b8",
    "Status": "OK",
    "ProviderName": "xero-sync",
    "DateTimeUTC": "/Date(1700000000000)/",
    "Invoices": [
        {"InvoiceNumber": "INV-1", "InvoiceID": "a1", "StatusAttributeString": "OK"},
        {
            "InvoiceNumber": "INV-2",
            "InvoiceID": "a2",
            "StatusAttributeString": "WARNING",
            "Warnings": [{"Message": "Only AUTHORISED invoices may have SentToContact updated."}],
        },
        {
            "InvoiceNumber": "INV-3",
            "StatusAttributeString": "ERROR",
            "HasErrors": True,
            "ValidationErrors": [{"Message": "Invoice # must be unique."}],
            "LineItems": [
                {"Description": "x", "ValidationErrors": [{"Message": "Account code '9' is not a valid code."}]}
            ],
        },
    ],
}


def test_batch_results_in_request_order_with_status_and_messages():
    results = parse_element_results(BATCH, "Invoices")
    assert [r.index for r in results] == [0, 1, 2]
    assert [r.status for r in results] == [ElementStatus.OK, ElementStatus.WARNING, ElementStatus.ERROR]
    assert results[0].saved and results[1].saved and not results[2].saved
    assert results[1].warnings == ["Only AUTHORISED invoices may have SentToContact updated."]
    # a line's error is reported with the element
    assert results[2].errors == ["Invoice # must be unique.", "Account code '9' is not a valid code."]
    assert results[0].element["InvoiceID"] == "a1"


def test_collection_found_without_naming_it():
    assert len(parse_element_results(BATCH)) == 3


def test_status_inferred_when_status_attribute_missing():
    body = {
        "Payments": [
            {"PaymentID": "p1"},
            {
                "HasValidationErrors": True,
                "ValidationErrors": [{"Description": "Payment amount exceeds the amount outstanding"}],
            },
            {"HasErrors": True},
            {"Warnings": ["check the date"]},
        ]
    }
    results = parse_element_results(body, "Payments")
    assert [r.status for r in results] == ["OK", "ERROR", "ERROR", "WARNING"]
    assert results[1].errors == ["Payment amount exceeds the amount outstanding"]
    assert results[2].errors  # never an ERROR without a reason
    assert results[3].warnings == ["check the date"]


def test_unexpected_shapes_give_no_results():
    assert parse_element_results(None) == []
    assert parse_element_results({"Invoices": "nope"}, "Invoices") == []
    assert parse_element_results({"Status": "OK"}) == []


def test_validation_exception_elements():
    body = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": [
            {
                "Name": "Harbour Cafe",
                "ValidationErrors": [
                    {"Message": "The contact name Harbour Cafe is already assigned to another contact."}
                ],
            },
            {"Name": "No reason given"},
        ],
    }
    results = parse_validation_exception(body)
    assert [r.status for r in results] == ["ERROR", "ERROR"]
    assert results[0].errors == ["The contact name Harbour Cafe is already assigned to another contact."]
    assert results[1].errors == ["A validation exception occurred"]
    assert element_messages(results) == [
        "[0] The contact name Harbour Cafe is already assigned to another contact.",
        "[1] A validation exception occurred",
    ]


def test_validation_exception_garbage():
    assert parse_validation_exception("oops") == []
    assert parse_validation_exception({"Elements": ["x"]}) == []
