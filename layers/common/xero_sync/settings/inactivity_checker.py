"""``InactivitySettings``: the settings of ``functions/inactivity_checker``. One module per function, so that a function
defines only its own class (a pydantic class costs ~1 ms at import; N6)."""

from __future__ import annotations

from xero_sync.settings import NotificationQueueSettings, XeroSettings


class InactivitySettings(XeroSettings, NotificationQueueSettings):
    """The daily 60-day inactivity checker: revokes at Xero, emails the admin."""
