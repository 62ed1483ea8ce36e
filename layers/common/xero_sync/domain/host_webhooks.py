"""The host's signed change notifications (F4.2), as pure rules: the signature, the URL rules,
the retry schedule and the subscription entity.

**Signature** (the scheme Stripe made familiar). Every delivery carries

    X-Xero-Sync-Signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
    X-Xero-Sync-Change-Id: 000000000042

``v1`` is the lower-case hex HMAC-SHA256 of ``"{t}.{raw body}"`` with the subscription's signing
secret; ``t`` is the Unix time of the attempt. A host checks it in constant time and refuses a
``t`` more than :data:`SIGNATURE_TOLERANCE` away from its clock (a replayed delivery). The change
id is in the header and the body: deliveries are at least once, so the host keeps the ids it has
applied and ignores a repeat.

**URLs.** ``https://`` only; never an address that is private, loopback, link-local (cloud
metadata: 169.254.169.254, fd00:ec2::254), multicast, reserved or unspecified — checked on every
address the host name resolves to, at registration and again before every delivery, and the
connection is made to the address that was checked (a DNS answer that changes in between cannot
redirect a delivery inside the network). The local stack may allow ``http://`` on loopback.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

SIGNATURE_HEADER = "X-Xero-Sync-Signature"
CHANGE_ID_HEADER = "X-Xero-Sync-Change-Id"
ATTEMPT_HEADER = "X-Xero-Sync-Attempt"
SIGNATURE_TOLERANCE = timedelta(minutes=5)
SECRET_PREFIX = "whsec_"

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 900  # SQS's longest message delay
GIVE_UP_AFTER = timedelta(hours=24)
MAX_URL_LENGTH = 2000
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),
        ipaddress.ip_address("fd00:ec2::254"),
        ipaddress.ip_address("100.100.100.200"),
    }
)


# --- signature ---------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: str, header: str | None, body: bytes, now: datetime, tolerance: timedelta = SIGNATURE_TOLERANCE
) -> bool:
    """What a host does with a delivery (and what the tests do): parse ``t`` and every ``v1``,
    check the time, compare in constant time."""
    if not header:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


# --- URLs ---------------------------------------------------------------------------------------


class UnsafeUrl(ValueError):
    """A webhook URL the service will not call; the message says why, in the host's words."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string


def parse_url(url: str, *, allow_loopback_http: bool) -> Target:
    """The URL's parts, or UnsafeUrl. Addresses are checked after resolution (:func:`check_address`)."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"must be at most {MAX_URL_LENGTH} characters")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise UnsafeUrl("must be an https:// URL")
    if scheme == "http" and not allow_loopback_http:
        raise UnsafeUrl("must be an https:// URL (http:// is refused)")
    if parts.username or parts.password:
        raise UnsafeUrl("must not carry a user name or password")
    if parts.fragment:
        raise UnsafeUrl("must not have a #fragment")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeUrl("has no host name")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeUrl("has an invalid port") from error
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=scheme, host=host, port=port, path=path)


def check_address(address: str, *, scheme: str, allow_loopback_http: bool) -> None:
    """Raise UnsafeUrl unless the service may connect to ``address`` (one DNS answer)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError as error:
        raise UnsafeUrl(f"resolves to {address!r}, which is not an IP address") from error
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback and allow_loopback_http:
        return  # the local stack's host endpoint (http or https)
    if ip in METADATA_ADDRESSES or ip.is_link_local:
        raise UnsafeUrl(f"resolves to {ip}, a link-local (cloud metadata) address")
    if ip.is_loopback or ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified or not ip.is_global:
        raise UnsafeUrl(f"resolves to {ip}, which is not a public address")
    if scheme != "https":
        raise UnsafeUrl("must be an https:// URL (http:// is allowed on loopback only, in the local stack)")


# --- retries -----------------------------------------------------------------------------------


def retry_delay(attempt: int) -> int:
    """Seconds before attempt ``attempt + 1`` after ``attempt`` failed ones: 30 s, 1, 2, 4, 8 min,
    then every 15 min (SQS's longest delay) — until :data:`GIVE_UP_AFTER` since the first failure."""
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * int(2 ** max(0, attempt - 1)))


def gives_up(failing_since: datetime | None, now: datetime) -> bool:
    return failing_since is not None and now - failing_since >= GIVE_UP_AFTER


# --- the subscription ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HostWebhook:
    org_id: str
    url: str
    secret_enc: bytes
    secret_hint: str | None
    created_at: datetime
    updated_at: datetime
    delivered_through: str | None = None
    failing_since: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    last_delivery_at: datetime | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
