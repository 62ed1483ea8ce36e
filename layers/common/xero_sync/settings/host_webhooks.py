"""``HostWebhookSettings``: the settings of ``functions/host_webhooks``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import HostWebhookQueueSettings, ImportStoresSettings, NotificationQueueSettings


class HostWebhookSettings(HostWebhookQueueSettings, NotificationQueueSettings, ImportStoresSettings):
    """The host webhook deliverer: signed POSTs of the change feed to the host's URL."""
