"""The worker's mapping context (services/export/context.py): Xero's reference data is imported
again when older than ``max_age`` — and at once for a retry the admin asked for, which usually
follows a fix in Xero (a lock date moved, an account code added)."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes import T0, InMemoryOrgConfig
from tests.unit.services.export_services_helpers import reference
from xero_sync.services.export.context import OrgMappingContexts


class CountingReferenceData:
    def __init__(self) -> None:
        self.refreshes = 0

    def refresh(self, org_id: str, now) -> bool:
        self.refreshes += 1
        return False

    def load(self, org_id: str):
        return reference()

    def load_or_import(self, org_id: str):
        return reference()


def _contexts() -> tuple[OrgMappingContexts, CountingReferenceData]:
    data = CountingReferenceData()
    contexts = OrgMappingContexts(
        org_config=InMemoryOrgConfig(),
        reference_data=data,
        requeue_failed=lambda *a, **k: 0,  # type: ignore[arg-type]
    )
    return contexts, data


def test_reference_data_is_imported_again_only_when_it_is_older_than_max_age():
    contexts, data = _contexts()
    contexts.load("org-1", T0)
    contexts.load("org-1", T0 + timedelta(minutes=5))
    assert data.refreshes == 1
    contexts.load("org-1", T0 + timedelta(minutes=16))
    assert data.refreshes == 2


def test_a_retry_asked_for_after_a_fix_imports_xeros_reference_data_whatever_its_age():
    contexts, data = _contexts()
    contexts.load("org-1", T0)
    contexts.load("org-1", T0 + timedelta(seconds=3), fresh=True)
    assert data.refreshes == 2
    contexts.load("org-1", T0 + timedelta(seconds=4))  # and the marker moved with it
    assert data.refreshes == 2
