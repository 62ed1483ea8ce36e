"""Webhook deliveries as Xero sends them (xero-facts §8, xero-webhooks.yaml).

* The accounting engine reports each change it made (``AccountingResponse.events``); the pipeline
  hands the CONTACT, INVOICE and CREDITNOTE ones to ``WebhookDispatcher.enqueue``. A background
  thread batches whatever is queued into one delivery (at most ``MAX_EVENTS_PER_DELIVERY``), so the
  API response never waits for the receiver.
* Payload ``{"events": [...], "firstEventSequence", "lastEventSequence", "entropy"}``; header
  ``x-xero-signature`` = base64(HMAC-SHA256(raw body, signing key)).
* The receiver must answer **200** within 5 s. Anything else is a failure and the same delivery is
  retried, with growing pauses (real seconds, capped), until 24 h of *emulated* time have passed
  since the first failure; then the subscription is disabled (as Xero does) until it is configured
  again. Deliveries keep their order: later events wait behind a delivery being retried.
* Intent to receive: ``intent_to_receive`` sends several deliveries with no events and sequences 0,
  some signed correctly and some not, and checks the receiver answered 200 / 401 to each. A
  subscription that fails it stops receiving events until the next successful check or
  re-configuration. A subscription configured by options or ``POST /_emulator/webhooks`` counts as
  already validated (so the local stack works without a handshake).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import logging
import random
import string
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests

from .interfaces import ResourceEvent

logger = logging.getLogger(__name__)

RECEIVER_TIMEOUT_SECONDS = 5.0  # Xero: "respond within 5 seconds"
GIVE_UP_AFTER = timedelta(hours=24)  # emulated time
RETRY_PAUSES_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # real time; the last one repeats
MAX_EVENTS_PER_DELIVERY = 50
BATCH_GATHER_SECONDS = 0.05  # wait this long after the first event so one save → one delivery
INTENT_TO_RECEIVE_PATTERN = (True, False, True, False)  # correctly signed? (shuffled per run)

RESOURCE_COLLECTIONS = {"CONTACT": "Contacts", "INVOICE": "Invoices", "CREDITNOTE": "CreditNotes"}


def sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def xero_event_date(moment: datetime) -> str:
    """``2024-06-21T01:15:39.902`` — Xero's eventDateUtc: UTC, milliseconds, no zone suffix."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def entropy() -> str:
    return "".join(random.choices(string.ascii_uppercase, k=20))


@dataclass
class Delivery:
    id: int
    events: list[dict[str, Any]]
    first_sequence: int
    last_sequence: int
    attempts: int = 0
    status: str = "pending"  # pending | delivered | retrying | abandoned
    last_response_status: int | None = None
    last_error: str | None = None
    first_failure_at: datetime | None = None
    delivered_at: str | None = None
    payloads: list[bytes] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "first_event_sequence": self.first_sequence,
            "last_event_sequence": self.last_sequence,
            "event_count": len(self.events),
            "events": self.events,
            "attempts": self.attempts,
            "status": self.status,
            "last_response_status": self.last_response_status,
            "last_error": self.last_error,
            "delivered_at": self.delivered_at,
        }


class WebhookDispatcher:
    def __init__(self, now: Callable[[], datetime], api_base_url: Callable[[], str]) -> None:
        self._now = now
        self._api_base_url = api_base_url
        self._cond = threading.Condition()
        self._url: str | None = None
        self._key: str | None = None
        self._status = "not_configured"  # not_configured | active | intent_to_receive_failed | disabled
        self._queue: deque[dict[str, Any]] = deque()
        self._sequence = 0
        self._current: Delivery | None = None
        self._history: deque[Delivery] = deque(maxlen=500)
        self._delivery_ids = itertools.count(1)
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._session = requests.Session()

    # --- configuration --------------------------------------------------------------------

    def configure(self, url: str | None, key: str | None) -> None:
        with self._cond:
            self._url, self._key = url, key
            self._status = "active" if url and key else "not_configured"
            self._cond.notify_all()

    def reset(self, url: str | None, key: str | None) -> None:
        """Forget queued events, deliveries and sequence numbers (control-plane reset)."""
        with self._cond:
            self._queue.clear()
            self._history.clear()
            self._current = None
            self._sequence = 0
        self.configure(url, key)

    def describe(self) -> dict[str, Any]:
        with self._cond:
            return {
                "url": self._url,
                "key_configured": bool(self._key),  # the signing key itself is a secret
                "status": self._status,
                "queued_events": len(self._queue),
                "last_event_sequence": self._sequence,
                "deliveries": [d.summary() for d in self._history]
                + ([self._current.summary()] if self._current and self._current not in self._history else []),
            }

    # --- events ---------------------------------------------------------------------------

    def enqueue(
        self,
        tenant_id: str,
        events: list[ResourceEvent],
        when: datetime,
        extra_data: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Queue the engine's events of one request. ``extra_data`` maps a resource id to the
        ``data`` block of its event (credit notes: ``{"Type", "Status"}``)."""
        if not events:
            return
        base = self._api_base_url()
        with self._cond:
            if self._status != "active":
                return  # Xero only sends events to a validated, enabled subscription
            for event in events:
                if event.category not in RESOURCE_COLLECTIONS:
                    continue
                item: dict[str, Any] = {
                    "resourceUrl": f"{base}/api.xro/2.0/{RESOURCE_COLLECTIONS[event.category]}/{event.resource_id}",
                    "resourceId": event.resource_id,
                    "eventDateUtc": xero_event_date(when),
                    "eventType": event.event_type,
                    "eventCategory": event.category,
                    "tenantId": tenant_id,
                    "tenantType": "ORGANISATION",
                }
                data = (extra_data or {}).get(event.resource_id)
                if data is not None:
                    item["data"] = data
                self._queue.append(item)
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued or being delivered (tests). Returns False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._current is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
            return True

    def wait_for_status(self, status: str, timeout: float = 30.0) -> bool:
        """Block until the subscription's status is ``status`` (tests); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._status == status, timeout)

    # --- the delivery thread --------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="xero-emulator-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _next_delivery(self) -> Delivery | None:
        """Caller holds the condition. Take up to MAX_EVENTS_PER_DELIVERY queued events."""
        if not self._queue or self._status != "active":
            return None
        events = [self._queue.popleft() for _ in range(min(len(self._queue), MAX_EVENTS_PER_DELIVERY))]
        first = self._sequence + 1
        self._sequence += len(events)
        return Delivery(next(self._delivery_ids), events, first, self._sequence)

    def _run(self) -> None:
        pause_index = 0
        while True:
            with self._cond:
                while not self._stopping and self._current is None and not (self._queue and self._status == "active"):
                    self._cond.wait()
                if self._stopping:
                    return
                if self._current is None:
                    self._cond.wait(BATCH_GATHER_SECONDS)  # let the rest of one save's events arrive
                    self._current = self._next_delivery()
                    pause_index = 0
                delivery, url, key = self._current, self._url, self._key
            if delivery is None:
                continue
            if not url or not key:
                with self._cond:
                    self._abandon(delivery, "subscription not configured")
                continue
            delivered = self._attempt(delivery, url, key)
            with self._cond:
                if delivered:
                    delivery.status = "delivered"
                    delivery.delivered_at = self._now().isoformat()
                    self._history.append(delivery)
                    self._current = None
                    self._cond.notify_all()
                    continue
                now = self._now()
                delivery.first_failure_at = delivery.first_failure_at or now
                if now - delivery.first_failure_at >= GIVE_UP_AFTER:
                    self._status = "disabled"
                    self._queue.clear()
                    self._abandon(delivery, "receiver failing for 24 h: subscription disabled")
                    continue
                delivery.status = "retrying"
                pause = RETRY_PAUSES_SECONDS[min(pause_index, len(RETRY_PAUSES_SECONDS) - 1)]
                pause_index += 1
                self._cond.wait(pause)  # a stop() or reconfigure wakes us early

    def _abandon(self, delivery: Delivery, reason: str) -> None:
        delivery.status = "abandoned"
        delivery.last_error = reason
        self._history.append(delivery)
        self._current = None
        self._cond.notify_all()

    def _attempt(self, delivery: Delivery, url: str, key: str) -> bool:
        body = json.dumps(
            {
                "events": delivery.events,
                "firstEventSequence": delivery.first_sequence,
                "lastEventSequence": delivery.last_sequence,
                "entropy": entropy(),
            },
            separators=(",", ":"),
        ).encode("utf-8")
        delivery.attempts += 1
        delivery.payloads = [*delivery.payloads[-4:], body]
        try:
            response = self._post(url, body, sign(body, key))
        except requests.RequestException as error:
            delivery.last_error = f"{type(error).__name__}"
            delivery.last_response_status = None
            return False
        delivery.last_response_status = response.status_code
        delivery.last_error = None if response.status_code == 200 else f"HTTP {response.status_code}"
        return response.status_code == 200

    def _post(self, url: str, body: bytes, signature: str) -> requests.Response:
        return self._session.post(
            url,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8", "x-xero-signature": signature},
            timeout=RECEIVER_TIMEOUT_SECONDS,
            allow_redirects=False,
        )

    # --- intent to receive ----------------------------------------------------------------

    def intent_to_receive(self, url: str | None = None, key: str | None = None) -> dict[str, Any]:
        """Run Xero's Intent-to-Receive check against ``url`` (default: the configured one)."""
        with self._cond:
            url = url or self._url
            key = key or self._key
        if not url or not key:
            raise ValueError("no webhook url/key configured")
        pattern = list(INTENT_TO_RECEIVE_PATTERN)
        random.shuffle(pattern)
        attempts = []
        for correctly_signed in pattern:
            body = json.dumps(
                {"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": entropy()},
                separators=(",", ":"),
            ).encode("utf-8")
            signature = sign(body, key if correctly_signed else key + "-not-the-key")
            expected = 200 if correctly_signed else 401
            attempt: dict[str, Any] = {"correctly_signed": correctly_signed, "expected_status": expected}
            try:
                response = self._post(url, body, signature)
                attempt["status"] = response.status_code
                attempt["ok"] = response.status_code == expected
                warnings = []
                if response.content:
                    warnings.append("response body should be empty")
                if "set-cookie" in {k.lower() for k in response.headers}:
                    warnings.append("response should not set cookies")
                attempt["warnings"] = warnings
            except requests.RequestException as error:
                attempt.update(status=None, ok=False, error=type(error).__name__, warnings=[])
            attempts.append(attempt)
        passed = all(a["ok"] for a in attempts)
        with self._cond:
            if url == self._url and key == self._key:
                self._status = "active" if passed else "intent_to_receive_failed"
            elif passed:
                self._url, self._key, self._status = url, key, "active"
            self._cond.notify_all()
        return {"url": url, "passed": passed, "attempts": attempts, "status": self._status}
