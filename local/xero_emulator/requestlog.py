"""The request log behind ``GET /_emulator/requests``: one entry per request to a Xero path
(identity, connections and the Accounting API), newest last.

Only what a test needs to assert on is kept: method, path, query, status, tenant, idempotency
key, client id, time (emulated), correlation id and how the pipeline treated it. Never headers
with secrets, never bodies (token requests carry secrets in their bodies).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RequestEntry:
    id: int
    method: str
    path: str
    query: dict[str, str]
    at: str  # emulated time, ISO-8601 UTC
    status: int | None = None
    tenant_id: str | None = None
    idempotency_key: str | None = None
    client_id: str | None = None
    correlation_id: str | None = None
    # Extra facts about how the emulator treated the call: "replayed", "rate_limit_problem",
    # "fault", "detail" (why a 4xx was given), "counted" (did it count against the limits).
    notes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    def __init__(self, max_entries: int) -> None:
        self._lock = threading.Lock()
        self._entries: deque[RequestEntry] = deque(maxlen=max_entries)
        self._ids = itertools.count(1)

    def start(self, method: str, path: str, query: dict[str, str], at: str) -> RequestEntry:
        entry = RequestEntry(next(self._ids), method, path, query, at)
        with self._lock:
            self._entries.append(entry)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def query(
        self,
        method: str | None = None,
        path_prefix: str | None = None,
        tenant_id: str | None = None,
    ) -> list[dict[str, Any]]:
        with self._lock:
            entries = list(self._entries)
        result = []
        for entry in entries:
            if method and entry.method.upper() != method.upper():
                continue
            if path_prefix and not entry.path.lower().startswith(path_prefix.lower()):
                continue
            if tenant_id and entry.tenant_id != tenant_id:
                continue
            result.append(entry.to_dict())
        return result
