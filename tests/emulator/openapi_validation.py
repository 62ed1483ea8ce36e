"""Checks every response the emulator produces against Xero's official OpenAPI documents
(XeroAPI/Xero-OpenAPI, pinned below), with openapi-core.

Where the documents come from
  * ``XERO_OPENAPI_DIR`` (CI sets it to ``../shared/xero-openapi``): a folder with the files below.
  * otherwise the pinned release is downloaded once into ``~/.cache/xero-sync/openapi/<ref>/``.
  Either way each file's SHA-256 must match ``PINNED_FILES``; a mismatch is an error (the documents
  changed: re-pin deliberately). Offline with no folder → ``OpenApiUnavailable``, and the fixtures
  skip validation with that message.

What is checked (``ResponseChecker.check``)
  * ``/api.xro/2.0/...``: every response carries ``Xero-Correlation-Id`` and the three
    ``X-*Limit-Remaining`` headers (xero-facts §2, §7). 2xx and 400 bodies are validated against the
    operation in ``xero_accounting.yaml`` — *strictly*: properties the document does not define
    are violations (``additional_properties_default_policy="forbid"``), so the emulator cannot
    drift into inventing fields. 401/403 must be the problem-details envelope, 429 must name the
    limit in ``X-Rate-Limit-Problem``.
  * ``/connections``: validated against ``xero-identity.yaml``; ``/connect/token``: the body
    against schema ``AccessToken`` plus the fields Xero always sends, errors as ``{"error": ...}``.
  * Everything else (consent page, control plane, well-known documents) is not checked.

Known quirks of the documents, handled deliberately
  1. The identity document writes ``/Connections`` (capital C); Xero serves ``/connections``.
     Request paths are matched to the documents' paths case-insensitively (Xero's paths are).
  2. Connection dates look like ``2019-12-07T18:46:19.5165400`` (no zone: the document's own
     example) although the schema says ``format: date-time``; the identity checker accepts that form.
  3. Successful Accounting responses carry Xero's envelope fields ``Id``, ``Status``,
     ``ProviderName``, ``DateTimeUTC`` (the document's examples show them) but the response
     schemas do not declare them; they are added to every 2xx response schema before checking.
  4. The documents declare only 200/400 (accounting) and 200/204/404 (identity). Other statuses
     (401, 403, 404, 406, 413, 429, 500, 503) are checked by the rules above, not by openapi-core.
  5. Some parameters carry ``type: string`` beside a ``$ref`` (invalid OpenAPI); the documents are
     therefore loaded without openapi-spec-validator's check of the document itself.
  6. ``WebhookEvent`` requires sequences >= 1 while the intent-to-receive payload uses 0
     (xero-facts §8); ``check_webhook_payload(..., intent_to_receive=True)`` allows 0.
  7. A 400's ``Elements[]`` echo the whole failing object plus ``ValidationErrors`` (xero-facts §3.3,
     §7) while schema ``Element`` lists only the ids; ``Element`` is opened to other properties.
  8. Reads declare no 400, but Xero answers a bad ``where`` with one (``QueryParseException``,
     xero-facts §5); a 400 to a GET is checked against schema ``Error`` directly.
  Fields the real Xero sends but the document omits can be allowed in ``UNDOCUMENTED_FIELDS``
  (schema name → field names), each with a source.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PINNED_REPOSITORY = "XeroAPI/Xero-OpenAPI"
PINNED_REF = "e952d0bda3628facbf7afc5990ad6a0e7e77bd1e"  # release 16.1.0 (xero-facts §0)
PINNED_FILES = {
    "xero_accounting.yaml": "140f64f8e6bd2d8524b8ffdbffd08589d417efa5466ba57bfa04939a69ff6db8",
    "xero-identity.yaml": "d95f4204d8ec369dac2bb1ee6e6b8cfb88f845a09cbcba630475dd34c73cf2bd",
    "xero-webhooks.yaml": "822244b387a8e26ca948abd338cbee419b6167408ad615582802346587ed7eac",
}
RAW_URL = "https://raw.githubusercontent.com/{repo}/{ref}/{name}"
CACHE_DIR = Path.home() / ".cache" / "xero-sync" / "openapi" / PINNED_REF
XERO_HOST = "https://api.xero.com"
API_PREFIX = "/api.xro/2.0"

# Schema name → fields Xero sends that the document does not define (quirk 3 is handled apart).
UNDOCUMENTED_FIELDS: dict[str, tuple[str, ...]] = {}

ENVELOPE_FIELDS = {
    "Id": {"type": "string"},
    "Status": {"type": "string"},
    "ProviderName": {"type": "string"},
    "DateTimeUTC": {"type": "string"},
}
PROBLEM_FIELDS = {"Type", "Title", "Status", "Detail", "Instance", "Extensions"}
LIMIT_HEADERS = ("X-DayLimit-Remaining", "X-MinLimit-Remaining", "X-AppMinLimit-Remaining")
_XERO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$")


class OpenApiUnavailable(RuntimeError):
    """The documents can be neither found nor downloaded."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _verify(directory: Path) -> None:
    for name, expected in PINNED_FILES.items():
        path = directory / name
        if not path.is_file():
            raise OpenApiUnavailable(f"{path} is missing")
        actual = _sha256(path)
        if actual != expected:
            raise AssertionError(
                f"{path} has SHA-256 {actual}, expected {expected} (release {PINNED_REF[:7]}); "
                "re-pin tests/emulator/openapi_validation.py deliberately if the documents were updated"
            )


def _download(directory: Path) -> None:
    import requests

    for name in PINNED_FILES:
        target = directory / name
        if target.is_file() and _sha256(target) == PINNED_FILES[name]:
            continue
        url = RAW_URL.format(repo=PINNED_REPOSITORY, ref=PINNED_REF, name=name)
        try:
            response = requests.get(url, timeout=20)
            response.raise_for_status()
        except requests.RequestException as error:
            raise OpenApiUnavailable(
                f"cannot download {url} ({type(error).__name__}); set XERO_OPENAPI_DIR to a folder "
                "holding the Xero OpenAPI documents (e.g. ../shared/xero-openapi)"
            ) from error
        directory.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(response.content)
        partial.replace(target)


def locate_documents() -> Path:
    """The folder holding the pinned, hash-checked documents (see module docstring)."""
    configured = os.environ.get("XERO_OPENAPI_DIR")
    if configured:
        directory = Path(configured).expanduser().resolve()
        if not directory.is_dir():
            raise OpenApiUnavailable(f"XERO_OPENAPI_DIR={configured} is not a folder")
    else:
        directory = CACHE_DIR
        _download(directory)
    _verify(directory)
    return directory


def _load_yaml(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=loader)


def _add_envelope_fields(spec: dict[str, Any]) -> None:
    """Quirk 3: declare Xero's envelope fields on every schema used by a 2xx response."""
    schemas = spec["components"]["schemas"]
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith("2") or "$ref" in response:
                    continue
                for media in response.get("content", {}).values():
                    ref = media.get("schema", {}).get("$ref", "")
                    if ref.startswith("#/components/schemas/"):
                        schema = schemas[ref.rsplit("/", 1)[1]]
                        for field, definition in ENVELOPE_FIELDS.items():
                            schema.setdefault("properties", {}).setdefault(field, definition)
    schemas["Element"]["additionalProperties"] = True  # quirk 7
    for schema_name, fields in UNDOCUMENTED_FIELDS.items():
        properties = schemas[schema_name].setdefault("properties", {})
        for field in fields:
            properties.setdefault(field, {})


class _PathMatcher:
    """Maps a request path onto the document's spelling of it (quirk 1: case-insensitive)."""

    def __init__(self, paths: list[str], prefix: str) -> None:
        self._prefix = prefix
        self._templates = []
        for template in paths:
            parts = template.strip("/").split("/")
            self._templates.append(parts)

    def canonical(self, path: str) -> str | None:
        if not path.lower().startswith(self._prefix.lower()):
            return None
        parts = path[len(self._prefix) :].strip("/").split("/")
        best: list[str] | None = None
        for template in self._templates:
            if len(template) != len(parts):
                continue
            spelled = []
            for expected, actual in zip(template, parts, strict=False):
                if expected.startswith("{"):
                    spelled.append(actual)
                elif expected.lower() == actual.lower():
                    spelled.append(expected)
                else:
                    break
            else:
                exact = all(e == a or e.startswith("{") for e, a in zip(template, parts, strict=False))
                if best is None or exact:
                    best = spelled
                if exact:
                    break
        return None if best is None else self._prefix + "/" + "/".join(best)


@dataclass
class _Documents:
    accounting: Any
    identity: Any
    accounting_paths: _PathMatcher
    identity_paths: _PathMatcher
    access_token_validator: Any
    error_validator: Any
    webhook_schema: dict[str, Any]


_documents_lock = threading.Lock()
_documents_cache: dict[Path, _Documents] = {}


def _load_documents(directory: Path) -> _Documents:
    """Loaded once per process (the accounting document is 26k lines)."""
    from openapi_core import Config, OpenAPI
    from openapi_schema_validator import OAS30Validator

    with _documents_lock:
        if directory in _documents_cache:
            return _documents_cache[directory]
        accounting_spec = _load_yaml(directory / "xero_accounting.yaml")
        _add_envelope_fields(accounting_spec)
        accounting = OpenAPI.from_dict(
            accounting_spec,
            config=Config(spec_validator_cls=None, additional_properties_default_policy="forbid"),
        )
        identity_spec = _load_yaml(directory / "xero-identity.yaml")
        identity = OpenAPI.from_dict(
            identity_spec,
            config=Config(
                spec_validator_cls=None,
                extra_format_validators={"date-time": lambda value: bool(_XERO_DATETIME.match(value))},
            ),
        )
        access_token_schema = copy.deepcopy(identity_spec["components"]["schemas"]["AccessToken"])
        access_token_schema["required"] = ["access_token", "expires_in", "token_type", "scope"]
        access_token_schema["properties"]["scope"] = {"type": "string"}
        access_token_schema["additionalProperties"] = False
        webhooks_spec = _load_yaml(directory / "xero-webhooks.yaml")
        documents = _Documents(
            accounting=accounting,
            identity=identity,
            accounting_paths=_PathMatcher(list(accounting_spec["paths"]), API_PREFIX),
            identity_paths=_PathMatcher(list(identity_spec["paths"]), ""),
            access_token_validator=OAS30Validator(access_token_schema),
            error_validator=OAS30Validator(
                {"$ref": "#/components/schemas/Error", "components": accounting_spec["components"]}
            ),
            webhook_schema=webhooks_spec,
        )
        _documents_cache[directory] = documents
        return documents


def _describe(error: Exception) -> str:
    cause = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None)
    if schema_errors:
        details = "; ".join(
            f"{'/'.join(str(p) for p in e.absolute_path) or '<body>'}: {e.message[:200]}"
            for e in list(schema_errors)[:3]
        )
        return f"{type(error).__name__}: {details}"
    return f"{type(error).__name__}: {str(error)[:300]}"


class ResponseChecker:
    """Checks recorded request/response pairs (dicts made by the server's recorder hook)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._docs = _load_documents(directory)

    def check(self, record: dict[str, Any]) -> list[str]:
        path: str = record["path"]
        lowered = path.lower()
        if lowered.startswith(API_PREFIX.lower() + "/"):
            problems = self._check_accounting(record)
        elif lowered == "/connections" or lowered.startswith("/connections/"):
            problems = self._check_identity(record)
        elif lowered == "/connect/token":
            problems = self._check_token(record)
        else:
            problems = []
        return [f"{record['method']} {path} → {record['status']}: {p}" for p in problems]

    # --- /api.xro/2.0 ---------------------------------------------------------------------

    def _check_accounting(self, record: dict[str, Any]) -> list[str]:
        problems = []
        headers = {k.lower(): v for k, v in record["headers"].items()}
        for name in ("Xero-Correlation-Id", *LIMIT_HEADERS):
            if name.lower() not in headers:
                problems.append(f"header {name} missing")
        status = record["status"]
        if status in (401, 403):
            problems += _check_problem_envelope(record)
        elif status == 429:
            if headers.get("x-rate-limit-problem") not in {"minute", "day", "appminute", "concurrent"}:
                problems.append("429 without a valid X-Rate-Limit-Problem header")
        elif status == 400 and record["method"] == "GET":
            problems += self._check_read_error(record)  # quirk 8
        elif 200 <= status < 300 or status == 400:
            problems += self._openapi(self._docs.accounting, self._docs.accounting_paths, record)
        return problems

    def _check_read_error(self, record: dict[str, Any]) -> list[str]:
        try:
            body = json.loads(record["body"] or b"null")
        except ValueError:
            return ["400 to a read answered with a non-JSON body"]
        return [f"Error: {e.message}" for e in self._docs.error_validator.iter_errors(body)]

    # --- identity -------------------------------------------------------------------------

    def _check_identity(self, record: dict[str, Any]) -> list[str]:
        if record["status"] == 401:
            return _check_problem_envelope(record)
        return self._openapi(self._docs.identity, self._docs.identity_paths, record)

    def _check_token(self, record: dict[str, Any]) -> list[str]:
        try:
            body = json.loads(record["body"] or b"null")
        except ValueError:
            return ["token endpoint answered with a non-JSON body"]
        if record["status"] == 200:
            return [f"AccessToken: {e.message}" for e in self._docs.access_token_validator.iter_errors(body)]
        if not (isinstance(body, dict) and set(body) == {"error"} and isinstance(body["error"], str)):
            return [f'token error body must be {{"error": "..."}}, got {body!r}']
        return []

    # --- shared ---------------------------------------------------------------------------

    def _openapi(self, api: Any, matcher: _PathMatcher, record: dict[str, Any]) -> list[str]:
        from openapi_core.testing import MockRequest, MockResponse

        canonical = matcher.canonical(record["path"])
        if canonical is None:
            if record["status"] in (404, 405):
                return []
            return ["path not in the OpenAPI document"]
        request = MockRequest(XERO_HOST, record["method"], canonical, headers=record["request_headers"])
        response = MockResponse(
            record["body"] or b"",
            status_code=record["status"],
            headers=record["headers"],
            content_type=(record["content_type"] or "").split(";")[0] or "application/json",
        )
        if record["status"] == 204 or (not record["body"] and record["status"] in (404, 405)):
            return []
        return [_describe(e) for e in api.iter_response_errors(request, response)]

    def check_webhook_payload(self, body: bytes, intent_to_receive: bool = False) -> list[str]:
        """Validate a webhook delivery body against ``WebhookEvent`` (quirk 6 for ITR payloads)."""
        from jsonschema import Draft202012Validator
        from referencing import Registry

        spec = copy.deepcopy(self._docs.webhook_schema)
        if intent_to_receive:
            for name in ("firstEventSequence", "lastEventSequence"):
                spec["components"]["schemas"]["WebhookEvent"]["properties"][name]["minimum"] = 0
        registry = Registry().with_resource("urn:xero-webhooks", _resource(spec))
        payload = json.loads(body)

        def errors_for(schema_name: str, instance: dict[str, Any]) -> list[str]:
            ref = {"$ref": f"urn:xero-webhooks#/components/schemas/{schema_name}"}
            validator = Draft202012Validator(ref, registry=registry)
            return [f"{schema_name}: {e.message}" for e in validator.iter_errors(instance)]

        errors = errors_for("WebhookEvent", payload)
        for event in payload.get("events", []):
            if isinstance(event, dict) and event.get("eventCategory") == "CREDITNOTE":
                errors += errors_for("CreditNoteWebhookEvent", {**payload, "events": [event]})
        return errors


def _resource(spec: dict[str, Any]) -> Any:
    from referencing import Resource
    from referencing.jsonschema import DRAFT202012

    return Resource.from_contents(spec, default_specification=DRAFT202012)


def _check_problem_envelope(record: dict[str, Any]) -> list[str]:
    try:
        body = json.loads(record["body"] or b"null")
    except ValueError:
        return ["401/403 body is not JSON"]
    if not isinstance(body, dict) or set(body) != PROBLEM_FIELDS:
        return [f"401/403 body must have exactly {sorted(PROBLEM_FIELDS)}, got {body!r}"]
    if body["Status"] != record["status"] or not isinstance(body["Detail"], str):
        return [f"401/403 envelope inconsistent: {body!r}"]
    return []
