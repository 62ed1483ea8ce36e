"""``NotifierSettings``: the settings of ``functions/notifier``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import EmailSettings, NotificationQueueSettings


class NotifierSettings(EmailSettings, NotificationQueueSettings):
    """The notifier: sends the queued emails through SES."""
