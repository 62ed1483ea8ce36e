"""The case registry and common set-ups of the sync-row tests (``test_sync_*_it.py``).

Each of those modules registers its scenarios with ``@rows(...)`` into its own ``CASES`` (one
test case per SYNC_TABLE row a scenario names) and runs them with one ``test_sync_row``;
``test_sync_rows_it.py`` checks that the cases of all of them cover every row of the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from export_harness import ExportHarness, contact, invoice
from scenario_helpers import CUSTOMER, SUPPLIER, bill, vendor

from xero_sync.domain.sync_table import ROWS_BY_ID


@dataclass(frozen=True)
class Case:
    row_id: str
    variant: str | None
    scenario: Callable[[ExportHarness], None]

    @property
    def id(self) -> str:
        text = f"{self.row_id} {ROWS_BY_ID[self.row_id].host_action_text}"
        return f"{text} ({self.variant})" if self.variant else text


def registering_into(cases: list[Case]):
    """The ``rows`` decorator of a test module: it registers into that module's ``cases``."""

    def rows(*row_ids: str, variant: str | None = None):
        """Register a scenario for the given SYNC_TABLE rows (one test case per row)."""

        def register(scenario: Callable[[ExportHarness], None]) -> Callable[[ExportHarness], None]:
            for row_id in row_ids:
                assert row_id in ROWS_BY_ID, row_id
                cases.append(Case(row_id, variant, scenario))
            return scenario

        return register

    return rows


# --- common set-ups ------------------------------------------------------------------------------


def sale(h: ExportHarness, *extra: dict) -> None:
    """A customer and invoice INV-1001 (2 × 50.00 + 15 % GST = 115.00) in Xero, plus ``extra``."""
    h.export(contact("cus-1", CUSTOMER), invoice("inv-1", "INV-1001", "cus-1"), *extra)


def purchase(h: ExportHarness, *extra: dict) -> None:
    """A supplier and bill BILL-77 (2 × 40.00 + 15 % GST = 92.00) in Xero, plus ``extra``."""
    h.export(vendor("ven-1", SUPPLIER), bill("bill-1", "BILL-77", "ven-1"), *extra)


def status(h: ExportHarness, entity: str, record_id: str) -> str:
    return h.record(entity, record_id).status


def assert_refused(h: ExportHarness, entity: str, record_id: str, *fragments: str) -> None:
    """The record failed with the restriction's message (reported to the admin)."""
    row = h.record(entity, record_id)
    assert row.status == "failed", (row.status, row.last_message)
    for fragment in fragments:
        assert fragment in (row.last_message or ""), row.last_message


def assert_synced(h: ExportHarness, *keys: tuple[str, str]) -> None:
    for entity, record_id in keys:
        row = h.record(entity, record_id)
        assert row.status == "synced", (entity, record_id, row.status, row.last_message)


def xero_client(h: ExportHarness):
    """A direct Xero call as the org (someone working in Xero itself)."""
    return h.container.xero_api.for_org(h.org_id)
