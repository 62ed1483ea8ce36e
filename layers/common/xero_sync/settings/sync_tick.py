"""``SyncTickSettings``: the settings of ``functions/sync_tick``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import ExportQueueSettings, ImportQueueSettings, XeroSettings


class SyncTickSettings(XeroSettings, ExportQueueSettings, ImportQueueSettings):
    """The scheduled tick: starts due syncs (and refreshes Xero's reference data)."""
