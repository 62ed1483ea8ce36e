"""``ConsoleSettings``: the settings of ``functions/console``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import ConsoleSessionSettings, ExportQueueSettings, HostOriginSettings, XeroSettings


class ConsoleSettings(XeroSettings, ExportQueueSettings, ConsoleSessionSettings, HostOriginSettings):
    """The integration console (F8): its pages call the same services as the host API (connect,
    settings, tax mappings, history, retry, Sync now) for the org of the console session."""
