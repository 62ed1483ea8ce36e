"""``OAuthCallbackSettings``: the settings of ``functions/oauth_callback``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import ExportQueueSettings, ImportQueueSettings, XeroSettings


class OAuthCallbackSettings(XeroSettings, ExportQueueSettings, ImportQueueSettings):
    """The OAuth callback: completes a connect, imports reference data, re-queues what it cures."""
