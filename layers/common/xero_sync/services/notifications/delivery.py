"""The consumer side of admin emails: the notifier delivers one queued message at a time.

The message's ``notification_id`` is its idempotency key (the :class:`OnceGuard` port: Powertools
idempotency on DynamoDB in AWS), so a redelivered or redriven message never sends a second
email. A digest closes its window first (failures after that open the next one), reads the
org's failed records that changed since the last digest (StatusIndex), keeps those the admin was
not told about in their current form (the ``notify#ledger`` item, domain/digest.py), sends one
email, then remembers them.

Every email is rendered (rendering.py) in the org's language, sent to the org's admin emails
(or the user who connected Xero), and recorded in the history (direction ``notification``). SES
throttling raises :class:`~xero_sync.domain.email.EmailThrottled` (the message is retried); a
rejection is recorded and given up.

Only the notifier imports this module (:meth:`NotificationService.deliver` imports it on first
use); the settings it reads — sender, links, window… — are the service's, read per message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from xero_sync.domain.config_items import ConfigItem
from xero_sync.domain.connection import WATCHED_FOR_INACTIVITY, Connection
from xero_sync.domain.digest import FailedRecord, Ledger, build_digest, new_failures
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
from xero_sync.observability import MetricUnit, metrics
from xero_sync.services.notifications.core import LEDGER_ITEM, WINDOW_ITEM, close_window
from xero_sync.services.notifications.rendering import EmailRenderer, RenderedEmail

if TYPE_CHECKING:
    from xero_sync.services.notifications.service import NotificationService

LEDGER_SAVE_ATTEMPTS = 5
OTHER_FAILURES = {"webhook": "host_webhook", "import": "xero_import"}  # history direction → digest "entity"
OTHER_FAILURES_READ = 50


class Renderer(Protocol):
    def render(self, kind: NotificationKind, language: Language, context: dict[str, Any]) -> RenderedEmail: ...


class NotificationDelivery:
    """Delivers queued notifications with the stores, mailer, guard and settings of ``service``."""

    def __init__(self, service: NotificationService) -> None:
        self._service = service
        self._default_renderer = EmailRenderer()

    def deliver(self, message: NotificationMessage) -> DeliveryResult:
        """Handle one queued notification, at most once per ``notification_id``. Raises
        EmailThrottled (and any unexpected error) so that SQS delivers the message again."""
        guard = self._service.guard()
        try:
            result = guard.run_once(message.notification_id, lambda: self._deliver(message).model_dump(mode="json"))
        except Exception:
            # Throttling, a concurrent duplicate, a bug: the message comes back. The alarm on this
            # metric tells an operator when emails keep failing long before the DLQ fills.
            metrics.add_metric(name="NotificationsFailed", unit=MetricUnit.Count, value=1)
            raise
        metrics.add_metric(name="NotificationsHandled", unit=MetricUnit.Count, value=1)
        return DeliveryResult.model_validate(result)

    def _deliver(self, message: NotificationMessage) -> DeliveryResult:
        service = self._service
        now = service.clock()
        connection = service.connections.get(message.org_id)
        settings = service.settings_of(message.org_id)
        context: dict[str, Any]
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
            pending = _count(service.records.keys_with_status(message.org_id, RecordStatus.PENDING))
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
        org_config, records = self._service.org_config, self._service.records
        # Close first: a failure recorded from now on opens the next window (and is read by it),
        # instead of finding this one open and being left out of both.
        window = org_config.get(org_id, WINDOW_ITEM)
        if (
            window is not None
            and window.body.get("state") == "open"
            and window.body.get("window_id") == message.window_id
        ):
            close_window(org_config, org_id, message.window_id, now, expected_revision=window.revision)

        stored = org_config.get(org_id, LEDGER_ITEM)
        ledger = Ledger.from_body(stored.body if stored else None)
        if message.window_id in ledger.delivered:
            return self._result(message, DeliveryOutcome.NOTHING_NEW, detail="This window's digest was sent already.")
        read_at = self._service.clock()
        since = ledger.read_since()
        changed = list(records.keys_with_status(org_id, RecordStatus.FAILED, since=since))
        if since is None:
            still_failing = len(changed)
        else:
            still_failing = _count(records.keys_with_status(org_id, RecordStatus.FAILED))
        rows = records.get_many(changed)  # consistent reads: the index may lag behind
        failed = [_failed_record(key, row) for key, row in rows.items() if row.status is RecordStatus.FAILED]
        failed += self._other_failures(org_id, since)
        fresh = new_failures(failed, ledger)
        if not fresh:
            ledger.remember([], read_at=read_at, window_id=message.window_id)
            self._save_ledger(org_id, ledger, stored, now)
            return self._result(message, DeliveryOutcome.NOTHING_NEW)
        digest = build_digest(fresh, still_failing=still_failing)
        context = {"digest": digest, "opened_at": message.opened_at, "history_url": self._service.links.history(org_id)}
        result = self._send(message, connection, settings, context, now, failures=len(fresh))
        if result.outcome is DeliveryOutcome.SENT:
            # Only what reached the admin counts as told: a digest nobody received (no address,
            # rejected) leaves its failures for the next one.
            ledger.remember(fresh, read_at=read_at, window_id=message.window_id)
            self._save_ledger(org_id, ledger, stored, now)
        return result

    def _other_failures(self, org_id: str, since: datetime | None) -> list[FailedRecord]:
        """Failures that are not a record's: the host's webhook given up after 24 h, an import
        Xero kept refusing (F4). The history holds them; each is reported once (the ledger)."""
        page = self._service.history.list(org_id, outcome="failed", since=since, limit=OTHER_FAILURES_READ)
        return [
            FailedRecord(
                entity=OTHER_FAILURES[event.direction],
                record_id=event.event_id,
                label=event.record_id or event.at.strftime("%Y-%m-%d %H:%M UTC"),
                version=0,
                error_code=event.error_code or "unknown",
                message=event.message or "",
                failed_at=event.at,
            )
            for event in page.events
            if event.direction in OTHER_FAILURES
        ]

    def _save_ledger(self, org_id: str, ledger: Ledger, stored: ConfigItem | None, now: datetime) -> None:
        """Conditional on the revision read; if another digest of the org saved meanwhile, merge
        both (each reported its own failures) and save again."""
        org_config = self._service.org_config
        expected = stored.revision if stored else 0
        for _ in range(LEDGER_SAVE_ATTEMPTS):
            try:
                org_config.put(org_id, LEDGER_ITEM, ledger.to_body(), now=now, expected_revision=expected)
                return
            except RevisionConflict:
                current = org_config.get(org_id, LEDGER_ITEM)
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
        service = self._service
        recipients = list(settings.admin_emails)
        if not recipients and connection is not None and connection.connected_by_email:
            recipients = [connection.connected_by_email]
        if not recipients:
            note = (
                "No admin email is set for this org and Xero gave no email for the user who connected; "
                "nothing was sent."
            )
            self._record(message, now, "failed", note, error_code="no_recipient")
            return self._result(message, DeliveryOutcome.NO_RECIPIENT, failures=failures, detail=note)
        if not service.sender:
            raise RuntimeError("EMAIL_SENDER is not set: the notifier cannot send emails")
        tenant = tenant_name or (connection.tenant_name if connection is not None else None)
        rendered = (service.renderer or self._default_renderer).render(
            message.kind,
            settings.language,
            {
                **context,
                "org_id": message.org_id,
                "tenant_name": tenant,
                "product": service.product_name,
                "reconnect_url": service.links.reconnect(message.org_id),
                "history_url": context.get("history_url") or service.links.history(message.org_id),
                "window_minutes": max(1, round(service.window.total_seconds() / 60)),
                "now": now,
            },
        )
        email = OutgoingEmail(
            sender=service.sender,
            reply_to=service.reply_to,
            to=recipients,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            headers={"X-Xero-Sync-Notification": message.notification_id},
        )
        try:
            ses_id = service.mailer().send(email)  # EmailThrottled propagates: SQS retries the message
        except EmailRejected as rejected:
            note = f"SES refused the email ({rejected.code}: {rejected.message}); it will not be retried."
            self._record(
                message,
                now,
                "failed",
                note,
                error_code="email_rejected",
                recipients=recipients,
                subject=rendered.subject,
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
        self._service.history.append(
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
