"""``XeroWebhookSettings``: the settings of ``functions/xero_webhook``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import ImportQueueSettings, XeroWebhookKeySettings


class XeroWebhookSettings(XeroWebhookKeySettings, ImportQueueSettings):
    """The Xero webhook receiver: checks the signature, queues the events, answers within 5 s."""
