"""A host product's webhook endpoint for the end-to-end tests: a loopback HTTP server that
answers with ``status`` and keeps every attempt (accepted or not), so a test waits on what it
receives (a Condition) instead of sleeping."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Attempt:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def change_id(self) -> str | None:
        return self.headers.get("x-xero-sync-change-id")


class HostEndpoint:
    def __init__(self) -> None:
        self.status = 200
        self.attempts: list[Attempt] = []
        self.changed = threading.Condition()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = endpoint.status
                with endpoint.changed:
                    endpoint.attempts.append(Attempt(status, {k.lower(): v for k, v in self.headers.items()}, body))
                    endpoint.changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/xero-sync"

    @property
    def accepted(self) -> list[Attempt]:
        with self.changed:
            return [a for a in self.attempts if 200 <= a.status < 300]

    def wait(self, condition, timeout: float = 60.0) -> bool:
        """Until ``condition(attempts)`` holds (woken by every attempt)."""
        with self.changed:
            return self.changed.wait_for(lambda: condition(list(self.attempts)), timeout)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
