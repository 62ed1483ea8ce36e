"""A host product's webhook endpoint on loopback, for the demo, the import benchmark and the
end-to-end tests: an HTTP server that keeps every delivery attempt (headers, body, when it
arrived, whether its signature was valid) so callers wait on what it receives (a Condition)
instead of sleeping.

It answers ``status``; with a ``secret`` set it checks each delivery's signature the way a host
would (domain/host_webhooks.py ``verify_signature``) and answers 401 to a bad one."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Attempt:
    status: int
    headers: dict[str, str]
    body: bytes
    signed: bool | None = None  # None: no secret to check it with
    arrived: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def change_id(self) -> str | None:
        return self.headers.get("x-xero-sync-change-id")


class HostEndpoint:
    def __init__(self, path: str = "/hooks/xero-sync") -> None:
        self.status = 200
        self.secret: str | None = None
        self.attempts: list[Attempt] = []
        self.changed = threading.Condition()
        self._path = path
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                attempt = endpoint._receive(headers, body)
                self.send_response(attempt.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _receive(self, headers: dict[str, str], body: bytes) -> Attempt:
        signed = None
        if self.secret is not None:
            from xero_sync.clock import utcnow
            from xero_sync.domain.host_webhooks import SIGNATURE_HEADER, verify_signature

            signed = verify_signature(self.secret, headers.get(SIGNATURE_HEADER.lower()), body, utcnow())
        attempt = Attempt(self.status if signed is not False else 401, headers, body, signed)
        with self.changed:
            self.attempts.append(attempt)
            self.changed.notify_all()
        return attempt

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{self._path}"

    @property
    def accepted(self) -> list[Attempt]:
        with self.changed:
            return [a for a in self.attempts if 200 <= a.status < 300]

    def wait(self, condition: Callable[[list[Attempt]], bool], timeout: float = 60.0) -> bool:
        """Until ``condition(attempts)`` holds (woken by every attempt)."""
        with self.changed:
            return self.changed.wait_for(lambda: condition(list(self.attempts)), timeout)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
