"""``ReprocessSettings``: the settings of ``functions/reprocess``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import ExportQueueSettings


class ReprocessSettings(ExportQueueSettings):
    """The operator's reprocess function: re-queues records."""
