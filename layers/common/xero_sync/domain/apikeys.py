"""Host API keys (N4): generation, parsing and verification. No I/O.

A key looks like ``xsk_<key id>_<secret>``. The key id (public, 16 hex characters) finds the
stored row; only the SHA-256 of the secret is stored, and it is compared in constant time. The
secret has 256 bits of entropy, so a fast hash is the right tool (a slow password hash protects
low-entropy human passwords, which these are not).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

PREFIX = "xsk"
_KEY_PATTERN = re.compile(r"^xsk_(?P<key_id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class GeneratedKey:
    key_id: str
    api_key: str  # shown once to the operator, never stored
    secret_hash: str


@dataclass(frozen=True)
class ParsedKey:
    key_id: str
    secret: str


def generate_key() -> GeneratedKey:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return GeneratedKey(key_id=key_id, api_key=f"{PREFIX}_{key_id}_{secret}", secret_hash=hash_secret(secret))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_key(api_key: str) -> ParsedKey | None:
    """None for anything that is not shaped like one of our keys."""
    match = _KEY_PATTERN.match(api_key.strip())
    if not match:
        return None
    return ParsedKey(key_id=match["key_id"], secret=match["secret"])


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def may_access(*, all_orgs: bool, org_ids: set[str] | frozenset[str], org_id: str) -> bool:
    """Whether a key scoped this way may act on ``org_id``."""
    return all_orgs or org_id in org_ids


@dataclass(frozen=True)
class StoredKey:
    key_id: str
    name: str
    secret_hash: str
    org_ids: frozenset[str]
    all_orgs: bool
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
