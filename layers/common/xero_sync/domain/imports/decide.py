"""What an imported state is for the host: a new object, an update, an archive/void, a new
payment status — or nothing (an echo of the service's own export, or a state already reported
by a webhook or a poll)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from xero_sync.domain.changes import What
from xero_sync.domain.imports.contacts import group_ids
from xero_sync.domain.xero_objects import XeroObject


@dataclass(frozen=True)
class Seen:
    """One object as the import read it."""

    fingerprint: str
    payment_fingerprint: str | None
    xero_updated: str | None
    archived: bool


def what_changed(known: XeroObject | None, seen: Seen, *, content: bool, payment: bool) -> What | None:
    """``content``/``payment``: whether the host follows that part of this object (e.g. only the
    payment status of an invoice the host itself sent to Xero)."""
    if known is not None and known.is_newer_than(seen.xero_updated):
        return None  # an older read than what was reported: a late duplicate
    if known is None or known.fingerprint is None:
        if not content:
            return What.PAYMENT_STATUS_CHANGED if payment else None
        return What.ARCHIVED if seen.archived else What.CREATED
    content_changed = content and known.fingerprint != seen.fingerprint
    payment_changed = payment and known.payment_fingerprint != seen.payment_fingerprint
    if content_changed:
        return What.ARCHIVED if seen.archived else What.UPDATED
    if payment_changed:
        return What.PAYMENT_STATUS_CHANGED
    return None


def contact_wanted(
    state: dict[str, Any], *, customers: bool, vendors: bool, contact_group_ids: Collection[str]
) -> bool:
    """The import options (F2.1, F4.2): customers, vendors, and optionally only some contact
    groups. A contact no document names yet (no kind) comes with either option."""
    if not (customers or vendors):
        return False
    kind = state.get("kind")
    if (kind == "customer" and not customers) or (kind == "vendor" and not vendors):
        return False
    return not contact_group_ids or bool(group_ids(state) & set(contact_group_ids))
