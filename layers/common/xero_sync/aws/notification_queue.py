"""The SQS adapter of :class:`~xero_sync.services.ports.NotificationQueue`: the queue between
whoever decides an admin email is due and the notifier function that sends it."""

from __future__ import annotations

from typing import Any

from xero_sync.models.notifications import NotificationMessage

MAX_DELAY_SECONDS = 900  # SQS's longest DelaySeconds


class SqsNotificationQueue:
    """The notifications queue (settings ``notifications_queue_url``)."""

    def __init__(self, sqs: Any, queue_url: str | None) -> None:
        self._sqs = sqs
        self._url = queue_url

    def send(self, message: NotificationMessage, *, delay_seconds: int = 0) -> None:
        if not self._url:
            raise RuntimeError("NOTIFICATIONS_QUEUE_URL is not set")
        self._sqs.send_message(
            QueueUrl=self._url,
            MessageBody=message.model_dump_json(),
            DelaySeconds=max(0, min(MAX_DELAY_SECONDS, delay_seconds)),
        )
