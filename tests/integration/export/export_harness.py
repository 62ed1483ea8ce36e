"""A small driver for export integration tests: a real org connected to the Xero emulator
through the real OAuth flow, records pushed through the real records service, queues drained
into the real export worker, and Xero's state read back from the emulator.

Time: the emulator runs ``TIME_SCALE`` times faster than the wall clock so Xero's 60-calls-a-
minute limit is a 60-calls-a-second one here; the service's governor is told the same
(``xero_minute_limit`` scaled), so the tests exercise the governor without waiting for it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from local.host_records import contact, invoice, record  # noqa: F401 — re-exported to the tests
from xero_sync.aws.clients import aws_client
from xero_sync.domain.families import Family
from xero_sync.domain.records import RecordKey, SyncedMark
from xero_sync.models.messages import ExportMessage
from xero_sync.settings.everything import Settings
from xero_sync.wiring import Container

TIME_SCALE = 60.0
DEMO_SETTINGS = {
    "sales_account": "200",
    "purchases_account": "300",
    "sales_adjustments_account": "260",
    "purchase_adjustments_account": "429",
    "write_off_account": "404",
    "bank_charges_account": "404",
    "sync_frequency": "manual",
}
GST = {"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2", "purchases_xero_tax_type": "INPUT2"}


@dataclass
class ExportHarness:
    container: Container
    emulator: Any
    org_id: str = field(default_factory=lambda: f"org-{uuid.uuid4().hex[:8]}")
    tenant_id: str | None = None

    # --- setting up ------------------------------------------------------------------------------

    def connect(self) -> None:
        """The real consent round trip against the emulator (auto-consent)."""
        start = self.container.connect.start(
            self.org_id, return_url="https://host.example/xero", redirect_uri="http://127.0.0.1:9/oauth/callback"
        )
        answer = requests.get(start.authorize_url, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        result = self.container.connect.complete(state=query["state"][0], code=query["code"][0], error=None)
        assert result.location and "xero_status=connected" in result.location, result
        self.tenant_id = self.container.connections.get(self.org_id).tenant_id

    def configure(self, settings: dict[str, Any] | None = None, tax_mappings: list[dict] | None = None) -> None:
        from xero_sync.models.api_export import OrgSettingsUpdate, TaxMappingsUpdate

        self.container.org_settings.put(
            self.org_id, OrgSettingsUpdate.model_validate({"settings": {**DEMO_SETTINGS, **(settings or {})}})
        )
        self.container.org_settings.put_tax_mappings(
            self.org_id,
            TaxMappingsUpdate.model_validate({"mappings": tax_mappings if tax_mappings is not None else [GST]}),
        )

    # --- pushing and exporting ----------------------------------------------------------------

    def push(self, *records: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.container.records_service.push(self.org_id, list(records))
        results = response.model_dump(mode="json")["results"]
        rejected = [r for r in results if r["status"] == "rejected"]
        assert not rejected, rejected
        return results

    def sync(self) -> int:
        from xero_sync.models.api_export import SyncNowRequest

        return self.container.sync_now.start(self.org_id, SyncNowRequest()).enqueued

    def drain(self, *, max_rounds: int = 30) -> int:
        """Deliver queued messages to the workers until every export queue is empty, the way
        the Lambda event source would (batches of up to 10, delete what succeeded)."""
        delivered = 0
        for _ in range(max_rounds):
            busy = False
            for family in Family:
                count = self.deliver_once(family)
                busy = busy or count > 0
                delivered += count
            count = self.deliver_backfill_once()
            busy = busy or count > 0
            delivered += count
            if not busy:
                return delivered
        raise AssertionError("queues did not drain")

    def deliver_once(self, family: Family) -> int:
        """One batch (up to 10 messages) of a family's queue to its worker; how many it held."""
        return self._deliver_from(self.container.settings.queue_url(family))

    def deliver_backfill_once(self) -> int:
        """One batch of the backfill queue to its worker (none when the settings have no such queue)."""
        url = self.container.settings.backfill_queue_url
        return self._deliver_from(url) if url else 0

    def queued(self, url: str | None) -> int:
        """Messages waiting in a queue (visible ones)."""
        if not url:
            return 0
        sqs = aws_client("sqs", self.container.settings)
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])

    def _deliver_from(self, url: str) -> int:
        sqs = aws_client("sqs", self.container.settings)
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            return 0
        messages = [ExportMessage.model_validate_json(m["Body"]) for m in batch]
        result = self.container.export_worker.handle(messages)
        failed = set(result.failed_orgs)
        for raw, message in zip(batch, messages, strict=True):
            if message.org_id not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=raw["ReceiptHandle"])
        return len(batch)

    def export(self, *records: dict[str, Any]) -> None:
        """Push, sync, and run the workers until nothing is left."""
        if records:
            self.push(*records)
        self.sync()
        self.drain()

    def dlq_keys(self, family: Family) -> list[RecordKey]:
        sqs = aws_client("sqs", self.container.settings)
        keys = []
        while True:
            batch = sqs.receive_message(
                QueueUrl=self.container.settings.dlq_url(family), MaxNumberOfMessages=10, VisibilityTimeout=30
            ).get("Messages", [])
            if not batch:
                return keys
            for raw in batch:
                body = json.loads(raw["Body"])
                keys += [RecordKey(body["org_id"], ref["entity"], ref["record_id"]) for ref in body["records"]]

    # --- reading back ---------------------------------------------------------------------------

    def xero(self) -> dict[str, Any]:
        response = requests.get(f"{self.emulator.base_url}/_emulator/tenants/{self.tenant_id}/state", timeout=10)
        response.raise_for_status()
        return response.json()

    def record(self, entity: str, record_id: str):
        return self.container.records.get(RecordKey(self.org_id, entity, record_id))

    def invoices(self, number: str | None = None, type_: str | None = None) -> list[dict[str, Any]]:
        return [
            i
            for i in self.xero()["Invoices"]
            if (number is None or i.get("InvoiceNumber") == number) and (type_ is None or i["Type"] == type_)
        ]

    def requests_log(self, method: str | None = None, path_prefix: str | None = None) -> list[dict[str, Any]]:
        params = {
            k: v for k, v in {"method": method, "path_prefix": path_prefix, "tenant_id": self.tenant_id}.items() if v
        }
        response = requests.get(f"{self.emulator.base_url}/_emulator/requests", params=params, timeout=10)
        response.raise_for_status()
        body = response.json()
        return body["requests"] if isinstance(body, dict) else body


def settings_for_emulator(base: Settings, emulator_url: str) -> Settings:
    return base.model_copy(
        update={
            "xero_login_url": emulator_url,
            "xero_identity_url": emulator_url,
            "xero_api_url": emulator_url,
            "xero_client_id": "demo-client-id",
            "xero_client_secret": "demo-client-secret",
            "xero_minute_limit": int(55 * TIME_SCALE),
            "xero_timeout_seconds": 5.0,
        }
    )


def synced_mark(
    key: RecordKey,
    *,
    owner: str | None = None,
    version: int = 1,
    tenant_id: str = "tenant-1",
    xero_id: str | None = None,
) -> SyncedMark:
    """What a worker writes down for a record Xero now holds (``RecordStore.mark_synced``)."""
    return SyncedMark(key, owner, version, "upsert", tenant_id, xero_id or f"xero-{key.record_id}", None, None, None)


def dynamodb_requests(monkeypatch: Any) -> list[str]:
    """The names of the DynamoDB operations sent from here on (PynamoDB's one way out to botocore),
    for tests that count requests."""
    from pynamodb.connection.base import Connection

    sent: list[str] = []
    original = Connection._make_api_call

    def recording(self: Any, operation_name: str, operation_kwargs: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(operation_name)
        return original(self, operation_name, operation_kwargs, *args, **kwargs)

    monkeypatch.setattr(Connection, "_make_api_call", recording)
    return sent
