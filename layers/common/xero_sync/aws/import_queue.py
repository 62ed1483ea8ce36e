"""The SQS adapter of :class:`~xero_sync.services.ports.ImportQueue` (ten messages a request)
and of :class:`~xero_sync.services.ports.HostWebhookQueue`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xero_sync.models.imports import DeliveryNudge, OrgImport, OrgObjects, TenantEvents

SQS_BATCH = 10
MAX_DELAY_SECONDS = 900


class SqsImportQueue:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self._url = queue_url

    def send(self, messages: Sequence[TenantEvents | OrgImport | OrgObjects], *, delay_seconds: int = 0) -> int:
        delay = max(0, min(MAX_DELAY_SECONDS, delay_seconds))
        for start in range(0, len(messages), SQS_BATCH):
            entries = [
                {"Id": str(index), "MessageBody": message.model_dump_json(), "DelaySeconds": delay}
                for index, message in enumerate(messages[start : start + SQS_BATCH])
            ]
            response = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
            for failed in response.get("Failed") or []:  # once more, one by one; then the caller fails
                entry = entries[int(failed["Id"])]
                self._sqs.send_message(QueueUrl=self._url, MessageBody=entry["MessageBody"], DelaySeconds=delay)
        return len(messages)


class SqsHostWebhookQueue:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self._url = queue_url

    def nudge(self, org_id: str, *, attempt: int = 0, delay_seconds: int = 0) -> None:
        body = DeliveryNudge(org_id=org_id, attempt=attempt).model_dump_json()
        delay = max(0, min(MAX_DELAY_SECONDS, delay_seconds))
        self._sqs.send_message(QueueUrl=self._url, MessageBody=body, DelaySeconds=delay)
