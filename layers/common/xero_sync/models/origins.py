"""Web origins (RFC 6454), for the places a connect may send the admin's browser back to: the
deployment's host app (``HOST_APP_ORIGINS``) and each org's ``allowed_host_origins``.

An origin is ``scheme://host[:port]``, lower-cased, without the scheme's default port — what
browsers compare. https only, except for a local host (the rule Xero applies to redirect URIs).
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
ORIGIN_PATTERN = rf"^(?:https://{_LABEL}(?:\.{_LABEL})*|http://(?:localhost|127\.0\.0\.1|\[::1\]))(?::{_PORT})?/?$"
"""An allowed origin, exactly as accepted (and published in the OpenAPI document): https with a
DNS name or IPv4 address, or http on a local host; an optional port up to 65535 and ``/``."""
_ORIGIN = re.compile(ORIGIN_PATTERN)


class OriginError(ValueError):
    pass


def split_url(url: str, what: str) -> SplitResult:
    """``urlsplit``, with the port checked (a port that is not a number up to 65535, or a broken
    IPv6 address, is an :class:`OriginError` naming ``what``, not a ValueError from deep inside)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — reading it is the check
    except ValueError as error:
        raise OriginError(f"{what} is not a valid URL: {error}") from error
    return parts


def is_local(hostname: str) -> bool:
    return hostname in LOCAL_HOSTS or f"[{hostname}]" in LOCAL_HOSTS


def origin_of(url: str) -> str:
    """The origin of an absolute URL."""
    parts = split_url(url, "url")
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6
    port = parts.port
    if port is None or (scheme, port) in (("https", 443), ("http", 80)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def check_origin(text: str) -> str:
    """An allowed origin as configured (:data:`ORIGIN_PATTERN`). Returns it normalised."""
    if not _ORIGIN.fullmatch(text):
        raise OriginError(
            f"{text[:300]!r} is not an origin such as https://app.example.com (https, a host name and an optional "
            "port, nothing after it; http only for localhost)"
        )
    return origin_of(text)
