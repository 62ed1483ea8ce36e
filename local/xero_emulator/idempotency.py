"""The ``Idempotency-Key`` store (xero-facts §4).

* Keys are kept per app (client id) for 6 minutes of emulated time from first use, then forgotten:
  a reuse after that is processed as a brand-new request.
* The fingerprint is method + path + query + raw body. Same key and same fingerprint → the stored
  status and body of the first call are replayed (error responses included: Xero caches errors
  too). Same key, different fingerprint → 400.
* Honoured on POST, PUT and PATCH only; ignored on GET and DELETE.
* A second request with a key whose first request is still being processed waits for it and then
  gets the replay (so two racing retries cannot both reach the engine).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

RETENTION = timedelta(minutes=6)
MAX_KEY_LENGTH = 128
IDEMPOTENT_METHODS = frozenset({"POST", "PUT", "PATCH"})
_WAIT_FOR_FIRST_SECONDS = 60.0


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]


@dataclass
class _Entry:
    fingerprint: str
    first_used_at: datetime
    done: threading.Event = field(default_factory=threading.Event)
    response: StoredResponse | None = None


@dataclass(frozen=True)
class Claim:
    """What ``IdempotencyStore.claim`` decided.

    kind "new": the caller owns the key and must call ``complete`` (or ``abandon``);
    kind "replay": ``response`` is the stored answer; kind "mismatch": answer 400.
    """

    kind: str
    response: StoredResponse | None = None


def fingerprint(method: str, path: str, query_string: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query_string.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], _Entry] = {}

    def _expire(self, now: datetime) -> None:
        stale = [k for k, e in self._entries.items() if now - e.first_used_at >= RETENTION and e.done.is_set()]
        for k in stale:
            del self._entries[k]

    def claim(self, client_id: str, key: str, request_fingerprint: str, now: datetime) -> Claim:
        with self._lock:
            self._expire(now)
            entry = self._entries.get((client_id, key))
            if entry is None:
                self._entries[(client_id, key)] = _Entry(request_fingerprint, now)
                return Claim("new")
        if entry.fingerprint != request_fingerprint:
            return Claim("mismatch")
        entry.done.wait(_WAIT_FOR_FIRST_SECONDS)
        if entry.response is None:  # the first request was abandoned (should not happen)
            return Claim("mismatch")
        return Claim("replay", entry.response)

    def complete(self, client_id: str, key: str, response: StoredResponse) -> None:
        with self._lock:
            entry = self._entries.get((client_id, key))
        if entry is not None:
            entry.response = response
            entry.done.set()

    def abandon(self, client_id: str, key: str) -> None:
        """Forget a key whose request produced no response at all (an emulator bug)."""
        with self._lock:
            entry = self._entries.pop((client_id, key), None)
        if entry is not None:
            entry.done.set()

    def size(self) -> int:
        with self._lock:
            return len(self._entries)
