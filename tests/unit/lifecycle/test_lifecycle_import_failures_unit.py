"""The failure digest reports what failed on the import side too (F6.2, issue 10): the host's
webhook given up after 24 hours of failures, an import Xero kept refusing — once each."""

from __future__ import annotations

from lifecycle_fakes import World

from xero_sync.services.host_webhooks import delivery_event


def test_a_webhook_given_up_after_24_hours_is_in_the_next_digest_once():
    world = World()
    world.connections.add("org-a")
    service = world.service()
    # Given the deliverer gave up on the host's endpoint and opened the digest window
    world.history.append(
        delivery_event(
            "org-a",
            world.clock(),
            "deliver",
            "failed",
            "The host's webhook https://h.example/x failed for 24 hours (HTTP 503): 3 change(s) were not delivered.",
            change_id="000000000007",
            error_code="host_webhook_unreachable",
        )
    )
    assert service.failure_recorded("org-a", world.clock())
    world.clock.advance(minutes=10)
    world.deliver_all(service)
    # Then the admin's email names it, with what to do
    (email,) = world.mailer.sent
    assert "change notification to the host" in email.text
    assert "The host's webhook did not answer".upper() in email.text
    assert "HTTP 503" in email.text
    # And a later digest does not repeat it
    service.failure_recorded("org-a", world.clock.advance(hours=1))
    world.clock.advance(minutes=10)
    world.deliver_all(service)
    assert len(world.mailer.sent) == 1
