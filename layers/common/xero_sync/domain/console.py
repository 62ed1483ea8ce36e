"""The integration console's sessions (F8), without I/O.

A host asks for a console link for one org (with its API key); the link carries a single-use
secret that expires in minutes. Opening it consumes the secret and starts a *session*: another
secret, sent to the browser as a cookie and stored only as its SHA-256, bound to that org, with a
CSRF token for every form, ending after some idle time and, in any case, some hours after it
started. The browser never sees an API key.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

TOUCH_EVERY = timedelta(minutes=5)
"""A session's idle deadline moves on at most this often (one write per five minutes of use, not
one per page)."""

PAGES = ("connection", "settings", "tax-mappings", "field-mapping", "history")
"""The console's pages a link may open, besides ``contacts/<contact id>/invoices``."""

_CONTACT_PAGE = re.compile(r"contacts/(?P<contact_id>[A-Za-z0-9._:~@-]{1,255})/invoices")


def new_secret() -> str:
    """A fresh, unguessable secret (256 bits, URL-safe): a link token, a session id, a CSRF token."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What the table stores instead of a link token or session id."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison (CSRF tokens)."""
    return given is not None and secrets.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class PageError(ValueError):
    pass


def check_page(page: str) -> str:
    """A console page a link may open: one of :data:`PAGES` or ``contacts/<id>/invoices``."""
    value = page.strip().strip("/")
    if value in PAGES or _CONTACT_PAGE.fullmatch(value):
        return value
    raise PageError(f"page must be one of {', '.join(PAGES)} or contacts/<contact id>/invoices")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL, lower-cased; None otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default_port = {"http": 80, "https": 443}[parts.scheme]
    try:
        port = parts.port
    except ValueError:
        return None
    suffix = f":{port}" if port is not None and port != default_port else ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host.lower()}{suffix}"


@dataclass(frozen=True)
class ConsoleLink:
    """A link a host asked for and nobody has opened yet."""

    org_id: str
    page: str
    language: str | None
    return_url: str | None
    expires_at: datetime


@dataclass(frozen=True)
class ConsoleSession:
    """A console session of one org, as stored (the session id itself is not stored)."""

    org_id: str
    csrf_token: str
    language: str | None
    return_url: str | None
    embedded: bool
    created_at: datetime
    last_seen_at: datetime
    idle_until: datetime
    ends_at: datetime

    def alive(self, now: datetime) -> bool:
        return now < self.idle_until and now < self.ends_at

    def touched(self, now: datetime, idle: timedelta) -> ConsoleSession | None:
        """The session with its idle deadline moved on, when it is time to store that; else None."""
        if now - self.last_seen_at < TOUCH_EVERY:
            return None
        return replace(self, last_seen_at=now, idle_until=min(now + idle, self.ends_at))


def new_session(
    link: ConsoleLink, *, embedded: bool, now: datetime, idle: timedelta, lifetime: timedelta
) -> ConsoleSession:
    """The session a link starts."""
    ends_at = now + lifetime
    return ConsoleSession(
        org_id=link.org_id,
        csrf_token=new_secret(),
        language=link.language,
        return_url=link.return_url,
        embedded=embedded,
        created_at=now,
        last_seen_at=now,
        idle_until=min(now + idle, ends_at),
        ends_at=ends_at,
    )
