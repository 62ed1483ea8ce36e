"""``ImportWorkerSettings``: the settings of ``functions/import_worker``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import (
    HostWebhookQueueSettings,
    ImportQueueSettings,
    ImportStoresSettings,
    NotificationQueueSettings,
    XeroSettings,
)


class ImportWorkerSettings(
    XeroSettings, ImportQueueSettings, HostWebhookQueueSettings, NotificationQueueSettings, ImportStoresSettings
):
    """The import worker: reads Xero, records changes, nudges the host's webhook deliveries."""
