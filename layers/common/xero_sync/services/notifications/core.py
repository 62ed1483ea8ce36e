"""What both ends of the notifications queue share: the org's items they hand over through
(OrgConfig table), how long a digest window stays open, and the links into the host.

* ``notify#window`` — the org's failure digest window: opened by the producer, closed by the
  digest that the window's message brings to the notifier.
* ``notify#ledger`` — which failures, in which form, the admin was told about (the notifier).
* ``notify#reauth`` — the token set whose reconnect email is queued (the producer).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from xero_sync.domain.errors import RevisionConflict
from xero_sync.models.org_config import OrgSettings
from xero_sync.services.ports import OrgConfigStore

WINDOW_ITEM = "notify#window"
LEDGER_ITEM = "notify#ledger"
REAUTH_ITEM = "notify#reauth"

SettingsReader = Callable[[str], OrgSettings]


@dataclass(frozen=True)
class HostLinks:
    history_template: str | None = None
    reconnect_template: str | None = None

    def history(self, org_id: str) -> str | None:
        return _fill(self.history_template, org_id)

    def reconnect(self, org_id: str) -> str | None:
        return _fill(self.reconnect_template, org_id)


def _fill(template: str | None, org_id: str) -> str | None:
    return template.replace("{org_id}", quote(org_id, safe="")) if template else None


def put_quietly(
    org_config: OrgConfigStore, org_id: str, item: str, body: dict[str, Any], now: datetime, expected_revision: int
) -> None:
    """Write ``item`` if it is still at ``expected_revision``; if someone moved it on meanwhile,
    theirs is the newer state and stays."""
    with contextlib.suppress(RevisionConflict):
        org_config.put(org_id, item, body, now=now, expected_revision=expected_revision)


def close_window(
    org_config: OrgConfigStore, org_id: str, window_id: str, now: datetime, *, expected_revision: int
) -> None:
    closed = {"state": "closed", "window_id": window_id, "closed_at": now.isoformat()}
    put_quietly(org_config, org_id, WINDOW_ITEM, closed, now, expected_revision)
