"""Host record schemas (SPEC §7): what is accepted, what is refused, and how errors name fields."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from xero_sync.models.fields import parse_decimal
from xero_sync.models.records import (
    MODEL_BY_ENTITY,
    AmountsAre,
    DocumentStatus,
    EntityName,
    Invoice,
    RecordAction,
    RecordEnvelope,
    parse_envelope,
    parse_record,
)

SPEC_EXAMPLE = """{"records": [
  {"entity": "contact", "id": "cus-17", "version": 2, "action": "upsert",
   "data": {"display_name": "Harbour Cafe Ltd", "kind": "customer", "email": "ap@harbourcafe.example",
            "billing_address": {"line1": "12 Quay St", "city": "Auckland", "country": "NZ"}, "currency": "NZD"}},
  {"entity": "invoice", "id": "inv-1042", "version": 5, "action": "upsert",
   "data": {"number": "INV-1042", "contact_id": "cus-17", "date": "2026-11-02", "due_date": "2026-12-02",
            "status": "open", "currency": "NZD", "amounts_are": "exclusive",
            "lines": [{"item_name": "Espresso beans 1kg", "description": "Single origin", "quantity": 12,
                       "rate": "31.5", "tax_id": "gst15", "account_code": "200"}],
            "discount": "10.00", "shipping_charge": "15.00", "shipping_tax_id": "gst15", "round_off": "0.01",
            "total": "441.96"}}
]}"""

MINIMAL: dict[EntityName, dict[str, Any]] = {
    EntityName.CONTACT: {"display_name": "A"},
    EntityName.INVOICE: {"number": "1", "contact_id": "c", "date": "2026-01-01", "lines": [{"quantity": 1, "rate": 0}]},
    EntityName.INVOICE_PAYMENT: {"invoice_id": "i", "date": "2026-01-01", "amount": 1, "account_code": "090"},
    EntityName.BANK_CHARGE: {"date": "2026-01-01", "amount": "0.5", "account_code": "090"},
    EntityName.WRITE_OFF: {"invoice_id": "i", "date": "2026-01-01"},
    EntityName.CREDIT_NOTE: {
        "number": "1",
        "contact_id": "c",
        "date": "2026-01-01",
        "lines": [{"quantity": 1, "rate": 1}],
    },
    EntityName.CREDIT_NOTE_ALLOCATION: {"credit_note_id": "n", "invoice_id": "i", "amount": 1, "date": "2026-01-01"},
    EntityName.CREDIT_NOTE_REFUND: {"credit_note_id": "n", "date": "2026-01-01", "amount": 1, "account_code": "090"},
    EntityName.BILL: {"number": "1", "vendor_id": "v", "date": "2026-01-01", "lines": [{"quantity": 1, "rate": 1}]},
    EntityName.BILL_PAYMENT: {"bill_id": "b", "date": "2026-01-01", "amount": 1, "account_code": "090"},
    EntityName.VENDOR_CREDIT: {
        "number": "1",
        "vendor_id": "v",
        "date": "2026-01-01",
        "lines": [{"quantity": 1, "rate": 1}],
    },
    EntityName.VENDOR_CREDIT_ALLOCATION: {"vendor_credit_id": "n", "bill_id": "b", "amount": 1, "date": "2026-01-01"},
    EntityName.VENDOR_CREDIT_REFUND: {
        "vendor_credit_id": "n",
        "date": "2026-01-01",
        "amount": 1,
        "account_code": "090",
    },
    EntityName.ITEM: {"code": "BEANS-1"},
}


def envelope(entity: str = "invoice", **overrides: Any) -> dict[str, Any]:
    data = {"entity": entity, "id": "x-1", "version": 1, "action": "upsert", "data": dict(MINIMAL[EntityName(entity)])}
    data.update(overrides)
    return data


def errors(raw: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        parse_envelope(raw)
    return [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]


def invoice_with(**data: Any) -> dict[str, Any]:
    return envelope("invoice", data={**MINIMAL[EntityName.INVOICE], **data})


def test_spec_example_parses_with_decimals():
    body = json.loads(SPEC_EXAMPLE, parse_float=D)
    contact, invoice = (parse_envelope(raw) for raw in body["records"])
    assert contact.data.billing_address.city == "Auckland"
    assert isinstance(invoice.data, Invoice)
    assert invoice.data.lines[0].rate == D("31.5") and invoice.data.lines[0].quantity == D(12)
    assert invoice.data.total == D("441.96") and invoice.data.status is DocumentStatus.OPEN
    assert invoice.data.amounts_are is AmountsAre.EXCLUSIVE
    assert invoice.entity_name is EntityName.INVOICE and invoice.action is RecordAction.UPSERT


def test_floats_are_converted_through_their_shortest_text():
    body = json.loads(SPEC_EXAMPLE.replace('"rate": "31.5"', '"rate": 0.1'))  # plain json.loads: a float
    invoice = parse_envelope(body["records"][1])
    assert invoice.data.lines[0].rate == D("0.1")  # not 0.1000000000000000055511151231257827…


@pytest.mark.parametrize("entity", list(EntityName))
def test_every_entity_has_a_minimal_record(entity):
    record = parse_envelope(envelope(entity.value))
    assert isinstance(record.data, MODEL_BY_ENTITY[entity])
    assert parse_record(entity, MINIMAL[entity]) == record.data


@pytest.mark.parametrize(
    "value", [True, "abc", "1e3", "NaN", "Infinity", float("nan"), float("inf"), "1,000.00", None, [1]]
)
def test_bad_numbers_are_refused(value):
    with pytest.raises(ValueError):
        parse_decimal(value)


# Issue 9: digits other than ASCII 0-9 (which Decimal() reads) and surrounding blanks are refused,
# so the amount stored is exactly the text the host sent.
@pytest.mark.parametrize("value", ["１２３", "١٢٣", "१२३", " 5 ", "5 ", "\t5", "  31.50 ", "5\n", "1\u00a0000"])
def test_non_ascii_digits_and_blanks_are_refused(value):
    with pytest.raises(ValueError, match="digits 0-9"):
        parse_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"), [(12, "12"), ("31.50", "31.50"), (D("1.5"), "1.5"), ("-.5", "-0.5"), (2.675, "2.675")]
)
def test_good_numbers(value, expected):
    assert parse_decimal(value) == D(expected)


def test_huge_numbers_are_refused():
    with pytest.raises(ValueError, match="too large"):
        parse_decimal("10000000000000")


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        ({"lines": [{"quantity": 0, "rate": 1}]}, ("lines", 0, "quantity"), "greater than 0"),
        ({"lines": [{"quantity": -1, "rate": 1}]}, ("lines", 0, "quantity"), "greater than 0"),
        ({"lines": [{"quantity": 1, "rate": -1}]}, ("lines", 0, "rate"), "greater than or equal to 0"),
        ({"lines": [{"quantity": "1.00001", "rate": 1}]}, ("lines", 0, "quantity"), "at most 4 decimal places"),
        (
            {"lines": [{"quantity": 1, "rate": 1, "discount_percent": 101}]},
            ("lines", 0, "discount_percent"),
            "less than or equal to 100",
        ),
        ({"lines": []}, ("lines",), "at least 1 item"),
        ({"currency": "EURO"}, ("currency",), "ISO 4217 currency code of 3 letters"),
        ({"currency": "E1R"}, ("currency",), "ISO 4217"),
        ({"exchange_rate": 0}, ("exchange_rate",), "greater than 0"),
        ({"exchange_rate": "-1.2"}, ("exchange_rate",), "greater than 0"),
        ({"discount": "1.005"}, ("discount",), "at most 2 decimal places"),
        ({"discount": "-1"}, ("discount",), "greater than or equal to 0"),
        ({"total": "abc"}, ("total",), "decimal number"),
        ({"date": "02/11/2026"}, ("date",), "YYYY-MM-DD"),
        ({"date": "2026-11-2"}, ("date",), "YYYY-MM-DD"),
        ({"date": 1700000000}, ("date",), "YYYY-MM-DD"),
        ({"date": "2026-02-30"}, ("date",), "not a valid calendar date"),
        ({"status": "paid"}, ("status",), "'draft', 'open' or 'void'"),
        ({"amounts_are": "gross"}, ("amounts_are",), "'exclusive', 'inclusive' or 'no_tax'"),
        ({"number": ""}, ("number",), "at least 1 character"),
        (
            {"lines": [{"quantity": 1, "rate": 1, "account_code": "12345678901"}]},
            ("lines", 0, "account_code"),
            "at most 10",
        ),
    ],
)
def test_validation_errors_name_the_field(data, loc, message):
    found = errors(invoice_with(**data))
    assert any(where == ("invoice", "data", *loc) and message in m for where, m in found), found


def test_required_fields_are_named():
    found = errors(envelope("invoice", data={}))
    assert {where[-1] for where, _ in found} == {"number", "contact_id", "date", "lines"}
    found = errors(envelope("invoice_payment", data={"invoice_id": "i"}))
    assert {where[-1] for where, _ in found} == {"date", "amount", "account_code"}


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        (invoice_with(colour="red"), ("invoice", "data", "colour")),
        (invoice_with(lines=[{"quantity": 1, "rate": 1, "sku": "x"}]), ("invoice", "data", "lines", 0, "sku")),
        (
            envelope("contact", data={"display_name": "A", "billing_address": {"street": "x"}}),
            ("contact", "data", "billing_address", "street"),
        ),
        ({**envelope(), "priority": 1}, ("invoice", "priority")),
    ],
)
def test_unknown_fields_are_refused(raw, loc):
    assert (loc, "Extra inputs are not permitted") in errors(raw)


def test_custom_fields_are_a_free_object():
    record = parse_envelope(invoice_with(custom_fields={"po_number": "PO-1", "nested": {"a": [1, 2]}, "n": 3}))
    assert record.data.custom_fields == {"po_number": "PO-1", "nested": {"a": [1, 2]}, "n": 3}


def test_currency_is_normalised_to_upper_case():
    assert parse_envelope(invoice_with(currency=" eur ")).data.currency == "EUR"


def test_blank_optional_texts_count_as_absent():
    record = parse_envelope(invoice_with(reference="   ", lines=[{"quantity": 1, "rate": 1, "tax_id": ""}]))
    assert record.data.reference is None and record.data.lines[0].tax_id is None


def test_emails_are_checked():
    found = errors(envelope("contact", data={"display_name": "A", "email": "not-an-email"}))
    assert found == [(("contact", "data", "email"), "Value error, must be an email address such as name@example.com")]


def test_contact_person_limits():
    too_many = [{"first_name": str(n)} for n in range(51)]
    assert errors(envelope("contact", data={"display_name": "A", "contact_persons": too_many}))


# --- the envelope -----------------------------------------------------------------------------


def test_delete_has_no_data():
    record = parse_envelope({"entity": "invoice_payment", "id": "p-1", "version": 4, "action": "delete"})
    assert record.data is None and record.action is RecordAction.DELETE


def test_delete_with_data_is_refused():
    [(loc, message)] = errors(envelope(action="delete"))
    assert loc == ("invoice",) and "data must be omitted when action is delete" in message


def test_upsert_without_data_is_refused():
    [(_loc, message)] = errors({"entity": "invoice", "id": "x", "version": 1, "action": "upsert"})
    assert "data is required when action is upsert" in message


@pytest.mark.parametrize("version", [-1, True, "3", 1.5, None])
def test_version_is_a_non_negative_integer(version):
    assert any(loc[-1] == "version" for loc, _ in errors(envelope(version=version)))


def test_unknown_entity_lists_the_known_ones():
    [(_, message)] = errors({"entity": "quote", "id": "x", "version": 1, "action": "delete"})
    assert "'quote'" in message and "'vendor_credit_refund'" in message


def test_bad_action_and_id():
    found = errors(envelope(action="upsertt", id=""))
    assert {loc[-1] for loc, _ in found} == {"action", "id"}


# --- OpenAPI ------------------------------------------------------------------------------------


def test_envelopes_render_in_a_json_schema():
    schema = TypeAdapter(list[RecordEnvelope]).json_schema(ref_template="#/components/schemas/{model}")
    defs = schema["$defs"]
    assert schema["items"]["discriminator"]["propertyName"] == "entity"
    assert len(schema["items"]["oneOf"]) == len(EntityName)
    assert defs["Invoice"]["additionalProperties"] is False
    assert defs["Invoice"]["properties"]["custom_fields"]["additionalProperties"] is True
    assert defs["DocumentLine"]["properties"]["quantity"]["anyOf"][0] == {"exclusiveMinimum": 0.0, "type": "number"}
    assert set(defs["Invoice"]["required"]) == {"number", "contact_id", "date", "lines"}
    json.dumps(schema)  # plain JSON, no exotic types


@pytest.mark.parametrize("code", ["", "   ", None])
def test_an_item_without_a_code_is_refused_naming_the_field(code):
    # Seed 002: "The Part number in Zoho CRM and Item number in Xero should not be an empty value"
    data = {"name": "Beans"} if code is None else {"code": code, "name": "Beans"}
    with pytest.raises(ValidationError) as error:
        parse_envelope({"entity": "item", "id": "i-1", "version": 1, "action": "upsert", "data": data})
    assert [e["loc"][-1] for e in error.value.errors()] == ["code"]


def test_lines_may_name_an_item_and_its_unit_cost():
    line = {"quantity": 2, "rate": "31.5", "item_code": "BEANS-1", "unit_cost": "18.5", "custom_fields": {"r": "N"}}
    parsed = parse_envelope(envelope("invoice", data={**MINIMAL[EntityName.INVOICE], "lines": [line]}))
    assert parsed.data.lines[0].item_code == "BEANS-1" and str(parsed.data.lines[0].unit_cost) == "18.5"
    with pytest.raises(ValidationError):
        parse_envelope(
            envelope("invoice", data={**MINIMAL[EntityName.INVOICE], "lines": [{**line, "unit_cost": "-1"}]})
        )
