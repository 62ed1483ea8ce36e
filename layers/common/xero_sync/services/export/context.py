"""An org's mapping context for the worker: settings, tax mappings and Xero's reference data.

Reference data is "imported on connect and on each sync" (F4.1). The worker is where syncs
happen, so it refreshes the import when it is older than ``max_age`` before mapping: a code
added to an account in Xero, or a currency enabled, is seen within minutes. Only one worker
refreshes an org at a time: it first moves the ``xero#checked`` marker with a conditional write.
When the refresh finds a change, the org's failed records that such a change can cure are sent
again (F2.2: "retried when the code is added").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from xero_sync.domain.config_items import SETTINGS, TAX_MAPPINGS
from xero_sync.domain.errors import RevisionConflict
from xero_sync.domain.mapping import MappingContext
from xero_sync.models.org_config import OrgSettings, TaxMappings
from xero_sync.observability import logger
from xero_sync.services.ports import OrgConfigStore
from xero_sync.services.reference_data import XERO_FIXABLE_CODES, ReferenceDataService
from xero_sync.services.sync import HISTORICAL_RANGES, historical_ranges
from xero_sync.xero.errors import XeroRetryableError

CHECKED = "xero#checked"

Requeue = Callable[..., int]


@dataclass(frozen=True)
class RefreshResult:
    changed: bool = False  # Xero's data differed from the last import
    requeued: int = 0  # failed records sent again because of it


@dataclass(frozen=True)
class ExportContext:
    mapping: MappingContext
    historical: list[tuple[date, date]]  # host-requested ranges that ignore the export-from date (F3.8)


@dataclass
class OrgMappingContexts:
    org_config: OrgConfigStore
    reference_data: ReferenceDataService
    requeue_failed: Requeue
    max_age: timedelta = timedelta(minutes=15)

    def load(self, org_id: str, now: datetime, *, fresh: bool = False) -> ExportContext:
        """The org's context. ``fresh``: import Xero's reference data first whatever its age —
        for a retry the admin asked for after fixing something in Xero (a lock date moved, an
        account code added), which must not meet the import of a minute before the fix."""
        items = self.org_config.get_many(org_id, [SETTINGS, TAX_MAPPINGS, CHECKED, HISTORICAL_RANGES])
        settings = OrgSettings.model_validate(items[SETTINGS].body) if SETTINGS in items else OrgSettings()
        tax_mappings = TaxMappings.model_validate(items[TAX_MAPPINGS].body) if TAX_MAPPINGS in items else TaxMappings()
        if fresh:
            self._refresh(org_id, items.get(CHECKED), now)
        else:
            self._refresh_if_stale(org_id, items.get(CHECKED), now)
        reference = self.reference_data.load(org_id)
        if reference is None:
            reference = self.reference_data.load_or_import(org_id)
        mapping = MappingContext(org_id=org_id, settings=settings, tax_mappings=tax_mappings, reference=reference)
        ranges = historical_ranges(items[HISTORICAL_RANGES].body) if HISTORICAL_RANGES in items else []
        return ExportContext(mapping=mapping, historical=ranges)

    def refresh(self, org_id: str, now: datetime) -> RefreshResult:
        """Import Xero's reference data now (on connect, or when the host asks), and note when it
        was checked."""
        return self._refresh(org_id, self.org_config.get(org_id, CHECKED), now, forced=True)

    def _refresh_if_stale(self, org_id: str, checked, now: datetime) -> RefreshResult | None:
        last = datetime.fromisoformat(checked.body["at"]) if checked is not None else None
        if last is not None and now - last < self.max_age:
            return None
        return self._refresh(org_id, checked, now)

    def _refresh(self, org_id: str, checked, now: datetime, *, forced: bool = False) -> RefreshResult:
        try:  # claim this refresh: a concurrent worker that moved the marker first does it
            self.org_config.put(
                org_id, CHECKED, {"at": now.isoformat()}, now=now, expected_revision=checked.revision if checked else 0
            )
        except RevisionConflict:
            return RefreshResult()
        try:
            changed = self.reference_data.refresh(org_id, now)
        except XeroRetryableError as error:
            if forced:
                raise
            logger.warning(
                "Could not refresh Xero reference data; using the last import",
                extra={"org_id": org_id, "error": str(error)},
            )
            return RefreshResult()
        requeued = 0
        if changed and checked is not None:  # not on the first import: nothing failed on it yet
            requeued = self.requeue_failed(org_id, error_codes=XERO_FIXABLE_CODES, now=now)
            if requeued:
                logger.info(
                    "Xero's reference data changed; failed records sent again",
                    extra={"org_id": org_id, "count": requeued},
                )
        return RefreshResult(changed=changed, requeued=requeued)
