"""An org's configuration is kept as named items, each a JSON body with a revision (optimistic
concurrency): the settings, the tax mappings, Xero's reference data and the notifier's notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

SETTINGS = "settings"
TAX_MAPPINGS = "tax_mappings"
XERO_PREFIX = "xero#"  # xero#accounts, xero#tax_rates, xero#currencies, xero#contact_groups, xero#organisation


@dataclass(frozen=True)
class ConfigItem:
    body: Any
    revision: int
    updated_at: datetime | None
