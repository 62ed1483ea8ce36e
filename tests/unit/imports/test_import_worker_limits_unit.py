"""The import worker when Xero fails, when Xero's limits have no turn for it, and when its
invocation runs short of time: retried with back-off and reported after the last attempt,
waiting for a turn without spending one, and going on from where it stopped (over in-memory
fakes; tests/integration/imports/test_import_time_box_it.py has the real client)."""

from __future__ import annotations

from import_world import ORG, TENANT, contact, event

from xero_sync.models.imports import ImportResource, OrgImport, OrgObjects, TenantEvents
from xero_sync.services.imports.worker import MAX_ATTEMPTS
from xero_sync.xero.errors import XeroForbidden, XeroServerError
from xero_sync.xero.governor import GovernorWait


def test_a_retryable_xero_error_is_tried_again_later_then_reported(world):
    world.xero.save("Contacts", contact("c-1", "Retry Ltd"))
    world.xero.fail_next = XeroServerError("Xero server error", retry_after=None, status=503)
    world.webhook(event("CONTACT", "c-1"))
    ((again, delay),) = world.queue.take()
    assert isinstance(again, OrgObjects) and again.xero_ids == ["c-1"] and again.attempt == 2 and delay == 30
    world.run(again)
    assert world.kinds() == ["contact.created"]
    # After the last attempt the failure is recorded (and reaches the admin's digest)
    world.xero.fail_next = XeroServerError("still down", status=503)
    world.run(again.model_copy(update={"attempt": MAX_ATTEMPTS}))
    assert world.queue.take() == []
    (failed,) = [e for e in world.history.events if e.outcome == "failed"]
    assert failed.error_code == "xero_unavailable"


def test_waiting_for_a_turn_under_xeros_limits_spends_no_attempt_and_never_fails_the_import(world):
    # Given a backfill holding the tenant's calls: the governor has no turn for the import's
    # read, more times in a row than an import may fail
    world.xero.save("Contacts", contact("c-1", "Patient Ltd"))
    message = TenantEvents(tenant_id=TENANT, events=[event("CONTACT", "c-1")], settled=True)
    for _ in range(MAX_ATTEMPTS + 2):
        world.xero.fail_next = GovernorWait("minute", 12.0)
        summary = world.run(message)
        # Then each time the same work goes back after the governor's wait, still at attempt 1
        ((message, delay),) = world.queue.take()  # type: ignore[assignment]
        assert isinstance(message, OrgObjects) and message.xero_ids == ["c-1"] and message.attempt == 1
        assert delay == 13 and summary.waiting == 1 and summary.retried == 0
    # And nothing was reported as failing (no history, no digest) until the turn came
    assert world.history.events == []
    world.run(message)
    assert world.kinds() == ["contact.created"]


def test_an_import_the_governor_holds_back_mid_read_goes_on_from_the_page_it_reached(world):
    # Given four contacts changed a minute apart, read two to a page, and a governor that has no
    # turn for the second page (the invocation has too little time left to wait for one)
    for n in range(4):
        world.xero.save("Contacts", contact(f"c-{n}", f"Contact {n}"))
        world.later(60)
    from xero_sync.services.imports import reads

    read_page = world.xero.get

    def second_page_held_back(path, **options):
        if path == "/Contacts" and world.xero.reads("/Contacts") == 1:
            raise GovernorWait("invocation", 1.0)
        return read_page(path, **options)

    world.xero.get = second_page_held_back  # type: ignore[method-assign]
    reads.PAGE_SIZE, size = 2, reads.PAGE_SIZE
    try:
        summary = world.run(OrgImport(kind="initial", org_id=ORG))
        # Then the first page is imported, and the rest follows in a message that starts where it
        # stopped, with no attempt spent
        assert sorted(c.xero_id for c in world.feed()) == ["c-0", "c-1"] and summary.waiting == 1
        ((follow, delay),) = world.queue.take()
        assert isinstance(follow, OrgImport) and follow.attempt == 1 and delay == 2
        assert follow.resume_resource is ImportResource.CONTACTS
        assert follow.resume_since == world.objects.cursor(ORG, "contacts").since  # type: ignore[union-attr]
        world.xero.get = read_page  # type: ignore[method-assign]
        world.run(follow)
    finally:
        reads.PAGE_SIZE = size
    follows_first_read = [headers for path, _, headers in world.xero.calls if path == "/Contacts"][2]
    assert follows_first_read["If-Modified-Since"]  # not from the start again: c-0 is not read twice
    assert sorted(c.xero_id for c in world.feed()) == ["c-0", "c-1", "c-2", "c-3"]
    assert [e.outcome for e in world.history.events if e.action == "read"] == []  # no "retrying", no "failed"


def test_reading_the_orgs_reference_data_from_xero_fails_and_waits_as_the_import_does(world):
    # Given an org whose reference data is not stored yet: the import reads it from Xero first
    world.xero.save("Contacts", contact("c-1", "Reference Ltd"))
    context_of, failures = world.worker.context_of, [GovernorWait("minute", 5.0), XeroServerError("down", status=503)]

    def read_from_xero(org_id):
        if failures:
            raise failures.pop(0)
        return context_of(org_id)

    world.worker.context_of = read_from_xero
    message = TenantEvents(tenant_id=TENANT, events=[event("CONTACT", "c-1")], settled=True)
    # When the governor has no turn for that read, the work waits without spending an attempt
    assert world.run(message).waiting == 1
    ((waited, delay),) = world.queue.take()
    assert isinstance(waited, OrgObjects) and waited.attempt == 1 and delay == 6
    # When Xero fails it, the work is retried as any failed read is
    assert world.run(waited).retried == 1
    ((retried, _),) = world.queue.take()
    assert retried.attempt == 2  # type: ignore[union-attr]
    # And once the read goes through, the contact is imported
    world.run(retried)
    assert world.kinds() == ["contact.created"]


def test_xero_refusing_access_is_recorded_and_not_retried(world):
    world.xero.fail_next = XeroForbidden("Xero: forbidden (AuthenticationUnsuccessful)", status=403)
    world.webhook(event("CONTACT", "c-1"))
    assert world.queue.sent == []
    assert [e.error_code for e in world.history.events] == ["xero_access"]


def test_a_long_import_continues_in_a_new_message_from_where_it_stopped(world):
    for n in range(3):
        world.xero.save("Contacts", contact(f"c-{n}", f"Contact {n}"))
    world.xero.save("Contacts", contact("c-3", "Page two"))
    from xero_sync.services.imports import reads

    reads.PAGE_SIZE, size = 2, reads.PAGE_SIZE
    try:
        world.worker.handle([("m", OrgImport(kind="initial", org_id=ORG))], time_left=lambda: 1.0)
    finally:
        reads.PAGE_SIZE = size
    ((follow, _),) = [(m, d) for m, d in world.queue.take() if isinstance(m, OrgImport)]
    assert follow.resume_resource is ImportResource.CONTACTS and follow.resume_since
    assert len(world.feed()) == 2
    world.run(follow)
    assert sorted(c.xero_id for c in world.feed()) == ["c-0", "c-1", "c-2", "c-3"]


def test_a_long_import_leaves_time_for_its_slowest_page_before_reading_another(world):
    # Given two pages of contacts, and pages that take 100 s each (a backfill holding the
    # tenant's calls, a slow table): each read of /Contacts spends 100 s of the invocation
    for n in range(4):
        world.xero.save("Contacts", contact(f"c-{n}", f"Contact {n}"))
    from xero_sync.services.imports import reads

    def contact_reads() -> int:
        return len([call for call in world.xero.calls if call[0] == "/Contacts"])

    already = contact_reads()
    reads.PAGE_SIZE, size = 2, reads.PAGE_SIZE
    try:
        # 200 s left at the start: after the first page 100 s, more than the fixed 30 s margin
        # but not enough for another page as slow as the first
        world.worker.handle(
            [("m", OrgImport(kind="initial", org_id=ORG))],
            time_left=lambda: 200.0 - 100.0 * (contact_reads() - already),
        )
    finally:
        reads.PAGE_SIZE = size

    # Then the second page is left to a new message, which goes on from where the first stopped
    assert contact_reads() - already == 1
    ((follow, _),) = [(m, d) for m, d in world.queue.take() if isinstance(m, OrgImport)]
    assert follow.resume_resource is ImportResource.CONTACTS and follow.resume_since
    world.run(follow)
    assert sorted(c.xero_id for c in world.feed()) == ["c-0", "c-1", "c-2", "c-3"]
