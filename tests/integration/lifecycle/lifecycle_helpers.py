"""A driver for the lifecycle integration tests: real orgs connected to the Xero emulator through
the real OAuth flow, records pushed through the records service, queues drained into the real
export worker, the notifier and inactivity checker called as Lambda calls them (their handlers,
with SQS and EventBridge events), and the emails read back from the ``.eml`` files the SES
adapter writes in the local stack."""

from __future__ import annotations

import copy
import email
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from local.stack.lambda_context import LambdaContext
from xero_sync.aws.clients import aws_client
from xero_sync.domain.config_items import SETTINGS
from xero_sync.domain.families import Family
from xero_sync.domain.records import RecordKey
from xero_sync.models.messages import ExportMessage
from xero_sync.wiring import Container

PROJECT = Path(__file__).resolve().parents[3]
EVENTS = PROJECT / "events"
SENDER_DOMAIN = "acme.example"
DEMO_SETTINGS = {
    "sales_account": "200",
    "purchases_account": "300",
    "sales_adjustments_account": "260",
    "purchase_adjustments_account": "429",
    "sync_frequency": "manual",
}
GST = {"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2", "purchases_xero_tax_type": "INPUT2"}


def context(name: str, timeout: float = 60) -> LambdaContext:
    return LambdaContext(
        function_name=name,
        memory_limit_in_mb=512,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        timeout_seconds=timeout,
    )


def fresh_queues(settings) -> dict[str, str]:
    """Queue URLs for one test: new names, so that nothing queued by another test leaks in."""
    sqs = aws_client("sqs", settings)
    prefix = f"t{uuid.uuid4().hex[:8]}"
    urls: dict[str, str] = {}
    for family in Family:
        urls[f"{family.value}_dlq_url"] = sqs.create_queue(QueueName=f"{prefix}-{family.value}-dlq")["QueueUrl"]
        urls[f"{family.value}_queue_url"] = sqs.create_queue(QueueName=f"{prefix}-{family.value}")["QueueUrl"]
    urls["notifications_queue_url"] = sqs.create_queue(QueueName=f"{prefix}-notifications")["QueueUrl"]
    return urls


def contact(record_id: str, name: str, version: int = 1) -> dict[str, Any]:
    return {
        "entity": "contact",
        "id": record_id,
        "version": version,
        "action": "upsert",
        "data": {"display_name": name, "kind": "customer"},
    }


def invoice(
    record_id: str,
    contact_id: str,
    *,
    version: int = 1,
    rate: str = "50",
    account_code: str | None = "200",
    tax_id: str | None = "gst15",
    number: str | None = None,
) -> dict[str, Any]:
    line: dict[str, Any] = {"item_name": "Beans", "quantity": 2, "rate": rate}
    if tax_id:
        line["tax_id"] = tax_id
    if account_code:
        line["account_code"] = account_code
    return {
        "entity": "invoice",
        "id": record_id,
        "version": version,
        "action": "upsert",
        "data": {
            "number": number or f"INV-{record_id}",
            "contact_id": contact_id,
            "date": "2026-11-02",
            "due_date": "2026-12-02",
            "status": "open",
            "lines": [line],
        },
    }


@dataclass
class Org:
    """One org of the host, connected to the emulator's tenant."""

    world: Lifecycle
    org_id: str = field(default_factory=lambda: f"org-{uuid.uuid4().hex[:8]}")
    tenant_id: str | None = None

    @property
    def services(self) -> Container:
        return self.world.container

    def connect(self) -> Org:
        """The real consent round trip (ConnectService start → emulator auto-consent → complete)."""
        start = self.services.connect.start(
            self.org_id, return_url="https://app.acme.example/xero", redirect_uri="http://127.0.0.1:9/oauth/callback"
        )
        answer = requests.get(start.authorize_url, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text[:300]
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        result = self.services.connect.complete(state=query["state"][0], code=query["code"][0], error=None)
        assert result.location and "xero_status=connected" in result.location, result
        self.tenant_id = self.connection().tenant_id
        return self

    def configure(self, **settings: Any) -> Org:
        from xero_sync.models.api_export import OrgSettingsUpdate, TaxMappingsUpdate

        self.services.org_settings.put(
            self.org_id, OrgSettingsUpdate.model_validate({"settings": {**DEMO_SETTINGS, **settings}})
        )
        self.services.org_settings.put_tax_mappings(self.org_id, TaxMappingsUpdate.model_validate({"mappings": [GST]}))
        return self

    def store_settings_unchecked(self, **settings: Any) -> None:
        """Write the settings item as if it had been saved when Xero still allowed it (the API
        refuses an account without a code; the code can also disappear in Xero later)."""
        current = self.services.org_config.get(self.org_id, SETTINGS)
        body = {**(current.body if current else {}), **settings}
        self.services.org_config.put(self.org_id, SETTINGS, body, now=self.world.now())

    def account_id(self, name: str) -> str:
        reference = self.services.reference_data.load(self.org_id)
        return next(a.AccountID for a in reference.accounts if a.Name == name)

    def push(self, *records: dict[str, Any]) -> None:
        for start in range(0, len(records), 200):
            response = self.services.records_service.push(self.org_id, list(records[start : start + 200]))
            rejected = [r for r in response.results if r.status.value == "rejected"]
            assert not rejected, rejected

    def sync(self) -> int:
        from xero_sync.models.api_export import SyncNowRequest

        return self.services.sync_now.start(self.org_id, SyncNowRequest()).enqueued

    def connection(self):
        return self.services.connections.get(self.org_id)

    def record(self, entity: str, record_id: str):
        return self.services.records.get(RecordKey(self.org_id, entity, record_id))

    def xero(self) -> dict[str, Any]:
        response = requests.get(f"{self.world.emulator.base_url}/_emulator/tenants/{self.tenant_id}/state", timeout=10)
        response.raise_for_status()
        return response.json()

    def xero_invoice_numbers(self) -> list[str]:
        return sorted(i["InvoiceNumber"] for i in self.xero()["Invoices"] if i.get("InvoiceNumber"))

    def history(self, direction: str | None = None) -> list:
        events = self.services.history.list(self.org_id, limit=500).events
        return [e for e in events if direction is None or e.direction == direction]


@dataclass
class Lifecycle:
    container: Container
    emulator: Any
    email_dir: Path
    orgs: list[Org] = field(default_factory=list)

    @property
    def settings(self):
        return self.container.settings

    def now(self) -> datetime:
        return self.container.clock()

    def advance(self, delta: timedelta) -> datetime:
        """Move the emulator's clock — which is also the service's clock."""
        self.emulator.clock.advance(delta.total_seconds())
        return self.now()

    def advance_to(self, moment: datetime) -> datetime:
        return self.advance(max(timedelta(0), moment - self.now()))

    def org(self) -> Org:
        org = Org(self).connect().configure()
        self.orgs.append(org)
        return org

    # --- queues --------------------------------------------------------------------------------

    def receive(self, url: str, *, limit: int = 10_000, wait: int = 0) -> list[dict[str, Any]]:
        sqs = aws_client("sqs", self.settings)
        found: list[dict[str, Any]] = []
        while len(found) < limit:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
            if not batch:
                return found
            found.extend(batch)
            wait = 0
        return found

    def delete(self, url: str, messages: list[dict[str, Any]]) -> None:
        sqs = aws_client("sqs", self.settings)
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]
            )

    def drain_exports(self, *, batch: int = 100, max_rounds: int = 60) -> int:
        """Deliver queued export messages to the worker until every export queue is empty (the
        worker takes up to ``batch`` keys at once, as with a batching window), deleting what it
        did not report as failed — what the Lambda event source does."""
        delivered = 0
        for _ in range(max_rounds):
            busy = False
            for family in Family:
                url = self.settings.queue_url(family)
                raw = self.receive(url, limit=batch)
                if not raw:
                    continue
                busy = True
                messages = [ExportMessage.model_validate_json(m["Body"]) for m in raw]
                result = self.container.export_worker.handle(messages)
                failed = set(result.failed_orgs)
                assert not failed, f"export failed for {failed}"
                self.delete(url, raw)
                delivered += len(raw)
            if not busy:
                return delivered
        raise AssertionError("export queues did not drain")

    def dlq_messages(self, family: Family) -> list[dict[str, Any]]:
        return self.receive(self.settings.dlq_url(family))

    # --- the lifecycle functions, called as Lambda calls them -----------------------------------------

    def run_inactivity_checker(self) -> dict[str, Any]:
        from functions.inactivity_checker.app import lambda_handler

        event = json.loads((EVENTS / "inactivity_checker" / "scheduled.json").read_text())
        event["time"] = self.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return lambda_handler(event, context("InactivityCheckerFunction", timeout=300))

    def run_notifier(self, *, wait: int = 2) -> list[dict[str, Any]]:
        """Deliver every visible notification to the notifier handler (batches of 10, as its
        event source mapping does) until the queue is empty. Returns the partial batch answers."""
        from functions.notifier.app import lambda_handler

        url = self.settings.notifications_queue_url
        sample = json.loads((EVENTS / "notifier" / "failure_digest.json").read_text())["Records"][0]
        answers = []
        while True:
            raw = self.receive(url, limit=10, wait=wait)
            if not raw:
                return answers
            wait = 0
            records = []
            for message in raw:
                record = copy.deepcopy(sample)
                record.update(
                    messageId=message["MessageId"], receiptHandle=message["ReceiptHandle"], body=message["Body"]
                )
                records.append(record)
            answer = lambda_handler({"Records": records}, context("NotifierFunction"))
            answers.append(answer)
            failed = {item["itemIdentifier"] for item in answer["batchItemFailures"]}
            self.delete(url, [m for m in raw if m["MessageId"] not in failed])
            if failed:
                # SQS would deliver them again after the visibility time-out: make that "now",
                # and let the test decide when to run the notifier again.
                sqs = aws_client("sqs", self.settings)
                for message in raw:
                    if message["MessageId"] in failed:
                        sqs.change_message_visibility(
                            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                        )
                return answers

    def run_reprocess(self, event: dict[str, Any]) -> dict[str, Any]:
        from functions.reprocess.app import lambda_handler

        return lambda_handler(event, context("ReprocessFunction"))

    # --- emails and Xero ----------------------------------------------------------------------------

    def emails(self) -> list[EmailMessage]:
        """Every email SES accepted, oldest first, as a mail program would read it."""
        if not self.email_dir.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=default) for path in sorted(self.email_dir.glob("*.eml"))
        ]

    def requests_log(self, *, method: str | None = None, path_prefix: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"method": method, "path_prefix": path_prefix}.items() if v}
        response = requests.get(f"{self.emulator.base_url}/_emulator/requests", params=params, timeout=10)
        response.raise_for_status()
        body = response.json()
        return body["requests"] if isinstance(body, dict) else body


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")
