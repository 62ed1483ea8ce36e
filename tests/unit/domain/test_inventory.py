"""The daily inventory journal's rules (domain/inventory.py, domain/timezones.py): what moves,
the balanced journal, which local days have ended."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from xero_sync.domain.inventory import JournalAccounts, days_to_journal, journal, journal_stamp, movement
from xero_sync.domain.timezones import XERO_TIME_ZONES, zone_of
from xero_sync.models.records import Bill, EntityName, Invoice

DAY = date(2026, 11, 2)
ACCOUNTS = JournalAccounts(asset="630", cost_of_goods_sold="310", purchases="300")


def invoice(status="open", day="2026-11-02", **line):
    lines = [{"quantity": 2, "rate": "31.5", **line}, {"quantity": 3, "rate": "5"}]
    return Invoice.model_validate({"number": "I", "contact_id": "c", "date": day, "status": status, "lines": lines})


def bill(**line):
    return Bill.model_validate(
        {"number": "B", "vendor_id": "v", "date": "2026-11-02", "lines": [{"quantity": 10, "rate": "20", **line}]}
    )


def test_only_open_documents_of_the_day_with_unit_costs_move_inventory():
    documents = [
        (EntityName.INVOICE, invoice(unit_cost="18.505")),  # 2 × 18.505 = 37.01
        (EntityName.INVOICE, invoice(status="draft", unit_cost="1")),  # a draft moves nothing
        (EntityName.INVOICE, invoice(day="2026-11-03", unit_cost="1")),  # another day
        (EntityName.INVOICE, invoice()),  # no unit cost: nothing known to move
        (EntityName.BILL, bill(unit_cost="18.5")),
    ]
    moved = movement(DAY, documents)
    assert (moved.sold, moved.bought) == (Decimal("37.01"), Decimal("185.00"))
    assert (moved.invoices, moved.bills, moved.sold_lines, moved.bought_lines) == (1, 1, 1, 1)
    assert movement(DAY, [(EntityName.INVOICE, invoice())]).empty


def test_the_journal_balances_names_the_day_and_ends_with_its_stamp():
    moved = movement(DAY, [(EntityName.INVOICE, invoice(unit_cost="10")), (EntityName.BILL, bill(unit_cost="2"))])
    posted = journal("org-1", moved, ACCOUNTS, "NONE")
    assert [(line.AccountCode, line.LineAmount) for line in posted.JournalLines] == [
        ("310", Decimal("20.00")),
        ("630", Decimal("-20.00")),
        ("630", Decimal("20.00")),
        ("300", Decimal("-20.00")),
    ]
    assert sum(line.LineAmount for line in posted.JournalLines) == 0
    assert posted.Date == DAY and posted.Status == "POSTED"
    assert posted.Narration.startswith("Inventory movement on 2 Nov 2026: 1 item line(s) sold on 1 invoice(s)")
    assert posted.Narration.endswith(journal_stamp("org-1", DAY))
    assert journal_stamp("org-1", DAY) != journal_stamp("org-2", DAY) != journal_stamp("org-1", date(2026, 11, 3))
    with pytest.raises(ValueError):
        journal("org-1", movement(DAY, []), ACCOUNTS, None)


def test_the_days_that_ended_are_the_orgs_local_days_from_the_first_day_on():
    auckland = zone_of("NEWZEALANDSTANDARDTIME")
    # 11:30 UTC on 2 Nov is 00:30 on 3 Nov in Auckland: the 2nd has ended there, not in London
    now = datetime(2026, 11, 2, 11, 30, tzinfo=UTC)
    assert days_to_journal(now, auckland, first_day=date(2026, 11, 1), lookback=3) == [date(2026, 11, 1), DAY]
    assert days_to_journal(now, zone_of("GMTSTANDARDTIME"), first_day=date(2026, 11, 1), lookback=3) == [
        date(2026, 11, 1)
    ]
    assert days_to_journal(now, auckland, first_day=date(2026, 11, 3), lookback=3) == []


def test_every_xero_time_zone_has_an_iana_zone_and_unknown_ones_are_utc():
    assert len(XERO_TIME_ZONES) == 141
    assert str(zone_of("AUSEASTERNSTANDARDTIME")) == "Australia/Sydney"
    assert str(zone_of("UTC02")) == "Etc/GMT+2" and str(zone_of("nonsense")) == "UTC" and str(zone_of(None)) == "UTC"
