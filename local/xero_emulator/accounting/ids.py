"""Deterministic GUIDs (xero-facts §3.1: Xero, not the client, assigns ids).

Every id is a UUIDv5 of the tenant id and a name, so a freshly seeded tenant always has the same
ids (tests and the demo can rely on them) and two tenants never share one.
"""

from __future__ import annotations

import re
import uuid

_NAMESPACE = uuid.UUID("0b5e7c1a-3f4d-4e8a-9c61-2a7d5f9e4b30")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def seed_id(tenant_id: str, kind: str, key: str) -> str:
    """The id of a seeded record, e.g. ``seed_id(tenant, "account", "200")``."""
    return str(uuid.uuid5(_NAMESPACE, f"{tenant_id}/{kind}/{key}"))


def is_guid(text: object) -> bool:
    return isinstance(text, str) and bool(_GUID.match(text.strip().strip("{}")))


def normalise_guid(text: str) -> str:
    """Canonical lower-case, hyphenated form (Xero accepts GUIDs in any case)."""
    return str(uuid.UUID(text.strip().strip("{}")))


class IdFactory:
    """Hands out the ids of records created at run time: the n-th id of a tenant is always the
    same, so a test that replays the same requests sees the same ids."""

    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._counter = 0

    def new(self, kind: str) -> str:
        self._counter += 1
        return str(uuid.uuid5(_NAMESPACE, f"{self._tenant_id}/{kind}/#{self._counter}"))
