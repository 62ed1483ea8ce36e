"""Admin emails (F6.2, F6.3, F1.4, F6.1): the failure digest, needs-reauth, the inactivity
warning and the disconnect notice — queued by whoever notices, sent by the notifier function.

Producer side (called by the export worker and the inactivity checker):

* :meth:`NotificationService.failure_recorded` — a record failed and retrying alone will not
  help. The first such failure of an org *opens the org's digest window*: one conditional write
  of the ``notify#window`` item (OrgConfig table) and one SQS message delayed by the window
  (``DelaySeconds``). Every later failure in the window finds it open and does nothing — in a
  warm worker without even a read (it remembers until when the window is open).
* :meth:`NotificationService.needs_reauth` — once per episode (the rejected token set,
  ``token_version``), guarded by the ``notify#reauth`` item.
* :meth:`inactivity_warning` / :meth:`disconnected_inactive` — the checker's two emails.

Consumer side (the notifier, one SQS message at a time, :meth:`NotificationService.deliver`):
the message's ``notification_id`` is its idempotency key (Powertools idempotency on DynamoDB),
so a redelivered or redriven message never sends a second email. A digest closes its window
first (failures after that open the next one), reads the org's failed records that changed
since the last digest (StatusIndex), keeps those the admin was not told about in their current
form (the ``notify#ledger`` item, domain/digest.py), sends one email, then remembers them.

Every email is rendered from Jinja2 templates (``xero_sync/templates/<lang>/``: a plain-text
and an HTML part, the HTML autoescaped), in the org's language, to the org's admin emails (or
the user who connected Xero), and recorded in the history (direction ``notification``). SES
throttling raises :class:`~xero_sync.aws.ses.EmailThrottled` (the message is retried); a
rejection is recorded and given up.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from xero_sync.clock import Clock
from xero_sync.domain.config_items import ConfigItem
from xero_sync.domain.connection import WATCHED_FOR_INACTIVITY, Connection
from xero_sync.domain.digest import Digest, FailedRecord, Ledger, build_digest, new_failures
from xero_sync.domain.email import EmailRejected, OutgoingEmail
from xero_sync.domain.errors import RevisionConflict
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.records import RecordKey, RecordStatus, StoredRecord
from xero_sync.models.notifications import (
    DeliveryOutcome,
    DeliveryResult,
    DigestDue,
    InactiveDisconnected,
    InactivityWarning,
    NotificationKind,
    NotificationMessage,
    ReauthNeeded,
)
from xero_sync.models.org_config import Language, OrgSettings
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.services.ports import (
    ConnectionStore,
    HistoryStore,
    Mailer,
    NotificationQueue,
    OnceGuard,
    OrgConfigStore,
    RecordStore,
)

WINDOW_ITEM = "notify#window"
LEDGER_ITEM = "notify#ledger"
REAUTH_ITEM = "notify#reauth"

STALE_WINDOW = timedelta(hours=1)
"""A window still open this long after it was due lost its message (a crash between the write
and the send, a message that ended in the DLQ): the next failure opens a fresh one."""
RECHECK_OPEN_WINDOW = timedelta(seconds=10)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


SettingsReader = Callable[[str], OrgSettings]


# --- links into the host -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostLinks:
    history_template: str | None = None
    reconnect_template: str | None = None

    def history(self, org_id: str) -> str | None:
        return _fill(self.history_template, org_id)

    def reconnect(self, org_id: str) -> str | None:
        return _fill(self.reconnect_template, org_id)


def _fill(template: str | None, org_id: str) -> str | None:
    return template.replace("{org_id}", quote(org_id, safe="")) if template else None


# --- rendering -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@functools.cache
def _environment(directory: str):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(directory),
        # HTML parts are autoescaped: record labels and Xero's messages are data, not markup.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _strings(directory: str, language: str) -> dict[str, Any]:
    return json.loads((Path(directory) / language / "strings.json").read_text(encoding="utf-8"))


class EmailRenderer:
    """Renders ``<lang>/<kind>.txt.j2`` (which sets ``subject``) and ``<lang>/<kind>.html.j2``.
    Language text — entity names, reason titles and fixes, month names — lives beside the
    templates in ``<lang>/strings.json``, so a translation touches no code."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self._directory = str(directory)

    def render(self, kind: NotificationKind, language: Language, context: dict[str, Any]) -> RenderedEmail:
        env = _environment(self._directory)
        strings = _strings(self._directory, language.value)
        helpers = _helpers(strings, language)
        full = {**context, **helpers, "s": strings}
        text_module = env.get_template(f"{language.value}/{kind.value}.txt.j2").make_module(full)
        html = env.get_template(f"{language.value}/{kind.value}.html.j2").render(full)
        subject = " ".join(str(getattr(text_module, "subject", "")).split())
        return RenderedEmail(subject=subject, text=_tidy(str(text_module)), html=html)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue  # one blank line between paragraphs is enough
        out.append(line)
    return "\n".join(out).strip() + "\n"


def _helpers(strings: dict[str, Any], language: Language) -> dict[str, Any]:
    months = strings["months"]

    def fmt_date(value: date | datetime | None) -> str:
        if value is None:
            return ""
        day = value.astimezone(timezone.utc).date() if isinstance(value, datetime) else value
        return strings["date_format"].format(day=day.day, month=months[day.month - 1], year=day.year)

    def fmt_time(value: datetime | None) -> str:
        if value is None:
            return ""
        moment = value.astimezone(timezone.utc)
        return strings["time_format"].format(date=fmt_date(moment), time=moment.strftime("%H:%M"))

    def fmt_span(first: datetime | None, last: datetime | None) -> str:
        """When a digest's failures happened: one moment, one day, or a range of days."""
        if first is None or last is None:
            return ""
        start, end = first.astimezone(timezone.utc), last.astimezone(timezone.utc)
        if start.strftime("%Y%m%d%H%M") == end.strftime("%Y%m%d%H%M"):
            return strings["span_one"].format(date=fmt_date(start), time=start.strftime("%H:%M"))
        if start.date() == end.date():
            return strings["span_day"].format(date=fmt_date(start), start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))
        return strings["span"].format(first=fmt_time(start), last=fmt_time(end))

    def fmt_number(value: int) -> str:
        return f"{value:,}".replace(",", strings["thousands"])

    def entity_name(entity: str, count: int = 1) -> str:
        names = strings["entities"].get(entity) or [entity.replace("_", " "), entity.replace("_", " ")]
        return names[0] if count == 1 else names[1]

    def reason(code: str) -> dict[str, str]:
        known = strings["reasons"].get(code)
        if known:
            return known
        return {"title": code.replace("_", " ").capitalize(), "fix": strings["reasons"]["_default"]["fix"]}

    return {
        "fmt_date": fmt_date,
        "fmt_time": fmt_time,
        "fmt_number": fmt_number,
        "fmt_span": fmt_span,
        "entity_name": entity_name,
        "reason": reason,
        "language": language.value,
    }


# --- the service -----------------------------------------------------------------------------------------


@dataclass
class NotificationService:
    org_config: OrgConfigStore
    connections: ConnectionStore
    records: RecordStore
    history: HistoryStore
    queue: NotificationQueue
    mailer: Callable[[], Mailer]  # resolved on first send: producers never build an SES client
    guard: Callable[[], OnceGuard]
    settings_of: SettingsReader
    clock: Clock
    sender: str | None
    reply_to: str | None = None
    product_name: str = "Xero integration"
    links: HostLinks = field(default_factory=HostLinks)
    window: timedelta = timedelta(minutes=10)
    renderer: EmailRenderer = field(default_factory=EmailRenderer)
    _open_until: dict[str, datetime] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ==================================================================================================
    # Producers
    # ==================================================================================================

    def failure_recorded(self, org_id: str, now: datetime) -> bool:
        """A record of ``org_id`` failed for good (it needs the admin). Opens the org's digest
        window if none is open; returns True when this call opened it. Never raises: the export
        must not fail because an email could not be scheduled."""
        with self._lock:
            known = self._open_until.get(org_id)
        if known is not None and now < known:
            return False
        try:
            return self._open_window(org_id, now)
        except Exception:  # noqa: BLE001 — a notification problem must not fail an export
            logger.exception("Could not open the failure digest window", extra={"org_id": org_id})
            return False

    def _open_window(self, org_id: str, now: datetime) -> bool:
        item = self.org_config.get(org_id, WINDOW_ITEM)
        body = item.body if item else {}
        if body.get("state") == "open":
            due = datetime.fromisoformat(body["opened_at"]) + self.window
            if now < due + STALE_WINDOW:
                self._remember_open(org_id, due if now < due else now + RECHECK_OPEN_WINDOW)
                return False
            logger.warning("Digest window was never closed; opening a new one", extra={"org_id": org_id})
        window_id = f"{org_id}:{now.astimezone(timezone.utc).strftime('%Y%m%dT%H%M%S.%fZ')}"
        opened = {"state": "open", "window_id": window_id, "opened_at": now.isoformat()}
        try:
            revision = self.org_config.put(
                org_id, WINDOW_ITEM, opened, now=now, expected_revision=item.revision if item else 0
            )
        except RevisionConflict:
            self._remember_open(org_id, now + self.window)  # another worker opened it a moment ago
            return False
        try:
            self.queue.send(
                DigestDue(org_id=org_id, window_id=window_id, opened_at=now),
                delay_seconds=int(self.window.total_seconds()),
            )
        except Exception:
            # Give the window back, so that the next failure tries again rather than waiting an hour.
            self._close_window(org_id, window_id, now, expected_revision=revision)
            raise
        self._remember_open(org_id, now + self.window)
        metrics.add_metric(name="DigestWindowsOpened", unit=MetricUnit.Count, value=1)
        return True

    def _remember_open(self, org_id: str, until: datetime) -> None:
        with self._lock:
            if len(self._open_until) > 10_000:
                self._open_until.clear()  # a long-lived worker must not grow without bound
            self._open_until[org_id] = until

    def needs_reauth(self, org_id: str, now: datetime) -> bool:
        """The org's connection is ``needs_reauth``: queue the reconnect email, once per episode.
        Never raises (called from the export worker)."""
        try:
            connection = self.connections.get(org_id)
            if connection is None or not connection.needs_reauth:
                return False
            episode = int(connection.token_version or 0)
            item = self.org_config.get(org_id, REAUTH_ITEM)
            if item is not None and item.body.get("token_version") == episode:
                return False  # this episode's email is queued or sent already
            marker = {"token_version": episode, "at": now.isoformat()}
            try:
                revision = self.org_config.put(
                    org_id, REAUTH_ITEM, marker, now=now, expected_revision=item.revision if item else 0
                )
            except RevisionConflict:
                return False  # another worker queued it
            try:
                self.queue.send(ReauthNeeded(org_id=org_id, token_version=episode, at=now))
            except Exception:
                previous = item.body if item else {"token_version": None}
                self._put_quietly(org_id, REAUTH_ITEM, previous, now, revision)
                raise
            return True
        except Exception:  # noqa: BLE001
            logger.exception("Could not queue the reconnect email", extra={"org_id": org_id})
            return False

    def inactivity_warning(self, org_id: str, *, last_activity_at: datetime, disconnect_on: date) -> None:
        self.queue.send(
            InactivityWarning(org_id=org_id, last_activity_at=last_activity_at, disconnect_on=disconnect_on)
        )

    def disconnected_inactive(
        self,
        org_id: str,
        *,
        last_activity_at: datetime,
        disconnected_at: datetime,
        tenant_name: str | None,
        warnings: list[str],
    ) -> None:
        self.queue.send(
            InactiveDisconnected(
                org_id=org_id,
                last_activity_at=last_activity_at,
                disconnected_at=disconnected_at,
                tenant_name=tenant_name,
                warnings=warnings[:10],
            )
        )

    # ==================================================================================================
    # The notifier
    # ==================================================================================================

    def deliver(self, message: NotificationMessage) -> DeliveryResult:
        """Handle one queued notification, at most once per ``notification_id``. Raises
        EmailThrottled (and any unexpected error) so that SQS delivers the message again."""
        try:
            result = self.guard().run_once(message.notification_id, lambda: self._deliver(message).model_dump(mode="json"))
        except Exception:
            # Throttling, a concurrent duplicate, a bug: the message comes back. The alarm on this
            # metric tells an operator when emails keep failing long before the DLQ fills.
            metrics.add_metric(name="NotificationsFailed", unit=MetricUnit.Count, value=1)
            raise
        metrics.add_metric(name="NotificationsHandled", unit=MetricUnit.Count, value=1)
        return DeliveryResult.model_validate(result)

    def _deliver(self, message: NotificationMessage) -> DeliveryResult:
        now = self.clock()
        connection = self.connections.get(message.org_id)
        settings = self.settings_of(message.org_id)
        if isinstance(message, DigestDue):
            return self._digest(message, connection, settings, now)
        if isinstance(message, ReauthNeeded):
            if (
                connection is None
                or not connection.needs_reauth
                or int(connection.token_version or 0) != message.token_version
            ):
                why = "The connection was reconnected (or removed) before the email went out."
                return self._skipped(message, why, now)
            pending = _count(self.records.keys_with_status(message.org_id, RecordStatus.PENDING))
            context = {"since": message.at, "last_error": connection.last_error, "pending": pending}
            return self._send(message, connection, settings, context, now)
        if isinstance(message, InactivityWarning):
            if (
                connection is None
                or connection.status not in WATCHED_FOR_INACTIVITY
                or connection.last_activity_at != message.last_activity_at
            ):
                why = "There was activity (or the connection changed) before the warning went out."
                return self._skipped(message, why, now)
            context = {
                "last_activity_at": message.last_activity_at,
                "disconnect_on": message.disconnect_on,
                "idle_days": (now - message.last_activity_at).days,
            }
            return self._send(message, connection, settings, context, now)
        assert isinstance(message, InactiveDisconnected)
        context = {
            "last_activity_at": message.last_activity_at,
            "disconnected_at": message.disconnected_at,
            "warnings": message.warnings,
        }
        return self._send(message, connection, settings, context, now, tenant_name=message.tenant_name)

    # --- the digest ----------------------------------------------------------------------------------

    def _digest(
        self, message: DigestDue, connection: Connection | None, settings: OrgSettings, now: datetime
    ) -> DeliveryResult:
        org_id = message.org_id
        # Close first: a failure recorded from now on opens the next window (and is read by it),
        # instead of finding this one open and being left out of both.
        window = self.org_config.get(org_id, WINDOW_ITEM)
        if window is not None and window.body.get("state") == "open" and window.body.get("window_id") == message.window_id:
            self._close_window(org_id, message.window_id, now, expected_revision=window.revision)

        stored = self.org_config.get(org_id, LEDGER_ITEM)
        ledger = Ledger.from_body(stored.body if stored else None)
        if message.window_id in ledger.delivered:
            return self._result(message, DeliveryOutcome.NOTHING_NEW, detail="This window's digest was sent already.")
        read_at = self.clock()
        since = ledger.read_since()
        changed = list(self.records.keys_with_status(org_id, RecordStatus.FAILED, since=since))
        if since is None:
            still_failing = len(changed)
        else:
            still_failing = _count(self.records.keys_with_status(org_id, RecordStatus.FAILED))
        rows = self.records.get_many(changed)  # consistent reads: the index may lag behind
        failed = [_failed_record(key, row) for key, row in rows.items() if row.status is RecordStatus.FAILED]
        fresh = new_failures(failed, ledger)
        if not fresh:
            ledger.remember([], read_at=read_at, window_id=message.window_id)
            self._save_ledger(org_id, ledger, stored, now)
            return self._result(message, DeliveryOutcome.NOTHING_NEW)
        digest = build_digest(fresh, still_failing=still_failing)
        context = {"digest": digest, "opened_at": message.opened_at, "history_url": self.links.history(org_id)}
        result = self._send(message, connection, settings, context, now, failures=len(fresh))
        if result.outcome is DeliveryOutcome.SENT:
            # Only what reached the admin counts as told: a digest nobody received (no address,
            # rejected) leaves its failures for the next one.
            ledger.remember(fresh, read_at=read_at, window_id=message.window_id)
            self._save_ledger(org_id, ledger, stored, now)
        return result

    def _close_window(self, org_id: str, window_id: str, now: datetime, *, expected_revision: int) -> None:
        closed = {"state": "closed", "window_id": window_id, "closed_at": now.isoformat()}
        self._put_quietly(org_id, WINDOW_ITEM, closed, now, expected_revision)

    def _put_quietly(self, org_id: str, item: str, body: dict[str, Any], now: datetime, expected_revision: int) -> None:
        try:
            self.org_config.put(org_id, item, body, now=now, expected_revision=expected_revision)
        except RevisionConflict:
            pass  # someone moved it on meanwhile: theirs is the newer state

    def _save_ledger(self, org_id: str, ledger: Ledger, stored: ConfigItem | None, now: datetime) -> None:
        """Conditional on the revision read; if another digest of the org saved meanwhile, merge
        both (each reported its own failures) and save again."""
        expected = stored.revision if stored else 0
        for _ in range(5):
            try:
                self.org_config.put(org_id, LEDGER_ITEM, ledger.to_body(), now=now, expected_revision=expected)
                return
            except RevisionConflict:
                current = self.org_config.get(org_id, LEDGER_ITEM)
                if current is None:
                    expected = 0
                    continue
                ledger = ledger.merge(Ledger.from_body(current.body))
                expected = current.revision
        raise RuntimeError(f"notification ledger of org {org_id} kept changing; giving up this time")

    # --- sending -------------------------------------------------------------------------------------

    def _send(
        self,
        message: NotificationMessage,
        connection: Connection | None,
        settings: OrgSettings,
        context: dict[str, Any],
        now: datetime,
        *,
        tenant_name: str | None = None,
        failures: int = 0,
    ) -> DeliveryResult:
        recipients = list(settings.admin_emails)
        if not recipients and connection is not None and connection.connected_by_email:
            recipients = [connection.connected_by_email]
        if not recipients:
            note = "No admin email is set for this org and Xero gave no email for the user who connected; nothing was sent."
            self._record(message, now, "failed", note, error_code="no_recipient")
            return self._result(message, DeliveryOutcome.NO_RECIPIENT, failures=failures, detail=note)
        if not self.sender:
            raise RuntimeError("EMAIL_SENDER is not set: the notifier cannot send emails")
        tenant = tenant_name or (connection.tenant_name if connection is not None else None)
        rendered = self.renderer.render(
            message.kind,
            settings.language,
            {
                **context,
                "org_id": message.org_id,
                "tenant_name": tenant,
                "product": self.product_name,
                "reconnect_url": self.links.reconnect(message.org_id),
                "history_url": context.get("history_url") or self.links.history(message.org_id),
                "window_minutes": max(1, round(self.window.total_seconds() / 60)),
                "now": now,
            },
        )
        email = OutgoingEmail(
            sender=self.sender,
            reply_to=self.reply_to,
            to=recipients,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            headers={"X-Xero-Sync-Notification": message.notification_id},
        )
        try:
            ses_id = self.mailer().send(email)  # EmailThrottled propagates: SQS retries the message
        except EmailRejected as rejected:
            note = f"SES refused the email ({rejected.code}: {rejected.message}); it will not be retried."
            self._record(
                message, now, "failed", note, error_code="email_rejected", recipients=recipients, subject=rendered.subject
            )
            metrics.add_metric(name="EmailsRejected", unit=MetricUnit.Count, value=1)
            return self._result(
                message, DeliveryOutcome.REJECTED, recipients=len(recipients), failures=failures, detail=note
            )
        self._record(
            message,
            now,
            "succeeded",
            _summary(message.kind, failures, len(recipients)),
            recipients=recipients,
            subject=rendered.subject,
            ses_message_id=ses_id,
            failures=failures,
        )
        metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=1)
        return self._result(
            message, DeliveryOutcome.SENT, recipients=len(recipients), ses_message_id=ses_id, failures=failures
        )

    def _skipped(self, message: NotificationMessage, why: str, now: datetime) -> DeliveryResult:
        self._record(message, now, "skipped", why)
        return self._result(message, DeliveryOutcome.NO_LONGER_APPLIES, detail=why)

    def _record(
        self,
        message: NotificationMessage,
        now: datetime,
        outcome: str,
        text: str,
        *,
        error_code: str | None = None,
        recipients: list[str] | None = None,
        subject: str | None = None,
        ses_message_id: str | None = None,
        failures: int | None = None,
    ) -> None:
        details: dict[str, Any] = {"notification_id": message.notification_id}
        if recipients:
            details["recipients"] = recipients
        if subject:
            details["subject"] = subject
        if ses_message_id:
            details["ses_message_id"] = ses_message_id
        if failures:
            details["failures"] = failures
        self.history.append(
            HistoryEvent(
                org_id=message.org_id,
                at=now,
                direction="notification",
                action=message.kind.value,
                outcome=outcome,
                error_code=error_code,
                message=text,
                details=details,
            )
        )

    @staticmethod
    def _result(message: NotificationMessage, outcome: DeliveryOutcome, **values: Any) -> DeliveryResult:
        return DeliveryResult(
            notification_id=message.notification_id, kind=message.kind, org_id=message.org_id, outcome=outcome, **values
        )


def _summary(kind: NotificationKind, failures: int, recipients: int) -> str:
    to = f"{recipients} recipient" + ("s" if recipients != 1 else "")
    if kind is NotificationKind.FAILURE_DIGEST:
        return f"Failure digest emailed to {to}: {failures} new or changed failure(s)."
    return {
        NotificationKind.NEEDS_REAUTH: f"Reconnect request emailed to {to}.",
        NotificationKind.INACTIVITY_WARNING: f"Inactivity warning emailed to {to}.",
        NotificationKind.DISCONNECTED_INACTIVE: f"Disconnect notice emailed to {to}.",
    }[kind]


def _count(keys: Iterable[RecordKey]) -> int:
    return sum(1 for _ in keys)


def _failed_record(key: RecordKey, item: StoredRecord) -> FailedRecord:
    data = item.data if isinstance(item.data, dict) else {}
    refs = item.xero_refs if isinstance(item.xero_refs, dict) else {}
    label = data.get("number") or refs.get("number") or key.record_id
    document_date = None
    if isinstance(data.get("date"), str):
        try:
            document_date = date.fromisoformat(data["date"])
        except ValueError:
            document_date = None
    return FailedRecord(
        entity=key.entity,
        record_id=key.record_id,
        label=str(label),
        version=int(item.version),
        error_code=item.error_code or "unknown",
        message=item.last_message or "",
        failed_at=item.status_at,
        document_date=document_date,
    )


__all__ = [
    "Digest",
    "EmailRenderer",
    "HostLinks",
    "LEDGER_ITEM",
    "NotificationService",
    "REAUTH_ITEM",
    "RenderedEmail",
    "WINDOW_ITEM",
]
