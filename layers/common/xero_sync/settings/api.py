"""``ApiSettings``: the settings of ``functions/api``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from pydantic import Field

from xero_sync.settings import (
    ConsoleSessionSettings,
    ExportQueueSettings,
    HostOriginSettings,
    HostWebhookQueueSettings,
    ImportQueueSettings,
    ImportStoresSettings,
    NotificationQueueSettings,
    ReadViewSettings,
    XeroSettings,
)


class ApiSettings(
    XeroSettings,
    ExportQueueSettings,
    ReadViewSettings,
    ConsoleSessionSettings,
    HostOriginSettings,
    ImportQueueSettings,
    HostWebhookQueueSettings,
    NotificationQueueSettings,
    ImportStoresSettings,
):
    """The host HTTP API (connect, settings, records, history, Sync now); it queues the reconnect
    email when a call to Xero finds the org's connection gone."""

    copy_to_xero_wait_seconds: float = Field(
        default=20.0,
        ge=0,
        le=25,
        description="How long \"Copy to Xero\" waits for the record's export before answering 202 (below the API's "
        "29-second limit).",
    )
