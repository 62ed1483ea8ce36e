"""The notification service with in-memory adapters: digest windows, no repeats, retries and
give-ups, recipients, and the once-per-episode reconnect email (F6.2, F6.3, F1.4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from lifecycle_fakes import T0, World

import xero_sync
from tests.fakes import stored
from xero_sync.domain.connection import ConnectionStatus
from xero_sync.domain.email import EmailThrottled
from xero_sync.models.notifications import (
    DeliveryOutcome,
    DigestDue,
    InactiveDisconnected,
    InactivityWarning,
    NotificationKind,
    ReauthNeeded,
    parse_notification,
)
from xero_sync.models.org_config import Language, OrgSettings
from xero_sync.services.notifications.core import LEDGER_ITEM, WINDOW_ITEM
from xero_sync.services.notifications.rendering import TEMPLATES


def burst(world: World, org_id: str, count: int, *, start: int = 0, at=None, **options) -> None:
    """``count`` records of ``org_id`` fail; the worker tells the service after each one."""
    service = options.pop("service")
    for n in range(start, start + count):
        world.records.fail(org_id, "invoice", f"inv-{n}", at or world.clock(), number=f"INV-{n:04d}", **options)
        service.failure_recorded(org_id, world.clock())


# --- the window --------------------------------------------------------------------------------------


def test_a_burst_of_1000_failures_across_3_orgs_gives_3_emails_in_one_window():
    # Given three connected orgs
    world = World()
    for org in ("org-a", "org-b", "org-c"):
        world.connections.add(org)
    service = world.service()

    # When 1,000 records fail across them (the worker reports each failure)
    for org, count in (("org-a", 500), ("org-b", 300), ("org-c", 200)):
        burst(world, org, count, service=service)

    # Then each org's window was opened with one conditional write and one delayed message
    messages = [m for m, _ in world.queue.sent]
    assert [m.org_id for m in messages] == ["org-a", "org-b", "org-c"]
    assert {delay for _, delay in world.queue.sent} == {600}
    assert len(world.org_config.puts) == 3
    assert world.org_config.gets == 3  # a warm worker remembers the open window: no read per failure

    # When the window ends and the notifier runs
    world.clock.advance(minutes=10)
    results = world.deliver_all(service)

    # Then exactly three digest emails went out, with the right counts
    assert [r.outcome for r in results] == [DeliveryOutcome.SENT] * 3
    assert [r.failures for r in results] == [500, 300, 200]
    assert len(world.mailer.sent) == 3
    assert "500 records could not be sent to Xero (Acme NZ)" in world.mailer.sent[0].subject


def test_the_next_window_repeats_nothing_unless_something_changed():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    burst(world, "org-a", 50, service=service)
    world.clock.advance(minutes=10)
    world.deliver_all(service)
    assert len(world.mailer.sent) == 1

    # When the same 50 fail again unchanged (re-queued by a settings change that did not cure them)
    world.clock.advance(minutes=5)
    for key, row in list(world.records.rows.items()):
        world.records.rows[key] = replace(row, status_at=world.clock())
        service.failure_recorded("org-a", world.clock())
    world.clock.advance(minutes=10)
    results = world.deliver_all(service)

    # Then a window opened, but no email: nothing is news
    assert [r.outcome for r in results] == [DeliveryOutcome.NOTHING_NEW]
    assert len(world.mailer.sent) == 1

    # When two of them change (a new version fails; another fails for a new reason) and one is new
    world.clock.advance(minutes=5)
    rows = list(world.records.rows.values())
    world.records.put(replace(rows[0], version=2, status_at=world.clock()))
    world.records.put(
        replace(
            rows[1],
            error_code="closed_period",
            status_at=world.clock(),
            last_message="Invoice INV-0001: the period is locked.",
        )
    )
    burst(world, "org-a", 1, start=99, service=service)
    world.clock.advance(minutes=10)
    results = world.deliver_all(service)

    # Then the next email reports exactly those three, and says how many are failing in all
    assert [r.failures for r in results] == [3]
    email = world.mailer.sent[-1]
    assert "3 records could not be sent" in email.subject
    assert "In all, 51 records are failing now" in email.text


def test_a_digest_reads_only_failures_since_the_last_one():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    burst(world, "org-a", 300, service=service)
    world.clock.advance(minutes=10)
    world.deliver_all(service)
    read_before = world.records.read_keys

    world.clock.advance(hours=2)
    burst(world, "org-a", 1, start=500, service=service)
    world.clock.advance(minutes=10)
    world.deliver_all(service)

    # Only the record that failed since the last digest was read in full, not the 300 before it
    assert world.records.read_keys - read_before == 1
    assert len(world.mailer.sent) == 2


def test_a_failure_after_the_window_closed_opens_the_next_window():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    burst(world, "org-a", 2, service=service)
    world.clock.advance(minutes=10)
    world.deliver_all(service)

    burst(world, "org-a", 1, start=10, service=service)

    assert len(world.queue.sent) == 1
    assert world.org_config.items[("org-a", WINDOW_ITEM)].body["state"] == "open"


def test_a_window_whose_message_was_lost_is_reopened_after_an_hour():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    burst(world, "org-a", 1, service=service)
    world.queue.take()  # the message is lost (e.g. it ended in the DLQ)

    world.clock.advance(minutes=30)
    assert service.failure_recorded("org-a", world.clock()) is False
    world.clock.advance(minutes=45)
    assert service.failure_recorded("org-a", world.clock()) is True
    assert len(world.queue.sent) == 1


def test_the_window_is_given_back_when_its_message_cannot_be_queued():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    world.queue.fail_next = True

    # The worker is not disturbed: no exception, and the next failure tries again
    assert service.failure_recorded("org-a", T0) is False
    assert service.failure_recorded("org-a", T0 + timedelta(seconds=1)) is True


def test_two_workers_opening_one_window_send_one_message():
    world = World()
    world.connections.add("org-a")
    first, second = world.service(), world.service()
    assert first.failure_recorded("org-a", T0) is True
    assert second.failure_recorded("org-a", T0) is False
    assert len(world.queue.sent) == 1


# --- delivery ------------------------------------------------------------------------------------------


def test_a_redelivered_digest_message_sends_no_second_email():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    burst(world, "org-a", 3, service=service)
    world.clock.advance(minutes=10)
    message = world.queue.take()[0]

    first = service.deliver(message)
    again = service.deliver(parse_notification(message.model_dump_json()))

    assert first == again
    assert len(world.mailer.sent) == 1


def test_ses_throttling_raises_for_a_retry_and_the_retry_sends_once():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    burst(world, "org-a", 3, service=service)
    world.clock.advance(minutes=10)
    message = world.queue.take()[0]
    world.mailer.throttle = 1

    with pytest.raises(EmailThrottled):
        service.deliver(message)
    assert world.history.of("notification") == []

    result = service.deliver(message)  # SQS delivers it again after the visibility time-out
    assert result.outcome is DeliveryOutcome.SENT and result.failures == 3
    assert len(world.mailer.sent) == 1


def test_an_ses_rejection_is_recorded_and_given_up_and_the_failures_wait_for_the_next_digest():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    burst(world, "org-a", 2, service=service)
    world.clock.advance(minutes=10)
    world.mailer.reject = True

    result = world.deliver_all(service)[0]

    assert result.outcome is DeliveryOutcome.REJECTED
    event = world.history.of("notification")[-1]
    assert event.outcome == "failed" and event.error_code == "email_rejected" and "MessageRejected" in event.message
    assert world.org_config.get("org-a", LEDGER_ITEM) is None  # nobody was told: nothing remembered

    world.mailer.reject = False
    burst(world, "org-a", 1, start=5, service=service)
    world.clock.advance(minutes=10)
    assert world.deliver_all(service)[0].failures == 3


def test_every_sent_email_is_recorded_in_the_history():
    world = World()
    world.connections.add("org-a")
    world.settings["org-a"] = OrgSettings(admin_emails=["Ops@Acme.example", "cfo@acme.example"])
    service = world.service()
    burst(world, "org-a", 4, service=service)
    world.clock.advance(minutes=10)
    world.deliver_all(service)

    email = world.mailer.sent[0]
    assert email.to == ["ops@acme.example", "cfo@acme.example"]
    assert email.sender == "Acme Billing <xero-sync@acme.example>" and email.reply_to == "support@acme.example"
    event = world.history.of("notification")[0]
    assert (event.action, event.outcome) == ("failure_digest", "succeeded")
    assert event.details["recipients"] == email.to and event.details["failures"] == 4
    assert event.details["subject"] == email.subject


def test_recipients_fall_back_to_the_user_who_connected_and_otherwise_nothing_is_sent():
    world = World()
    world.connections.add("org-a", connected_by_email="connector@acme.example")
    world.connections.add("org-b", connected_by_email=None)
    service = world.service()
    burst(world, "org-a", 1, service=service)
    burst(world, "org-b", 1, service=service)
    world.clock.advance(minutes=10)

    results = world.deliver_all(service)

    assert world.mailer.sent[0].to == ["connector@acme.example"]
    assert results[1].outcome is DeliveryOutcome.NO_RECIPIENT
    assert world.history.of("notification")[-1].error_code == "no_recipient"


def test_the_digest_is_written_in_the_orgs_language():
    world = World()
    world.connections.add("org-de")
    world.settings["org-de"] = OrgSettings(language=Language.DE)
    service = world.service()
    burst(world, "org-de", 1200, service=service)
    world.clock.advance(minutes=10)
    world.deliver_all(service)

    email = world.mailer.sent[0]
    assert email.subject == "Acme Billing: 1.200 Datensätze konnten nicht an Xero gesendet werden (Acme NZ)"
    assert "KONTO OHNE KONTONUMMER IN XERO" in email.text
    assert 'lang="de"' in email.html


def test_the_html_part_escapes_what_the_host_and_xero_wrote():
    world = World()
    world.connections.add("org-a", tenant_name="<b>Acme</b>")
    service = world.service()
    world.records.fail(
        "org-a",
        "invoice",
        "evil",
        T0,
        number="<script>x</script>",
        code="xero_validation",
        message="Xero refused <img src=x>",
    )
    service.failure_recorded("org-a", world.clock())
    world.clock.advance(minutes=10)
    world.deliver_all(service)

    html = world.mailer.sent[0].html
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;b&gt;Acme&lt;/b&gt;" in html
    assert "<script>x</script>" in world.mailer.sent[0].text  # the plain part shows it as written


# --- reconnect, warning, disconnect emails --------------------------------------------------------------


def test_the_reconnect_email_goes_once_per_episode():
    world = World()
    world.connections.add("org-a", status=ConnectionStatus.NEEDS_REAUTH, token_version=7)
    world.records.put(stored("org-a", "invoice", "waiting"))
    service = world.service()

    # Several workers notice the same rejected token
    assert service.needs_reauth("org-a", T0) is True
    assert service.needs_reauth("org-a", T0) is False
    assert world.service().needs_reauth("org-a", T0) is False
    result = world.deliver_all(service)[0]

    assert result.outcome is DeliveryOutcome.SENT
    email = world.mailer.sent[0]
    assert "reconnect Xero (Acme NZ)" in email.subject
    assert "https://app.acme.example/orgs/org-a/xero" in email.text
    assert "1 record is waiting" in email.text

    # After a new consent (new token set) a later rejection is a new episode
    world.connections.items["org-a"] = replace(world.connections.items["org-a"], token_version=9)
    assert service.needs_reauth("org-a", T0 + timedelta(days=3)) is True


def test_no_reconnect_email_for_a_connection_that_is_fine_or_reconnected_meanwhile():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    assert service.needs_reauth("org-a", T0) is False

    message = ReauthNeeded(org_id="org-a", token_version=3, at=T0)
    result = service.deliver(message)
    assert result.outcome is DeliveryOutcome.NO_LONGER_APPLIES
    assert world.mailer.sent == []


def test_the_warning_is_dropped_when_there_was_activity_before_it_went_out():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    warning = InactivityWarning(org_id="org-a", last_activity_at=T0, disconnect_on=(T0 + timedelta(days=60)).date())
    world.connections.record_activity("org-a", T0 + timedelta(days=53, minutes=1))

    assert service.deliver(warning).outcome is DeliveryOutcome.NO_LONGER_APPLIES
    assert world.mailer.sent == []


def test_the_warning_and_disconnect_emails_name_the_dates():
    world = World()
    world.connections.add("org-a")
    world.clock.advance(days=53)
    service = world.service()
    service.inactivity_warning("org-a", last_activity_at=T0, disconnect_on=(T0 + timedelta(days=60)).date())
    service.disconnected_inactive(
        "org-a",
        last_activity_at=T0,
        disconnected_at=T0 + timedelta(days=60),
        tenant_name="Acme NZ",
        warnings=["Xero did not confirm revoking the access token."],
    )
    world.deliver_all(service)

    warning, disconnect = world.mailer.sent
    assert warning.subject == "Acme Billing: Xero (Acme NZ) will be disconnected on 20 Jan 2027 unless it is used"
    assert "no activity since 21 Nov 2026 (53 days)" in warning.text
    assert disconnect.subject == "Acme Billing: Xero (Acme NZ) was disconnected after 60 days without activity"
    assert "Xero did not confirm revoking the access token." in disconnect.text
    assert [e.action for e in world.history.of("notification")] == ["inactivity_warning", "disconnected_inactive"]


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize(
    "message",
    [
        DigestDue(org_id="org-a", window_id="w", opened_at=T0),
        ReauthNeeded(org_id="org-a", token_version=3, at=T0),
        InactivityWarning(org_id="org-a", last_activity_at=T0, disconnect_on=(T0 + timedelta(days=60)).date()),
        InactiveDisconnected(org_id="org-a", last_activity_at=T0, disconnected_at=T0, tenant_name="Acme NZ"),
    ],
    ids=lambda m: m.kind.value,
)
def test_every_email_renders_in_every_language_with_both_parts(language, message):
    world = World()
    status = (
        ConnectionStatus.NEEDS_REAUTH if message.kind is NotificationKind.NEEDS_REAUTH else ConnectionStatus.CONNECTED
    )
    world.connections.add("org-a", status=status)
    world.settings["org-a"] = OrgSettings(language=language)
    world.records.fail("org-a", "invoice_payment", "pay-1", T0)
    world.clock.advance(days=53)

    result = world.service().deliver(message)

    assert result.outcome is DeliveryOutcome.SENT, result
    email = world.mailer.sent[0]
    assert email.subject and "\n" not in email.subject
    assert "{{" not in email.text and "{%" not in email.html
    assert email.html.startswith("<!doctype html>") and f'lang="{language.value}"' in email.html
    assert email.headers["X-Xero-Sync-Notification"] == message.notification_id


def test_the_templates_are_read_from_the_package_folder_that_the_layer_ships():
    # template.yaml's CommonLayer ships layers/common/ (tests/template), the package with its data
    package = Path(xero_sync.__file__).resolve().parent
    assert package / "templates" == TEMPLATES
    assert {path.parent.name for path in TEMPLATES.glob("*/strings.json")} == {language.value for language in Language}


def test_message_ids_are_stable_so_duplicates_collapse():
    a = InactivityWarning(org_id="o", last_activity_at=T0, disconnect_on=T0.date())
    b = parse_notification(a.model_dump_json())
    assert a.notification_id == b.notification_id == "inactivity-warning:o:20261121T093000.000000Z"
    assert ReauthNeeded(org_id="o", token_version=4, at=T0).notification_id == "reauth:o:4"
