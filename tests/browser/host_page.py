"""A host product's page that embeds the console in an iframe, served on a loopback origin of its
own, for the frame-ancestors test."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit


class _HostPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        src = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
        body = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Host product</title></head>"
            "<body><main><h1>Host product: Settings → Integrations → Xero</h1>"
            f"<iframe id='console' title='Xero integration' src='{html.escape(src, quote=True)}' "
            "width='1200' height='800'></iframe></main></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass(frozen=True)
class HostPage:
    origin: str

    def page_for(self, console_url: str) -> str:
        return f"{self.origin}/?src={quote(console_url, safe='')}"


@contextmanager
def serve_host_page() -> Iterator[HostPage]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostPage)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield HostPage(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
