"""Web origins (RFC 6454), for the places a connect may send the admin's browser back to: the
deployment's host app (``HOST_APP_ORIGINS``) and each org's ``allowed_return_origins``.

An origin is ``scheme://host[:port]``, lower-cased, without the scheme's default port — what
browsers compare. https only, except for a local host (the rule Xero applies to redirect URIs).
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


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
    """An allowed origin as configured: ``https://host[:port]`` (http only for a local host),
    nothing after it. Returns it normalised."""
    value = text.strip()
    parts = split_url(value, "origin")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise OriginError(f"{text!r} is not an origin such as https://app.example.com")
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.endswith(("?", "#")):
        raise OriginError(f"{text!r} must be an origin only (scheme, host and port), such as https://app.example.com")
    if parts.username is not None or parts.password is not None:
        raise OriginError(f"{text!r} must not contain a user name or password")
    if parts.scheme == "http" and not is_local(parts.hostname):
        raise OriginError(f"{text!r} must use https (plain http is allowed only for localhost)")
    return origin_of(value)
