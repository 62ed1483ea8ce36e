"""Building blocks for the host API's integration tests: API Gateway HTTP API (v2) events built
from the sample event in ``events/api/``, the API handler called as Lambda would call it, and the
whole connect flow (API → Xero emulator consent → OAuth callback handler)."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from local.stack.bootstrap import bootstrap
from local.stack.lambda_context import LambdaContext
from local.stack.runner import Runner
from local.stack.template import Resolver, Template
from xero_sync.settings import reset_settings_cache
from xero_sync.settings.everything import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SAMPLE_EVENT = PROJECT_ROOT / "events" / "api" / "get_connection.json"
REDIRECT_URI = "http://localhost:3000/oauth/callback"
RETURN_URL = "https://app.example.com/settings/integrations/xero"
RETURN_ORIGIN = "https://app.example.com"  # the deployment's host app (HOST_APP_ORIGINS)


def lambda_context(name: str) -> LambdaContext:
    return LambdaContext(
        function_name=name,
        memory_limit_in_mb=512,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        timeout_seconds=30,
    )


def http_event(
    method: str,
    path: str,
    *,
    api_key: str | None = None,
    body: Any = None,
    raw_body: str | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The sample event of ``events/api`` turned into another request."""
    event = copy.deepcopy(json.loads(SAMPLE_EVENT.read_text()))
    event["rawPath"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    event["requestContext"]["requestId"] = uuid.uuid4().hex[:16] + "="
    event["pathParameters"] = {"proxy": path.removeprefix("/v1/")}
    headers = event["headers"]
    headers.pop("authorization", None)
    if api_key is not None:
        headers["authorization"] = f"Bearer {api_key}"
    if query:
        event["queryStringParameters"] = dict(query)
        event["rawQueryString"] = urlencode(query)
    if raw_body is None and body is not None:
        raw_body = json.dumps(body, default=str)
    if raw_body is not None:
        event["body"] = raw_body
        event["isBase64Encoded"] = False
        headers["content-type"] = "application/json"
    return event


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def error_fields(self) -> list[str | None]:
        return [detail["field"] for detail in self.body["error"]["details"]]


class ApiClient:
    """Calls ``functions/api/app.py::lambda_handler`` with v2 events."""

    def __init__(self) -> None:
        from functions.api.app import lambda_handler

        self._handler = lambda_handler

    def call(self, method: str, path: str, *, key: str | None, **options: Any) -> Answer:
        result = self._handler(http_event(method, path, api_key=key, **options), lambda_context("ApiFunction"))
        text = result.get("body") or ""
        # Decimals stay exact when the tests read amounts and rates back.
        body = json.loads(text, parse_float=Decimal) if text else None
        return Answer(status=int(result["statusCode"]), body=body, headers=result.get("headers") or {})


def connect_org(api: ApiClient, org_id: str, api_key: str) -> str:
    """F1 end to end: the consent URL from the API, the emulator's auto-consent, then Xero's
    redirect delivered to the OAuth callback handler. Returns the host's return URL."""
    from functions.oauth_callback.app import lambda_handler as callback

    started = api.call("POST", f"/v1/orgs/{org_id}/connect", key=api_key, body={"return_url": RETURN_URL})
    assert started.status == 200, started.body
    consent = requests.get(started.body["authorize_url"], allow_redirects=False, timeout=10)
    assert consent.status_code in (302, 303), consent.text[:300]
    query = {name: values[0] for name, values in parse_qs(urlsplit(consent.headers["Location"]).query).items()}
    event = http_event("GET", "/oauth/callback", query=query)
    answer = callback(event, lambda_context("OAuthCallbackFunction"))
    assert answer["statusCode"] == 302, answer
    location = answer["headers"]["Location"]
    assert "xero_status=connected" in location, location
    return location


def envelope(entity: str, record_id: str, version: int, data: dict[str, Any] | None, action: str = "upsert") -> dict:
    record: dict[str, Any] = {"entity": entity, "id": record_id, "version": version, "action": action}
    if data is not None:
        record["data"] = data
    return record


def contact(record_id: str, version: int = 1, name: str | None = None) -> dict:
    return envelope(
        "contact", record_id, version, {"display_name": name or f"Customer {record_id}", "kind": "customer"}
    )


def invoice(record_id: str, contact_id: str, version: int = 1, **changes: Any) -> dict:
    data = {
        "number": f"INV-{record_id}",
        "contact_id": contact_id,
        "date": "2026-11-02",
        "status": "open",
        "lines": [{"item_name": "Espresso beans 1kg", "quantity": 12, "rate": "31.5", "tax_id": "gst15"}],
        "discount": "10.00",
        "total": "441.96",
    }
    data.update(changes)
    return envelope("invoice", record_id, version, data)


def payment(record_id: str, invoice_id: str, version: int = 1) -> dict:
    return envelope(
        "invoice_payment",
        record_id,
        version,
        {"invoice_id": invoice_id, "date": "2026-11-20", "amount": "100.00", "account_code": "090"},
    )


def receive_all(container: Any, queue_url: str) -> list[dict]:
    """Every record key waiting in a queue (the messages are deleted): one dict per key, with
    the message's org_id and reason beside its entity and record_id."""
    from xero_sync.aws.clients import aws_client

    sqs = aws_client("sqs", container.settings)
    found: list[dict] = []
    while True:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = answer.get("Messages") or []
        if not messages:
            return found
        for message in messages:
            body = json.loads(message["Body"])
            found += [{"org_id": body["org_id"], "reason": body["reason"], **ref} for ref in body["records"]]
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def template_stack(moto_endpoint: str, prefix: str, secret: dict[str, str]) -> tuple[Resolver, Settings]:
    """The template's resources in moto (a stack of their own, named ``prefix``…), the app secret
    ``secret``, and the settings the functions would read from the environment. The host app of
    these tests (RETURN_ORIGIN) is the deployment's, as HOST_APP_ORIGINS says."""
    import pytest

    stack_name = f"{prefix}{uuid.uuid4().hex[:8]}"
    resolver = Resolver(
        Template.load(),
        stack_name=stack_name,
        # A secret of the stack's own: stacks share one moto server per test worker, and another
        # stack's app secret (say, without a webhook key) must never be the one this stack reads.
        parameter_overrides={"HostAppOrigins": RETURN_ORIGIN, "XeroCredentialsSecretName": f"{stack_name}/xero-app"},
    )
    secret_name = resolver.parameters.get("XeroCredentialsSecretName")
    bootstrap(resolver, endpoint_url=moto_endpoint, secret_values={secret_name: json.dumps(secret)})
    environment = Runner(resolver, aws_endpoint_url=moto_endpoint).environment()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**environment, "AWS_ENDPOINT_URL": moto_endpoint, "AWS_REGION": "us-east-1"}.items():
            patch.setenv(name, value)
        reset_settings_cache()
        settings = Settings.from_environment()  # as a handler reads it
    reset_settings_cache()
    return resolver, settings
