"""Issue 9: every body is checked before the resolver parses it — content type, encoding, size,
JSON syntax and nesting — and a bad one is a 4xx in the API's error shape naming what is wrong
(``http/body_guard.py``). No I/O: the guard works on the Lambda event alone."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus

import pytest

from xero_sync.http.body_guard import MAX_BODY_BYTES, MAX_JSON_DEPTH, check_body, json_depth
from xero_sync.http.errors import ApiError


def event(body: str | bytes | None, content_type: str | None = "application/json", method: str = "POST") -> dict:
    """An API Gateway v2 event as the gateway builds it: text for JSON, base64 for anything else."""
    headers = {} if content_type is None else {"content-type": content_type}
    result: dict = {"requestContext": {"http": {"method": method}}, "headers": headers}
    if isinstance(body, bytes):
        result["body"], result["isBase64Encoded"] = base64.b64encode(body).decode(), True
    elif body is not None:
        result["body"], result["isBase64Encoded"] = body, False
    return result


def refused(raw_event: dict) -> ApiError:
    with pytest.raises(ApiError) as caught:
        check_body(raw_event)
    return caught.value


def test_a_json_body_passes_as_text():
    checked = check_body(event(b'{"records": []}'))  # base64, as a gateway may send it
    assert checked["body"] == '{"records": []}' and checked["isBase64Encoded"] is False


@pytest.mark.parametrize(
    "content_type", [None, "application/json", "application/json; charset=utf-8", "APPLICATION/JSON;charset=UTF-8"]
)
def test_json_and_no_content_type_are_read(content_type):
    assert check_body(event('{"a": 1}', content_type))["body"] == '{"a": 1}'


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",  # no boundary: Powertools raised ValueError (a 500)
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/json; charset=latin-1",
        "application/jsonx",
    ],
)
def test_other_content_types_are_415_naming_the_header(content_type):
    error = refused(event('{"a": 1}', content_type))
    assert error.status is HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert error.code == "unsupported_media_type"
    assert [d.field for d in error.details] == ["header.content-type"]


def test_a_body_that_is_not_utf8_is_400_saying_where():
    # Given the bytes of the fuzzer's find: not UTF-8 (a UnicodeDecodeError inside the resolver before)
    error = refused(event(b'{"records": "\xff\xfe"}'))
    assert error.status is HTTPStatus.BAD_REQUEST and error.code == "invalid_encoding"
    assert "byte 13" in error.message and [d.field for d in error.details] == ["body"]


def test_a_broken_base64_body_is_400():
    raw = event("{}")
    raw["body"], raw["isBase64Encoded"] = "%%%not base64%%%", True
    assert refused(raw).code == "invalid_body"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{", "line 1, column 2"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": -Infinity}', "-Infinity is not a JSON number"),
        ('{"a": ' + "9" * 5000 + "}", "not valid JSON"),  # Python refuses ints over 4,300 digits
    ],
)
def test_invalid_json_is_400_saying_why(body, fragment):
    error = refused(event(body))
    assert error.code == "invalid_json" and fragment in error.message


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 10_000])
def test_nesting_deeper_than_the_limit_is_400(depth):
    # Given ~10,000 levels inside custom_fields (RecursionError before), or just one too many
    body = '{"records": [{"data": {"custom_fields": ' + "[" * depth + "]" * depth + "}}]}"
    error = refused(event(body))
    assert error.status is HTTPStatus.BAD_REQUEST and error.code == "too_deeply_nested"
    assert str(MAX_JSON_DEPTH) in error.message


def test_nesting_up_to_the_limit_is_read():
    body = '{"a": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    assert check_body(event(body))["body"] == body


@pytest.mark.parametrize(("body", "kind"), [("[null, null]", "an array"), ('"x"', "a string"), ("1", "a number")])
def test_a_body_that_is_not_an_object_is_refused_naming_the_body(body, kind):
    error = refused(event(body))
    assert error.status is HTTPStatus.BAD_REQUEST and error.code == "validation_error"
    assert kind in error.message and [d.field for d in error.details] == ["body"]


def test_a_body_over_the_limit_is_413():
    body = json.dumps({"records": ["x" * MAX_BODY_BYTES]})
    error = refused(event(body))
    assert error.status is HTTPStatus.REQUEST_ENTITY_TOO_LARGE and error.code == "payload_too_large"


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_bodies_of_methods_without_one_are_not_read(method):
    raw = event(b"\xff", "multipart/form-data", method=method)
    assert check_body(raw) is raw


def test_no_body_is_nothing_to_check():
    raw = event(None, "multipart/form-data")
    assert check_body(raw) is raw


@pytest.mark.parametrize(
    ("document", "depth"),
    [(1, 0), ([], 1), ({"a": [1, {"b": []}]}, 4), ([[], [[[]]]], 4)],
)
def test_json_depth_counts_arrays_and_objects(document, depth):
    assert json_depth(document) == depth
