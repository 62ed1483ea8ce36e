"""The published OpenAPI document (``GET /v1/openapi.json``), made to tell the truth about every
operation, whoever declared it:

* Powertools documents a 422 "Validation Error" on every operation; this API answers validation
  errors with 400 in its own error shape (SPEC §5), so the 422 and its schemas are removed.
* every operation documents 400, 401, 403 and 500 in the error shape (a bad path parameter, no
  key, another org's key, an unexpected error), and every operation whose method takes a body
  413 and 415 (``http/body_guard.py``);
* the limits the API enforces — body size, JSON depth, records per push, record size — are
  stated in the document's description.

Route-specific answers (404, 409, 502 …) are declared with the route (``http/routes.py``).
"""

from __future__ import annotations

import json
from typing import Any

from xero_sync.domain.record_payload import MAX_RECORD_JSON_BYTES, MAX_STORED_RECORD_BYTES
from xero_sync.http.body_guard import MAX_BODY_BYTES, MAX_JSON_DEPTH, METHODS_WITH_BODY
from xero_sync.models.api import ErrorResponse
from xero_sync.models.api_export import ALWAYS_DOCUMENTED, ERROR_DESCRIPTIONS, MAX_RECORDS_PER_PUSH

_SCHEMAS = "#/components/schemas/"
_POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})

LIMITS = f"""

Limits (answered with the error shape, naming what is wrong):

* request body: JSON (`Content-Type: application/json`, UTF-8) only, else 415; at most
  {MAX_BODY_BYTES:,} bytes, else 413; arrays and objects nested at most {MAX_JSON_DEPTH} levels
  deep, else 400 `too_deeply_nested`;
* records push: 1–{MAX_RECORDS_PER_PUSH} records; each record's `data`, as compact UTF-8 JSON, at
  most {MAX_RECORD_JSON_BYTES:,} bytes and at most {MAX_STORED_RECORD_BYTES:,} bytes once compressed
  (zlib), else that record is rejected with `record_too_large`;
* `version`: an integer from 0 to 2^53−1; host ids: letters, digits and `. _ : @ ~ -`, 1–255 characters;
  amounts: JSON numbers, or strings of the digits 0-9 with an optional sign and decimal point
  (no spaces, no exponent).

Every error, 500 included, is `{{"error": {{"code", "message", "details": [{{"field", "message"}}]}}}}`;
a 500 also carries `request_id`, which the service's logs of that request carry too."""


def published_document(generated: str) -> str:
    """The document Powertools generated (JSON), corrected as the module docstring says."""
    document: dict[str, Any] = json.loads(generated)
    # In path order: the resolver lists its routes in the order requests first needed their
    # resources (http/app.py), which must not change the document.
    document["paths"] = dict(sorted(document.get("paths", {}).items()))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _ensure_error_schema(schemas)
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in _HTTP_METHODS:
                _complete_responses(method, operation)
    for name in _POWERTOOLS_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    info = document.setdefault("info", {})
    info["description"] = info.get("description", "") + LIMITS
    return json.dumps(document)


def _complete_responses(method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)
    statuses = list(ALWAYS_DOCUMENTED)
    if method.upper() in METHODS_WITH_BODY:
        statuses += [413, 415]
    for status in statuses:
        responses.setdefault(str(status), _error_answer(status))
    operation["responses"] = dict(sorted(responses.items()))


def _error_answer(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"{_SCHEMAS}{ErrorResponse.__name__}"}}},
    }


def _ensure_error_schema(schemas: dict[str, Any]) -> None:
    """The error shape's schemas, when no declared route has brought them in yet."""
    generated = ErrorResponse.model_json_schema(ref_template=_SCHEMAS + "{model}")
    for name, schema in generated.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas.setdefault(ErrorResponse.__name__, generated)
