"""``ExportWorkerSettings``: the settings of ``functions/export_worker``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import ExportQueueSettings, ImportStoresSettings, NotificationQueueSettings, XeroSettings


class ExportWorkerSettings(XeroSettings, ExportQueueSettings, NotificationQueueSettings, ImportStoresSettings):
    """The per-family export workers: Xero, the export queues, and failure digests."""
