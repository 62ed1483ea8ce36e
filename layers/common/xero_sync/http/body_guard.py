"""The request body, checked before the resolver reads it (N3).

The host API takes JSON bodies only. A body that is not UTF-8, not JSON, of another content type
(``multipart/form-data`` …), nested deeper than :data:`MAX_JSON_DEPTH` or larger than
:data:`MAX_BODY_BYTES` is answered here with the API's error shape, naming what is wrong — it
never reaches Powertools' parser, which would raise ``UnicodeDecodeError``, ``ValueError:
Missing boundary`` or ``RecursionError`` (500s). Both limits are stated in the OpenAPI document.

Only ``POST``, ``PUT`` and ``PATCH`` bodies are read: a body on ``GET`` or ``DELETE`` has no
meaning (RFC 9110) and is ignored, as the routes ignore it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from decimal import Decimal
from http import HTTPStatus
from typing import Any

from xero_sync.http.errors import ApiError
from xero_sync.models.api import ErrorDetail

MAX_BODY_BYTES = 4 * 1024 * 1024
"""4 MiB: a full push of 500 records with room to spare, and under Lambda's 6 MB invocation limit
even when API Gateway base64-encodes the body or escapes its quotes into the event."""

MAX_JSON_DEPTH = 64
"""Arrays and objects inside one another; a record with its lines and custom fields needs ~8."""

METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
JSON_MEDIA_TYPE = "application/json"
_CONTENT_TYPE = "header.content-type"


def check_body(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with its body as checked UTF-8 JSON text (no longer base64), ready for the
    resolver; or :class:`ApiError` raised with the 4xx to answer instead."""
    method = str(event.get("requestContext", {}).get("http", {}).get("method", "")).upper()
    body = event.get("body")
    if method not in METHODS_WITH_BODY or not body:
        return event
    headers = event.get("headers") or {}
    _check_content_type(headers.get("content-type") or headers.get("Content-Type"))
    raw = _raw_bytes(body, bool(event.get("isBase64Encoded")))
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            f"The body is {len(raw):,} bytes; at most {MAX_BODY_BYTES:,} are accepted. Send fewer records per request.",
            [ErrorDetail(field="body", message=f"at most {MAX_BODY_BYTES:,} bytes")],
        )
    text = _utf8(raw)
    _check_json(text)
    return {**event, "body": text, "isBase64Encoded": False}


def _check_content_type(value: str | None) -> None:
    """JSON, or no content type at all (read as JSON); with a charset, only UTF-8."""
    if value is None or not value.strip():
        return
    media_type, *parameters = (part.strip() for part in value.split(";"))
    charset = next((p.partition("=")[2].strip().strip('"') for p in parameters if p.lower().startswith("charset=")), "")
    if media_type.lower() == JSON_MEDIA_TYPE and charset.lower() in ("", "utf-8", "utf8"):
        return
    raise ApiError(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        f"The body must be JSON in UTF-8 (Content-Type: {JSON_MEDIA_TYPE}); it was sent as {value[:100]!r}.",
        [ErrorDetail(field=_CONTENT_TYPE, message=f"must be {JSON_MEDIA_TYPE}")],
    )


def _raw_bytes(body: str, base64_encoded: bool) -> bytes:
    if not base64_encoded:
        # API Gateway passes a JSON body as text; the bytes are what the host sent.
        return body.encode("utf-8", errors="surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as error:
        raise _invalid_body("The body could not be read (its base64 encoding is broken).") from error


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _invalid_body(
            f"The body is not valid UTF-8 (byte {error.start}); send JSON encoded as UTF-8.", code="invalid_encoding"
        ) from error


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str) -> Any:
    """JSON as the API reads it: decimals never pass through float, and NaN/Infinity (which
    Python's json would take) are refused."""
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)


def _check_json(text: str) -> None:
    try:
        document = parse_json(text)
    except json.JSONDecodeError as error:
        raise _invalid_body(
            f"The body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).", code="invalid_json"
        ) from error
    except RecursionError as error:
        raise _too_deep() from error
    except ValueError as error:  # NaN/Infinity, or an integer of more than 4,300 digits
        raise _invalid_body(f"The body is not valid JSON: {error}.", code="invalid_json") from error
    if json_depth(document) > MAX_JSON_DEPTH:
        raise _too_deep()
    if not isinstance(document, dict):
        # Every body of the API is an object; a route whose body is optional would otherwise
        # take an array or a scalar for "no body".
        raise _invalid_body(
            "The body must be a JSON object ({...}), not " + _json_kind(document) + ".", code="validation_error"
        )


def json_depth(document: Any) -> int:
    """How many arrays and objects are nested inside one another (a scalar is 0), without
    recursion: the document may be arbitrarily deep."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return deepest  # deep enough to refuse: the rest need not be walked
            stack.extend((child, depth) for child in _children(value))
    return deepest


def _children(value: dict[str, Any] | list[Any]) -> Iterator[Any]:
    return iter(value.values()) if isinstance(value, dict) else iter(value)


def _too_deep() -> ApiError:
    return _invalid_body(
        f"The body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep.", code="too_deeply_nested"
    )


def _invalid_body(message: str, *, code: str = "invalid_body") -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, code, message, [ErrorDetail(field="body", message=message)])


def _json_kind(value: Any) -> str:
    """The JSON word for a parsed value's type (for a message the host reads)."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "null" if value is None else "a number"
