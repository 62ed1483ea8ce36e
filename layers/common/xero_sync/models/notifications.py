"""Messages of the notifications queue (F6.2, F1.4, F6.1) and the reprocess function's event (F7.3).

The notifier receives one message per email to consider. Each message names the org and what
happened, never the email's content: the notifier renders the email from the org's current
settings (recipients, language) when it sends, so a message that waits in the queue or is
redriven from the DLQ uses today's recipients. Every message has a deterministic
``notification_id`` — the idempotency key that keeps a redelivered message from sending a second
email.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from xero_sync.models.records import EntityName


class NotificationKind(StrEnum):
    FAILURE_DIGEST = "failure_digest"
    NEEDS_REAUTH = "needs_reauth"
    INACTIVITY_WARNING = "inactivity_warning"
    DISCONNECTED_INACTIVE = "disconnected_inactive"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    org_id: str = Field(min_length=1, max_length=255)


class DigestDue(_Message):
    """An org's digest window has run its course: send one email with its new failures."""

    kind: Literal[NotificationKind.FAILURE_DIGEST] = NotificationKind.FAILURE_DIGEST
    window_id: str = Field(min_length=1, max_length=300)
    opened_at: AwareDatetime

    @property
    def notification_id(self) -> str:
        return f"digest:{self.window_id}"


class ReauthNeeded(_Message):
    """Xero rejected the org's refresh token (or no longer grants access): ask the admin to
    reconnect — once per episode. An episode is the token set Xero rejected (``token_version``):
    only a new consent gives the org a new one."""

    kind: Literal[NotificationKind.NEEDS_REAUTH] = NotificationKind.NEEDS_REAUTH
    token_version: int = Field(ge=0)
    at: AwareDatetime

    @property
    def notification_id(self) -> str:
        return f"reauth:{self.org_id}:{self.token_version}"


class InactivityWarning(_Message):
    """The connection has been idle for 53 days: it will be disconnected on ``disconnect_on``."""

    kind: Literal[NotificationKind.INACTIVITY_WARNING] = NotificationKind.INACTIVITY_WARNING
    last_activity_at: AwareDatetime
    disconnect_on: date

    @property
    def notification_id(self) -> str:
        return f"inactivity-warning:{self.org_id}:{_stamp(self.last_activity_at)}"


class InactiveDisconnected(_Message):
    """The connection was disconnected after 60 days without activity. The message carries what
    the email says, because the connection no longer holds it (tokens, tenant list)."""

    kind: Literal[NotificationKind.DISCONNECTED_INACTIVE] = NotificationKind.DISCONNECTED_INACTIVE
    last_activity_at: AwareDatetime
    disconnected_at: AwareDatetime
    tenant_name: str | None = Field(default=None, max_length=500)
    warnings: list[str] = Field(default_factory=list, max_length=10)

    @property
    def notification_id(self) -> str:
        return f"inactive-disconnect:{self.org_id}:{_stamp(self.last_activity_at)}"


NotificationMessage = Annotated[
    DigestDue | ReauthNeeded | InactivityWarning | InactiveDisconnected, Field(discriminator="kind")
]
# Built on first parse (defer_build): only the notifier reads these messages (cold start, N6).
NOTIFICATION_MESSAGE: TypeAdapter[NotificationMessage] = TypeAdapter(
    NotificationMessage, config=ConfigDict(defer_build=True)
)


def parse_notification(body: str) -> NotificationMessage:
    """An SQS body → the message model (raises pydantic's ValidationError when unreadable)."""
    return NOTIFICATION_MESSAGE.validate_json(body)


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    NOTHING_NEW = "nothing_new"  # a digest whose failures were all notified before (or are fixed)
    NO_LONGER_APPLIES = "no_longer_applies"  # e.g. the admin reconnected before the email went out
    NO_RECIPIENT = "no_recipient"
    REJECTED = "rejected"  # SES refused the email for good (bad address, unverified sender)


class DeliveryResult(BaseModel):
    """What the notifier did with one message: stored as the idempotency record's result, logged,
    and returned to tests."""

    model_config = ConfigDict(defer_build=True)

    notification_id: str
    kind: NotificationKind
    org_id: str
    outcome: DeliveryOutcome
    recipients: int = 0
    ses_message_id: str | None = None
    failures: int = 0  # digests: how many new or changed failures the email reports
    detail: str | None = None


# ----------------------------------------------------------------------------------------------
# The reprocess function's event (F7.3): pasted into the Lambda console as a test event
# ----------------------------------------------------------------------------------------------


class ReprocessStatus(StrEnum):
    """Statuses an operator may send again. Synced records are never re-sent (nothing to do);
    ``pending`` re-enqueues records whose queue message was lost."""

    FAILED = "failed"
    WAITING = "waiting"
    PENDING = "pending"
    SKIPPED = "skipped"


def _as_moment(value: object, *, end_of_day: bool) -> object:
    """``YYYY-MM-DD`` is the whole day (from its start, or to its end); a date-time without an
    offset is UTC — what an operator typing into the console means."""
    if isinstance(value, str) and len(value.strip()) == 10:
        day = date.fromisoformat(value.strip())
        moment = datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
        return moment
    if isinstance(value, str):
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return value


class ReprocessRequest(BaseModel):
    """``{"org_ids": [...], "entity": "invoice", "status": "failed", "from": ..., "to": ...,
    "dry_run": true}``. ``from``/``to`` bound when the records entered ``status``. ``dry_run``
    defaults to true: running the sample event as is changes nothing."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    org_ids: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(min_length=1, max_length=100)
    entity: EntityName | None = None
    status: ReprocessStatus = ReprocessStatus.FAILED
    error_code: str | None = Field(default=None, max_length=100, description="Only records that failed with this code.")
    since: datetime | None = Field(default=None, alias="from")
    until: datetime | None = Field(default=None, alias="to")
    dry_run: bool = True
    limit: int = Field(default=10_000, ge=1, le=100_000, description="At most this many records per org.")

    @field_validator("since", mode="before")
    @classmethod
    def _since(cls, value: object) -> object:
        return _as_moment(value, end_of_day=False)

    @field_validator("until", mode="before")
    @classmethod
    def _until(cls, value: object) -> object:
        return _as_moment(value, end_of_day=True)

    @field_validator("org_ids")
    @classmethod
    def _unique(cls, org_ids: list[str]) -> list[str]:
        return list(dict.fromkeys(org_ids))

    @model_validator(mode="after")
    def _range(self) -> ReprocessRequest:
        if self.since and self.until and self.since > self.until:
            raise ValueError("'from' is after 'to'")
        return self


class OrgReprocess(BaseModel):
    model_config = ConfigDict(defer_build=True)

    org_id: str
    matched: int = 0
    requeued: int = 0
    enqueued: int = 0
    connected: bool = True
    sample: list[str] = Field(default_factory=list, description="The first few records, as entity/id.")
    note: str | None = None


class ReprocessResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    dry_run: bool
    status: ReprocessStatus
    entity: EntityName | None = None
    orgs: list[OrgReprocess]
    matched: int = 0
    requeued: int = 0
    enqueued: int = 0
