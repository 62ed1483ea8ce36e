"""Host API keys (N4): create, list, revoke, and authenticate a request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from xero_sync.domain import apikeys
from xero_sync.domain.apikeys import StoredKey
from xero_sync.services.ports import ApiKeyStore

ORG_ID_REGEX = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
ORG_ID_PATTERN = re.compile(ORG_ID_REGEX)
"""What an org id may look like: the host's own ids, kept URL- and key-safe. Use ``fullmatch``:
``match`` would let a trailing newline through (``$`` matches before one)."""


@dataclass(frozen=True)
class CreatedKey:
    key_id: str
    api_key: str  # shown once; only its hash is stored


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key and the orgs it may act on."""

    key_id: str
    name: str
    all_orgs: bool
    org_ids: frozenset[str]

    def may_access(self, org_id: str) -> bool:
        return apikeys.may_access(all_orgs=self.all_orgs, org_ids=self.org_ids, org_id=org_id)


class ApiKeyInputError(ValueError):
    """Bad input to key management, naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def create_api_key(repo: ApiKeyStore, *, name: str, org_ids: list[str], all_orgs: bool, now: datetime) -> CreatedKey:
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiKeyInputError("name", "give the key a name of 1–100 characters (who uses it, what for)")
    if all_orgs and org_ids:
        raise ApiKeyInputError("org_ids", "a platform key (all orgs) must not also list org ids")
    if not all_orgs and not org_ids:
        raise ApiKeyInputError("org_ids", "scope the key to at least one org, or make it a platform key (all orgs)")
    for org_id in org_ids:
        if not ORG_ID_PATTERN.fullmatch(org_id):
            raise ApiKeyInputError("org_ids", f"{org_id!r} is not a valid org id (letters, digits, . _ : -; max 100)")
    generated = apikeys.generate_key()
    repo.create(
        key_id=generated.key_id,
        name=name,
        secret_hash=generated.secret_hash,
        org_ids=set(org_ids),
        all_orgs=all_orgs,
        now=now,
    )
    return CreatedKey(key_id=generated.key_id, api_key=generated.api_key)


def authenticate(repo: ApiKeyStore, authorization: str | None) -> Principal | None:
    """The principal behind an ``Authorization: Bearer <key>`` header, or None for anything
    missing, malformed, unknown, revoked or wrong — all indistinguishable to the caller."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value:
        return None
    parsed = apikeys.parse_key(value)
    if parsed is None:
        return None
    stored: StoredKey | None = repo.get(parsed.key_id)
    if stored is None or not stored.active:
        return None
    if not apikeys.secret_matches(parsed.secret, stored.secret_hash):
        return None
    return Principal(key_id=stored.key_id, name=stored.name, all_orgs=stored.all_orgs, org_ids=stored.org_ids)
