"""An email to an org's admin, as the services build it and a mailer sends it (F6.3)."""

from __future__ import annotations

from dataclasses import dataclass, field


class EmailError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class EmailThrottled(EmailError):
    """Retry later: SES did not take the email now."""


class EmailRejected(EmailError):
    """Give up: SES will not send this email."""


@dataclass(frozen=True)
class OutgoingEmail:
    sender: str  # "Name <address>" or an address
    to: list[str]
    subject: str
    text: str
    html: str
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # e.g. X-Xero-Sync-Notification
