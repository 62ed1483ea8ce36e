"""POSTing to the host's webhook URL without letting the URL reach inside the network (F4.2,
N4): the :class:`~xero_sync.services.ports.WebhookSender` port.

Before every request the host name is resolved and *every* address it resolves to is checked
(domain/host_webhooks.py: public addresses only; loopback over http only when the local stack
allows it); the connection is then opened to the address that was checked — with the host name
as TLS SNI, certificate check and ``Host`` header — so a DNS answer that changes between the
check and the connection (DNS rebinding) cannot send a delivery to an internal address.
``requests`` does not let a caller choose the address it connects to, so this adapter uses its
transport, urllib3, directly. No redirects are followed, no retries are made here (the
deliverer retries with back-off), and the host's answer is not read beyond its status.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import certifi
import urllib3
from urllib3.exceptions import HTTPError

from xero_sync.domain.host_webhooks import Target, UnsafeUrl, check_address, parse_url
from xero_sync.observability import tracer
from xero_sync.services.ports import HttpAnswer

Resolver = Callable[..., list[tuple[Any, ...]]]
CONNECT_TIMEOUT_SECONDS = 3.0
USER_AGENT = "xero-sync-webhooks/1"


class PinnedHttpSender:
    def __init__(
        self, *, allow_loopback_http: bool, timeout_seconds: float = 10.0, resolver: Resolver = socket.getaddrinfo
    ) -> None:
        self.allow_loopback_http = allow_loopback_http
        self.timeout_seconds = timeout_seconds
        self._resolve_name = resolver

    def check(self, url: str) -> None:
        """Raise UnsafeUrl unless ``url`` may be called now (syntax, DNS, every address)."""
        self._resolve(url)

    def _resolve(self, url: str) -> tuple[Target, str]:
        target = parse_url(url, allow_loopback_http=self.allow_loopback_http)
        try:
            answers = self._resolve_name(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise UnsafeUrl(f"the host name {target.host!r} does not resolve") from error
        addresses = list(dict.fromkeys(str(answer[4][0]) for answer in answers))
        if not addresses:
            raise UnsafeUrl(f"the host name {target.host!r} does not resolve")
        for address in addresses:
            check_address(address, scheme=target.scheme, allow_loopback_http=self.allow_loopback_http)
        return target, addresses[0]

    @tracer.capture_method(capture_response=False)  # a subsegment per delivery (urllib3 is not patched)
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAnswer:
        started = time.perf_counter()
        try:
            target, address = self._resolve(url)
        except UnsafeUrl as error:
            return HttpAnswer(None, f"URL refused: {error}", _ms(started))
        default_port = 443 if target.scheme == "https" else 80
        host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
        timeout = urllib3.Timeout(connect=min(CONNECT_TIMEOUT_SECONDS, self.timeout_seconds), read=self.timeout_seconds)
        pool: urllib3.HTTPConnectionPool
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                target.port,
                timeout=timeout,
                retries=False,
                cert_reqs="CERT_REQUIRED",
                ca_certs=certifi.where(),
                server_hostname=target.host,
                assert_hostname=target.host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False)
        request_headers = {
            **headers,
            "Host": host_header,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }
        try:
            response = pool.urlopen(
                "POST", target.path, body=body, headers=request_headers, redirect=False, preload_content=False
            )
            status = response.status
            response.release_conn()
        except HTTPError as error:
            return HttpAnswer(None, f"no answer ({type(error).__name__})", _ms(started))
        finally:
            pool.close()
        error_text = None if 200 <= status < 300 else f"HTTP {status}"
        return HttpAnswer(status, error_text, _ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
