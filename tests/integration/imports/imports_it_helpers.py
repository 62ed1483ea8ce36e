"""Building blocks of the import's integration tests: a host endpoint on loopback that records
the signed deliveries, a gateway that hands the emulator's webhook POSTs to the receiver's Lambda
handler as API Gateway (v2) events, and the flow's environment (connect, change things in Xero
"as a user", drain the queues through the template's handlers, read the feed)."""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from api_it_helpers import ApiClient, connect_org, http_event, lambda_context

from local.stack.runner import Runner
from local.stack.sqs_source import DeliveryTracker, SqsPoller
from local.stack.template import Resolver
from xero_sync.aws.clients import aws_client
from xero_sync.clock import utcnow
from xero_sync.services.api_keys import create_api_key
from xero_sync.wiring import Container

WEBHOOK_KEY = "integration-webhook-key"


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class _Server:
    """A loopback HTTP server in a thread; subclasses answer POSTs."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # no per-request lines in the test output
        pass

    def _read(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


class HostEndpoint(_Server):
    """The host product's webhook URL: keeps every delivery; ``status`` is what it answers."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.status = 200
        self.received = threading.Condition()

        class Handler(_Quiet):
            def do_POST(self) -> None:
                endpoint: HostEndpoint = self.server.owner  # type: ignore[attr-defined]
                delivery = Delivery(self.path, {k.lower(): v for k, v in self.headers.items()}, self._read())
                status = endpoint.status
                with endpoint.received:
                    if 200 <= status < 300:
                        endpoint.deliveries.append(delivery)
                    endpoint.received.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        super().__init__(Handler)

    @classmethod
    def start(cls) -> HostEndpoint:
        return cls()

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/hooks/xero-sync"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Delivery]:
        """Block until ``count`` deliveries were accepted (an Event, not a sleep)."""
        with self.received:
            self.received.wait_for(lambda: len(self.deliveries) >= count, timeout)
            return list(self.deliveries)


class ReceiverGateway(_Server):
    """What API Gateway does for ``POST /webhooks/xero``: the request as a v2 event to the handler."""

    def __init__(self) -> None:
        self.answers: list[int] = []

        class Handler(_Quiet):
            def do_POST(self) -> None:
                from functions.xero_webhook.app import lambda_handler

                gateway: ReceiverGateway = self.server.owner  # type: ignore[attr-defined]
                body = self._read()
                event = http_event("POST", "/webhooks/xero", raw_body=base64.b64encode(body).decode())
                event["isBase64Encoded"] = True
                event["routeKey"] = event["requestContext"]["routeKey"] = "POST /webhooks/xero"
                event.pop("pathParameters", None)
                signature = self.headers.get("x-xero-signature")
                event["headers"].pop("authorization", None)
                if signature is not None:
                    event["headers"]["x-xero-signature"] = signature
                answer = lambda_handler(event, lambda_context("XeroWebhookFunction"))
                gateway.answers.append(int(answer["statusCode"]))
                self.send_response(int(answer["statusCode"]))
                self.send_header("Content-Length", "0")
                self.end_headers()

        super().__init__(Handler)

    @classmethod
    def start(cls) -> ReceiverGateway:
        return cls()


@dataclass
class FlowEnv:
    container: Container
    emulator: Any
    api: ApiClient
    resolver: Resolver
    host: HostEndpoint
    org_id: str = field(default_factory=lambda: f"org-{uuid.uuid4().hex[:10]}")
    key: str = ""

    def __post_init__(self) -> None:
        self.key = create_api_key(
            self.container.api_keys, name="imports", org_ids=[self.org_id], all_orgs=False, now=utcnow()
        ).api_key
        self._runner = Runner(self.resolver, aws_endpoint_url=self.container.settings.aws_endpoint_url)
        sqs = aws_client("sqs", self.container.settings)
        tracker = DeliveryTracker()
        # No batching window: a test drains what is queued now, it does not wait for more.
        self._pollers = {
            source.function: SqsPoller(
                dataclasses.replace(source, batching_window_seconds=0),
                sqs,
                self._invoke,
                region=self.container.settings.aws_region,
                tracker=tracker,
            )
            for source in self._runner.sqs_sources
        }
        self._sqs = sqs

    # --- the org ---------------------------------------------------------------------------------

    def connect(self) -> None:
        connect_org(self.api, self.org_id, self.key)

    @property
    def tenant_id(self) -> str:
        connection = self.container.connections.get(self.org_id)
        assert connection is not None and connection.tenant_id
        return connection.tenant_id

    def call(self, method: str, path: str, **options: Any) -> Any:
        return self.api.call(method, f"/v1/orgs/{self.org_id}{path}", key=self.key, **options)

    def settings(self, **values: Any) -> None:
        answer = self.call("PUT", "/settings", body={"settings": values})
        assert answer.status == 200, answer.body

    # --- Xero, as a user --------------------------------------------------------------------------

    def user(self, method: str, path: str, body: Any = None) -> Any:
        """A change made in Xero by a user (the emulator's control plane): it sends webhooks."""
        url = f"{self.emulator.base_url.rstrip('/')}/_emulator/tenants/{self.tenant_id}/api/{path.lstrip('/')}"
        answer = requests.request(method, url, json=body, timeout=30)
        assert answer.status_code < 300, answer.text[:500]
        return answer.json()

    def webhooks_sent(self) -> None:
        assert self.emulator.state.webhooks.wait_idle(30), "the emulator's webhooks did not go out"

    # --- the queues, through the template's handlers ---------------------------------------------

    def _invoke(self, function: str, event: dict[str, Any]) -> Any:
        from local.stack.lambda_context import LambdaContext

        context = LambdaContext(
            function_name=function, memory_limit_in_mb=512, invoked_function_arn=f"arn:{function}", timeout_seconds=300
        )
        return self._runner.handler(function)(json.loads(json.dumps(event)), context)

    def drain(self, *, only: tuple[str, ...] | None = None, rounds: int = 50) -> None:
        """Deliver queued messages (not the delayed ones) to their functions until every queue is
        empty; the emulator's webhooks are waited for first."""
        self.webhooks_sent()
        for _ in range(rounds):
            delivered = sum(
                poller.poll_once() for function, poller in self._pollers.items() if only is None or function in only
            )
            if not delivered:
                self.webhooks_sent()
                if not any(p.poll_once() for f, p in self._pollers.items() if only is None or f in only):
                    return
        raise AssertionError("the queues did not empty")

    def purge(self) -> None:
        for poller in self._pollers.values():
            url = poller.source.queue_url
            while batch := self._sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                self._sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
                )

    # --- reading --------------------------------------------------------------------------------

    def changes(self, resource: str | None = None) -> list[dict[str, Any]]:
        found, cursor = [], None
        while True:
            query = {"limit": "500", **({"since": cursor} if cursor else {})}
            page = self.call("GET", "/changes", query=query)
            assert page.status == 200, page.body
            found += page.body["changes"]
            cursor = page.body["next_cursor"]
            if not page.body["has_more"]:
                break
        return [change for change in found if resource is None or change["resource"] == resource]
