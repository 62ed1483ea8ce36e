"""POSTing to the host's webhook (outbound/host_http.py) over real sockets: every resolved
address is checked, the connection goes to the address that was checked (with the host name kept
for Host and TLS), no redirect is followed, a silent endpoint times out."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from xero_sync.domain.host_webhooks import UnsafeUrl
from xero_sync.outbound.host_http import PinnedHttpSender


class Recorder:
    def __init__(self, status: int = 200, location: str | None = None) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.release = threading.Event()
        self.hold = False
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if recorder.hold:
                    recorder.release.wait(10)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.close()


def resolving(names: dict[str, list[str]]):
    """A resolver that answers from a table (as DNS would), for names the test makes up."""

    def resolve(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        if host not in names:
            raise socket.gaierror(f"{host} does not resolve")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in names[host]]

    return resolve


def test_a_delivery_reaches_the_endpoint_with_its_headers(recorder):
    sender = PinnedHttpSender(allow_loopback_http=True)
    answer = sender.post(
        f"http://127.0.0.1:{recorder.port}/hooks?x=1", b'{"a":1}', {"X-Xero-Sync-Signature": "t=1,v1=ab"}
    )
    assert answer.accepted and answer.status_code == 200 and answer.error is None
    ((path, headers, body),) = recorder.requests
    assert (path, body) == ("/hooks?x=1", b'{"a":1}')
    assert headers["x-xero-sync-signature"] == "t=1,v1=ab" and headers["content-type"] == "application/json"


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept(recorder):
    # Given a name that resolves (only) to the address the service checked
    sender = PinnedHttpSender(allow_loopback_http=True, resolver=resolving({"hooks.host.test": ["127.0.0.1"]}))
    answer = sender.post(f"http://hooks.host.test:{recorder.port}/in", b"{}", {})
    # Then the request arrived there, named for the host it was meant for
    assert answer.accepted
    assert recorder.requests[0][1]["host"] == f"hooks.host.test:{recorder.port}"


@pytest.mark.parametrize(
    "addresses",
    [["169.254.169.254"], ["10.0.0.5"], ["93.184.216.34", "192.168.0.10"], ["fd00:ec2::254"]],
    ids=["metadata", "private", "one-of-several-private", "ipv6-metadata"],
)
def test_a_name_resolving_to_an_internal_address_is_refused_before_connecting(addresses):
    sender = PinnedHttpSender(allow_loopback_http=False, resolver=resolving({"evil.example": addresses}))
    with pytest.raises(UnsafeUrl):
        sender.check("https://evil.example/hook")
    answer = sender.post("https://evil.example/hook", b"{}", {})
    assert not answer.accepted and answer.error.startswith("URL refused")


def test_in_aws_loopback_and_plain_http_are_refused(recorder):
    sender = PinnedHttpSender(allow_loopback_http=False)
    for url in (f"http://127.0.0.1:{recorder.port}/", f"https://127.0.0.1:{recorder.port}/", "http://example.com/"):
        with pytest.raises(UnsafeUrl):
            sender.check(url)
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        PinnedHttpSender(allow_loopback_http=False, resolver=resolving({})).check("https://nowhere.example/")
    assert recorder.requests == []


def test_redirects_are_not_followed_and_a_silent_endpoint_times_out():
    redirecting = Recorder(status=302, location="http://169.254.169.254/latest/meta-data/")
    try:
        answer = PinnedHttpSender(allow_loopback_http=True).post(f"http://127.0.0.1:{redirecting.port}/", b"{}", {})
        assert (answer.status_code, answer.accepted, answer.error) == (302, False, "HTTP 302")
        assert len(redirecting.requests) == 1
    finally:
        redirecting.close()
    silent = Recorder()
    silent.hold = True
    try:
        answer = PinnedHttpSender(allow_loopback_http=True, timeout_seconds=0.5).post(
            f"http://127.0.0.1:{silent.port}/", b"{}", {}
        )
        assert answer.status_code is None and "ReadTimeoutError" in answer.error
    finally:
        silent.close()
