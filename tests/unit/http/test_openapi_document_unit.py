"""Issue 9: the published OpenAPI document tells the truth — no 422 (validation errors are 400),
every operation's statuses in the error shape, the patterns and formats of its parameters — and
any exception nobody mapped becomes a 500 in the error shape with the request id. Built from the
resolver itself, so routes added later are covered too; no I/O."""

from __future__ import annotations

import json
import logging
import re

import pytest

from xero_sync.http.app import allowed_methods, build_app, openapi_json
from xero_sync.http.catch_all import answer_unexpected_errors, callback_error_page, internal_error
from xero_sync.models.fields import HOST_ID_PATTERN
from xero_sync.services.api_keys import ORG_ID_REGEX

APP = build_app()
DOCUMENT = json.loads(openapi_json(APP))
OPERATIONS = [
    (method.upper(), path, operation) for path, item in DOCUMENT["paths"].items() for method, operation in item.items()
]
IDS = [f"{method} {path}" for method, path, _ in OPERATIONS]


def test_every_route_of_the_resolver_is_documented():
    routes = {(r.method, re.sub(r"<(\w+)>", r"{\1}", r.path)) for r in APP._static_routes + APP._dynamic_routes}
    documented = {(method, path) for method, path, _ in OPERATIONS}
    assert routes - {("GET", "/v1/openapi.json")} == documented
    assert len(documented) >= 22


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_no_operation_documents_422_and_every_one_the_errors_any_route_gives(method, path, operation):
    responses = operation["responses"]
    assert "422" not in responses
    expected = {"400", "401", "403", "500"} | ({"413", "415"} if method in ("POST", "PUT", "PATCH") else set())
    assert expected <= set(responses)
    for status, answer in responses.items():
        if status.startswith(("4", "5")):
            assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}


def test_powertools_validation_schemas_are_gone():
    text = json.dumps(DOCUMENT)
    assert "HTTPValidationError" not in text and "ResponseValidationError" not in text


def test_connection_operations_document_their_errors():
    paths = DOCUMENT["paths"]
    assert {"404", "409"} <= set(paths["/v1/orgs/{org_id}/connection/disable"]["post"]["responses"])
    assert {"404", "409"} <= set(paths["/v1/orgs/{org_id}/connection/tenant"]["put"]["responses"])
    assert "404" in paths["/v1/orgs/{org_id}/connection"]["delete"]["responses"]
    # declared without a model: the success answer comes from the handler's return annotation
    success = paths["/v1/orgs/{org_id}/connection/disable"]["post"]["responses"]["200"]
    assert success["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ConnectionView"}


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_path_parameters_carry_their_patterns(method, path, operation):
    parameters = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "path"}
    assert parameters["org_id"]["pattern"] == ORG_ID_REGEX
    if "record_id" in parameters:
        assert parameters["record_id"]["pattern"] == HOST_ID_PATTERN


def test_history_dates_are_date_or_date_time():
    parameters = DOCUMENT["paths"]["/v1/orgs/{org_id}/history"]["get"]["parameters"]
    for name in ("from", "to"):
        (schema,) = [p["schema"] for p in parameters if p["name"] == name]
        assert {option["format"] for option in schema["anyOf"]} == {"date", "date-time"}


def test_return_url_is_documented_as_an_absolute_url():
    schema = DOCUMENT["components"]["schemas"]["ConnectRequest"]["properties"]["return_url"]
    assert schema["format"] == "uri" and schema["pattern"].startswith("^[Hh][Tt][Tt][Pp]")


def test_versions_revisions_and_host_ids_are_bounded_in_the_document():
    schemas = DOCUMENT["components"]["schemas"]
    assert schemas["InvoiceEnvelope"]["properties"]["version"]["maximum"] == 2**53 - 1
    assert schemas["InvoiceEnvelope"]["properties"]["id"]["pattern"] == HOST_ID_PATTERN
    (revision, _null) = schemas["TaxMappingsUpdate"]["properties"]["revision"]["anyOf"]
    assert revision == {"type": "integer", "minimum": 0, "maximum": 2**53 - 1}


def test_the_limits_are_stated():
    description = DOCUMENT["info"]["description"]
    for fragment in ("4,194,304 bytes", "64 levels", "2,000,000 bytes", "307,200 bytes", "2^53−1"):
        assert fragment in description


def test_a_405_lists_the_methods_of_the_path():
    assert allowed_methods(APP, "/v1/orgs/o-1/connection") == ["DELETE", "GET"]
    assert allowed_methods(APP, "/v1/orgs/o-1/records") == ["POST"]
    assert allowed_methods(APP, "/v1/orgs/o-1/nothing-here") == []


# --- the catch-all -----------------------------------------------------------------------------------


def test_an_unexpected_exception_is_a_500_in_the_error_shape_with_the_request_id(caplog):
    @answer_unexpected_errors(internal_error)
    def handler(event, context):
        raise KeyError("a future bug")

    with caplog.at_level(logging.ERROR):
        answer = handler({"requestContext": {"requestId": "req-42="}}, None)
    assert answer["statusCode"] == 500
    assert answer["headers"]["Content-Type"] == "application/json"
    error = json.loads(answer["body"])["error"]
    assert (error["code"], error["request_id"], error["details"]) == ("internal_error", "req-42=", [])
    assert "req-42=" in error["message"]
    assert "a future bug" not in answer["body"]  # the exception is logged, not shown


def test_the_callbacks_500_is_a_page_that_names_the_request_and_is_not_cached():
    @answer_unexpected_errors(callback_error_page)
    def handler(event, context):
        raise RuntimeError("boom")

    answer = handler({"requestContext": {"requestId": "<req>"}}, None)
    assert answer["statusCode"] == 500 and answer["headers"]["Cache-Control"] == "no-store"
    assert "&lt;req&gt;" in answer["body"] and "boom" not in answer["body"]


def test_answers_pass_through_untouched():
    @answer_unexpected_errors(internal_error)
    def handler(event, context):
        return {"statusCode": 204}

    assert handler({}, None) == {"statusCode": 204}
