"""F3.7: a sync sends a bounded slice of a big backlog and continues a minute later, so neither
an API request nor one org of the tick runs long; the tick claims an org's due sync once."""

from datetime import timedelta

from export_harness import contact, invoice

import xero_sync.services.sync as sync_module


def test_a_big_backlog_goes_out_in_slices_until_none_is_left(harness, monkeypatch):
    # Given six pending invoices and a sync that sends at most four keys
    monkeypatch.setattr(sync_module, "MAX_KEYS_PER_SYNC", 4)
    harness.push(contact("cus-1", "Cafe One"), *[invoice(f"inv-{n}", f"INV-{n}", "cus-1") for n in range(6)])
    services = harness.container
    # When the host asks for a sync
    enqueued = harness.sync()
    # Then four go now, and the org's next sync comes a minute later for the rest
    assert enqueued == 4
    connection = services.connections.get(harness.org_id)
    now = services.clock()
    assert connection.next_sync_at is not None and connection.next_sync_at - now <= timedelta(minutes=1)
    harness.drain()
    # When the tick runs at that time
    summary = services.sync.tick(connection.next_sync_at + timedelta(seconds=1))
    harness.drain()
    # Then the rest went out, and every invoice is in Xero once
    assert summary.orgs == 1
    assert sorted(i["InvoiceNumber"] for i in harness.invoices() if i["InvoiceNumber"].startswith("INV-")) == [
        f"INV-{n}" for n in range(6)
    ]


def test_two_overlapping_ticks_run_an_orgs_sync_once(harness):
    # Given an org whose sync is due, and two ticks that both read it as due at the same time
    services = harness.container
    due = services.clock()
    services.connections.set_next_sync(harness.org_id, due)
    seen_by_both = services.connections.get(harness.org_id).next_sync_at
    later = due + timedelta(minutes=10)
    # When both try to take the sync
    first = services.connections.advance_schedule(harness.org_id, expected=seen_by_both, next_sync_at=later, now=due)
    second = services.connections.advance_schedule(harness.org_id, expected=seen_by_both, next_sync_at=later, now=due)
    # Then only one of them gets it
    assert (first, second) == (True, False)


def test_a_backfill_is_background_work_and_a_late_push_real_time_in_the_app_budget(harness, monkeypatch):
    """N2 (issue 13): a sync of a big backlog sends its keys as a backfill, whose Xero calls count
    in the app-wide budget (the RateLimits table) as background work; a record pushed later goes
    out as real-time work."""
    from xero_sync.dal.models import RateLimitModel
    from xero_sync.domain.app_budget import CallPriority

    priorities = _record_call_classes(harness, monkeypatch)
    monkeypatch.setattr(sync_module, "BACKFILL_KEYS", 2)
    harness.configure({"sync_frequency": "manual"})
    harness.push(contact("cus-1", "Cafe One"), *[invoice(f"inv-{n}", f"INV-{n}", "cus-1") for n in range(4)])
    assert harness.sync() > 2  # a backfill: more than BACKFILL_KEYS outstanding
    harness.drain()
    assert set(priorities) == {CallPriority.BACKGROUND}
    tenant_id = harness.container.connections.get(harness.org_id).tenant_id
    assert RateLimitModel.get(tenant_id, "budget#background").calls >= 1
    priorities.clear()
    harness.push(invoice("inv-late", "INV-LATE", "cus-1"))
    harness.sync()
    harness.drain()
    assert set(priorities) == {CallPriority.REALTIME}
    assert "INV-LATE" in {i["InvoiceNumber"] for i in harness.invoices()}


def test_a_backfill_waits_in_the_backfill_queue_never_in_front_of_a_real_time_export(harness, monkeypatch):
    """N2 (issue 13): the 50-org benchmark found a backfill's messages standing in front of other
    exports in the family queues. A backfill's keys go to the backfill queue, worked by their own
    function; what its export sends on (the contact it nudges, the records it wakes or retries)
    stays there, as background work."""
    from xero_sync.domain.app_budget import CallPriority
    from xero_sync.domain.families import Family

    settings = harness.container.settings
    priorities = _record_call_classes(harness, monkeypatch)
    monkeypatch.setattr(sync_module, "BACKFILL_KEYS", 2)
    family_queues = [settings.queue_url(family) for family in Family]
    # Given a backlog synced as a backfill: every key in the backfill queue, none in a family queue
    harness.push(contact("cus-1", "Cafe One"), *[invoice(f"inv-{n}", f"INV-{n}", "cus-1") for n in range(4)])
    assert harness.sync() == 4
    assert harness.queued(settings.backfill_queue_url) >= 1
    assert sum(harness.queued(url) for url in family_queues) == 0
    # When the org turns real-time and pushes a new invoice while the backfill still waits
    harness.configure({"sync_frequency": "realtime"})
    harness.push(contact("cus-2", "Bistro Two"), invoice("inv-late", "INV-LATE", "cus-2"))
    # and only the family queues' workers run
    for _ in range(10):
        if not sum(harness.deliver_once(family) for family in Family):
            break
    # Then the new invoice is in Xero at once, as real-time work, and the backfill has not started
    numbers = {i["InvoiceNumber"] for i in harness.invoices()}
    assert "INV-LATE" in numbers and not numbers & {f"INV-{n}" for n in range(4)}
    assert set(priorities) == {CallPriority.REALTIME}
    priorities.clear()
    # When the backfill's worker runs: what it sends on never lands in a family queue
    for _ in range(20):
        if not harness.deliver_backfill_once():
            break
        assert sum(harness.queued(url) for url in family_queues) == 0
    # Then the backlog is in Xero, every call of it background work
    numbers = {i["InvoiceNumber"] for i in harness.invoices()}
    assert {f"INV-{n}" for n in range(4)} <= numbers
    assert set(priorities) == {CallPriority.BACKGROUND}
    assert harness.queued(settings.backfill_queue_url) == 0


def _record_call_classes(harness, monkeypatch) -> list:
    """The class (CallPriority) of every Xero call the governor is asked for, in order."""
    governor = harness.container.xero_api.governor
    priorities: list = []
    acquire = governor.acquire

    def recording(tenant_id: str, **options):
        priorities.append(options["priority"])
        return acquire(tenant_id, **options)

    monkeypatch.setattr(governor, "acquire", recording)
    return priorities
