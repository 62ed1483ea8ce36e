"""``InventoryJournalSettings``: the settings of ``functions/inventory_journal``. One module per
function, so that a function defines only its own class (a pydantic class costs ~1 ms at import;
N6)."""

from __future__ import annotations

from xero_sync.settings import ExportQueueSettings, XeroSettings


class InventoryJournalSettings(XeroSettings, ExportQueueSettings):
    """The hourly inventory journal (F3.9): Xero, and the export queues (a reference data refresh
    it makes may re-queue records a change in Xero cured)."""
