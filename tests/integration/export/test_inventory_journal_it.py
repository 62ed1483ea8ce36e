"""The daily inventory journal (issue 12, point 1; SPEC F3.9, seed 001 "Asset Account") against
the emulated Xero's state: one balanced manual journal per org and local day, exactly once —
across re-runs, and across a crash between Xero's answer and the service's own write."""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import requests
from export_harness import contact, invoice, record
from scenario_helpers import XeroState, emulator, enable_everything, harness, line, vendor  # noqa: F401

from xero_sync.domain.inventory import journal_stamp

AUCKLAND = ZoneInfo("Pacific/Auckland")  # the emulated NZ organisation's Timezone (NEWZEALANDSTANDARDTIME)
DAY = "2026-11-02"
DURING_THE_DAY = datetime(2026, 11, 2, 9, 0, tzinfo=AUCKLAND)
AFTER_THE_DAY = datetime(2026, 11, 3, 0, 30, tzinfo=AUCKLAND)  # 11:30 UTC on the 2nd: the local day has ended


def journals(h) -> list[dict]:
    return [j for j in XeroState(h).raw["ManualJournals"] if j["Status"] == "POSTED"]


def amounts(journal: dict) -> list[tuple[str, Decimal]]:
    return [(line["AccountCode"], Decimal(str(line["LineAmount"]))) for line in journal["JournalLines"]]


def costed_day(h) -> None:
    """An org journaling from 2 Nov 2026 with a costed sale and a costed purchase that day."""
    enable_everything(h, inventory_asset_account="630", cost_of_goods_sold_account="310")
    assert h.container.inventory_journal.run_org(h.org_id, DURING_THE_DAY) == {}  # journaling starts today
    sold = [line("31.50", 2, unit_cost="18.50", account_code="200"), line("12", 1, unit_cost="10", account_code="200")]
    h.export(
        contact("cus-1", "Harbour Cafe Ltd"),
        invoice("inv-1", "INV-1001", "cus-1", date=DAY, lines=sold),
        invoice("inv-2", "INV-1002", "cus-1", date=DAY, status="draft", lines=sold),  # drafts move nothing
        vendor("ven-1", "Bean Growers Co-op"),
        record(
            "bill",
            "bill-1",
            number="BG-1",
            vendor_id="ven-1",
            date=DAY,
            due_date="2026-12-02",
            lines=[line("20", 10, unit_cost="18.50", account_code="300")],
        ),
    )


def test_the_journal_moves_the_days_costs_once_whatever_the_reruns(harness):
    h = harness
    costed_day(h)
    # When the hourly run comes after the org's local day ended
    outcomes = h.container.inventory_journal.run_org(h.org_id, AFTER_THE_DAY)
    # Then one balanced journal: cost of goods sold ↔ inventory for the sale, inventory ↔ purchases for the bill
    assert outcomes == {datetime(2026, 11, 2).date(): "posted"}
    (posted,) = journals(h)
    assert posted["Date"].startswith("/Date(") and amounts(posted) == [
        ("310", Decimal("47.00")),
        ("630", Decimal("-47.00")),
        ("630", Decimal("185.00")),
        ("300", Decimal("-185.00")),
    ]
    assert posted["Narration"].startswith("Inventory movement on 2 Nov 2026: 2 item line(s) sold on 1 invoice(s)")
    assert "1 item line(s) bought on 1 bill(s) at a cost of 185.00" in posted["Narration"]
    # And a second run, or a later one the same day, changes nothing
    assert h.container.inventory_journal.run_org(h.org_id, AFTER_THE_DAY)[datetime(2026, 11, 2).date()] == "done"
    h.container.inventory_journal.run_org(h.org_id, datetime(2026, 11, 3, 23, 0, tzinfo=AUCKLAND))
    assert len(journals(h)) == 1
    history = h.container.history.for_record(h.org_id, "inventory_journal", DAY)
    assert [e.outcome for e in history] == ["succeeded"] and history[0].xero_id == posted["ManualJournalID"]


def test_a_crash_between_xeros_answer_and_the_write_never_posts_twice(harness):
    h = harness
    costed_day(h)
    # Given Xero saves the journal but the answer is lost (the connection drops after the commit)
    h.emulator.state.faults.add("drop_after_commit", method="PUT", path_prefix="/ManualJournals")
    first = h.container.inventory_journal.run_org(h.org_id, AFTER_THE_DAY)
    assert first == {datetime(2026, 11, 2).date(): "retry"} and len(journals(h)) == 1
    # When the next runs come: while the claim holds, and after it ran out
    again = h.container.inventory_journal.run_org(h.org_id, AFTER_THE_DAY)
    later = h.container.inventory_journal.run_org(h.org_id, datetime(2026, 11, 3, 2, 0, tzinfo=AUCKLAND))
    # Then the journal Xero saved is found by its stamp and recorded; nothing is posted twice
    assert again == {datetime(2026, 11, 2).date(): "busy"}
    assert later == {datetime(2026, 11, 2).date(): "recovered"}
    (posted,) = journals(h)
    assert journal_stamp(h.org_id, datetime(2026, 11, 2).date()) in posted["Narration"]
    assert h.container.inventory_journal.run_org(h.org_id, datetime(2026, 11, 3, 3, 0, tzinfo=AUCKLAND)) == {
        datetime(2026, 11, 2).date(): "done"
    }
    assert len(journals(h)) == 1


def test_a_day_without_movement_posts_nothing(harness):
    h = harness
    enable_everything(h, inventory_asset_account="630")
    h.container.inventory_journal.run_org(h.org_id, DURING_THE_DAY)
    # Given a day with only uncosted sales
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1", date=DAY))
    # Then the run records the day as empty and Xero gets nothing
    assert h.container.inventory_journal.run_org(h.org_id, AFTER_THE_DAY) == {datetime(2026, 11, 2).date(): "empty"}
    assert journals(h) == [] and not h.requests_log("PUT", "/api.xro/2.0/ManualJournals")


def test_a_locked_day_is_refused_with_the_reason_and_posted_once_the_lock_moves(harness):
    h = harness
    costed_day(h)
    # Given the accountant locked November in Xero
    requests.post(
        f"{h.emulator.base_url}/_emulator/tenants/{h.tenant_id}/lock-dates",
        json={"period_lock_date": "2026-11-30"},
        timeout=10,
    ).raise_for_status()
    h.container.mapping_contexts.refresh(h.org_id, h.container.clock())
    # When the run comes: refused before sending, with the lock date and where to move it
    assert h.container.inventory_journal.run_org(h.org_id, AFTER_THE_DAY) == {datetime(2026, 11, 2).date(): "failed"}
    (event,) = h.container.history.for_record(h.org_id, "inventory_journal", DAY)
    assert event.outcome == "failed" and event.error_code == "closed_period"
    assert "Settings → Advanced → Financial settings" in event.message and journals(h) == []
    # When the lock date moves back and the next run comes: posted, once
    requests.post(
        f"{h.emulator.base_url}/_emulator/tenants/{h.tenant_id}/lock-dates",
        json={"period_lock_date": None},
        timeout=10,
    ).raise_for_status()
    h.container.mapping_contexts.refresh(h.org_id, h.container.clock())
    later = datetime(2026, 11, 3, 5, 0, tzinfo=AUCKLAND)
    assert h.container.inventory_journal.run_org(h.org_id, later) == {datetime(2026, 11, 2).date(): "posted"}
    assert len(journals(h)) == 1
