"""Queues, mailer and once-guard that record what they were given (services/ports.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from xero_sync.domain.email import EmailRejected, EmailThrottled, OutgoingEmail
from xero_sync.domain.records import RecordKey
from xero_sync.models.messages import EnqueueReason
from xero_sync.models.notifications import NotificationMessage


class RecordingExportQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[list[RecordKey], str]] = []  # (keys, reason) per call
        self.delays: list[int] = []
        self.parked: list[tuple[RecordKey, str]] = []
        self.background: list[bool] = []  # per call: sent to the backfill queue

    def enqueue(
        self,
        keys: Collection[RecordKey],
        reason: EnqueueReason,
        *,
        delay_seconds: int = 0,
        deferrals: int = 0,
        background: bool = False,
    ) -> int:
        keys = list(keys)
        self.sent.append((keys, str(reason)))
        self.delays.append(delay_seconds)
        self.background.append(background)
        return len(keys)

    @property
    def background_keys(self) -> list[RecordKey]:
        """Every key sent to the backfill queue, in order."""
        return [
            key for (keys, _), background in zip(self.sent, self.background, strict=True) if background for key in keys
        ]

    @property
    def sent_keys(self) -> list[tuple[RecordKey, str]]:
        """Every key sent, with its reason, in order."""
        return [(key, reason) for keys, reason in self.sent for key in keys]

    def park_in_dlq(self, key: RecordKey, note: str) -> None:
        self.parked.append((key, note))


class RecordingNotificationQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[NotificationMessage, int]] = []
        self.fail_next = False  # the next send raises, as SQS being unavailable would

    def send(self, message: NotificationMessage, *, delay_seconds: int = 0) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("SQS is unavailable")
        self.sent.append((message, delay_seconds))

    def take(self) -> list[NotificationMessage]:
        messages = [message for message, _ in self.sent]
        self.sent.clear()
        return messages


class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.throttle = 0  # the next n sends are throttled
        self.reject = False  # every send is rejected

    def send(self, email: OutgoingEmail) -> str:
        if self.throttle:
            self.throttle -= 1
            raise EmailThrottled("Throttling", "Maximum sending rate exceeded.")
        if self.reject:
            raise EmailRejected("MessageRejected", "Email address is not verified.")
        self.sent.append(email)
        return f"ses-{len(self.sent)}"


class MemoryOnce:
    """Remembers results by key; an exception leaves no record (as Powertools idempotency)."""

    def __init__(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}

    def run_once(self, key: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        if key in self.results:
            return self.results[key]
        result = action()
        self.results[key] = result
        return result
