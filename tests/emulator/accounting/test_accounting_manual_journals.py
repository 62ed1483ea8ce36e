"""Manual journals — the daily inventory movement of SPEC F3.9 (inventory asset ↔ cost of goods sold)."""

from __future__ import annotations

import pytest

from tests.emulator.accounting.helpers import INVENTORY, RECEIVABLES, Engine, messages_of

COGS = "310"


def journal(**fields):
    element = {
        "Narration": "Inventory movement 2026-03-01",
        "Date": "2026-03-01",
        "Status": "POSTED",
        "JournalLines": [
            {"Description": "Cost of goods sold", "LineAmount": 250, "AccountCode": COGS},
            {"Description": "Inventory asset", "LineAmount": -250, "AccountCode": INVENTORY},
        ],
    }
    element.update(fields)
    return element


def test_post_a_balanced_journal(engine: Engine):
    created = engine.ok(engine.put("/ManualJournals", {"ManualJournals": [journal()]}), "ManualJournals")
    assert created["Status"] == "POSTED" and created["LineAmountTypes"] == "NoTax"
    assert [(line["AccountCode"], line["LineAmount"]) for line in created["JournalLines"]] == [
        (COGS, 250.0),
        (INVENTORY, -250.0),
    ]
    listed = engine.get("/ManualJournals", query={"where": 'Status=="POSTED"', "page": "1"}).body
    assert listed["pagination"]["itemCount"] == 1
    assert engine.get(f"/ManualJournals/{created['ManualJournalID']}").status == 200


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"Narration": ""}, "A manual journal needs a Narration."),
        (
            {"JournalLines": [{"LineAmount": 1, "AccountCode": COGS}]},
            "A manual journal needs at least two JournalLines.",
        ),
        (
            {
                "JournalLines": [
                    {"LineAmount": 250, "AccountCode": COGS},
                    {"LineAmount": -200, "AccountCode": INVENTORY},
                ]
            },
            "The total debits (250.00) must equal the total credits (200.00).",
        ),
        (
            {"JournalLines": [{"LineAmount": 0, "AccountCode": COGS}, {"LineAmount": 0, "AccountCode": INVENTORY}]},
            "Each journal line needs a non-zero LineAmount (debits positive, credits negative).",
        ),
        (
            {
                "JournalLines": [
                    {"LineAmount": 5, "AccountCode": RECEIVABLES},
                    {"LineAmount": -5, "AccountCode": INVENTORY},
                ]
            },
            "Account code '610' is not a valid code for this document.",
        ),
        (
            {"JournalLines": [{"LineAmount": 5}, {"LineAmount": -5, "AccountCode": INVENTORY}]},
            "Account code must be specified",
        ),
        ({"Status": "VOIDED"}, "Manual journal not of valid status for modification"),
    ],
)
def test_manual_journal_rules(engine: Engine, fields, message):
    response = engine.put("/ManualJournals", {"ManualJournals": [journal(**fields)]})
    assert response.status == 400
    assert any(m.startswith(message) for m in messages_of(response)), messages_of(response)


def test_an_unbalanced_draft_is_allowed_but_cannot_be_posted(engine: Engine):
    lines = [{"LineAmount": 250, "AccountCode": COGS}, {"LineAmount": -100, "AccountCode": INVENTORY}]
    draft = engine.ok(engine.put("/ManualJournals", journal(Status="DRAFT", JournalLines=lines)), "ManualJournals")
    path = f"/ManualJournals/{draft['ManualJournalID']}"
    assert engine.post(path, {"ManualJournals": [{"Status": "POSTED"}]}).status == 400
    fixed = [{"LineAmount": 250, "AccountCode": COGS}, {"LineAmount": -250, "AccountCode": INVENTORY}]
    posted = engine.ok(
        engine.post(path, {"ManualJournals": [{"Status": "POSTED", "JournalLines": fixed}]}), "ManualJournals"
    )
    assert posted["Status"] == "POSTED"
    voided = engine.ok(engine.post(path, {"ManualJournals": [{"Status": "VOIDED"}]}), "ManualJournals")
    assert voided["Status"] == "VOIDED"
    assert engine.post(path, {"ManualJournals": [{"Narration": "late"}]}).status == 400


def test_exclusive_journal_lines_balance_with_their_tax(engine: Engine):
    lines = [
        {"LineAmount": 100, "AccountCode": "429", "TaxType": "INPUT2"},
        {"LineAmount": -115, "AccountCode": "090", "TaxType": "NONE"},
    ]
    created = engine.ok(
        engine.put("/ManualJournals", journal(LineAmountTypes="Exclusive", JournalLines=lines)), "ManualJournals"
    )
    assert [line["TaxAmount"] for line in created["JournalLines"]] == [15.0, 0.0]


def test_an_unknown_account_is_refused_and_nothing_is_saved(engine: Engine):
    lines = [{"LineAmount": 10, "AccountCode": "999"}, {"LineAmount": -10, "AccountCode": INVENTORY}]
    response = engine.put("/ManualJournals", journal(JournalLines=lines))
    assert response.status == 400
    assert messages_of(response) == ["Account code '999' is not a valid code for this document."]
    assert engine.books.manual_journals == {}


def test_a_posted_journal_in_a_period_locked_later_cannot_be_voided(engine: Engine):
    from datetime import date

    posted = engine.ok(engine.put("/ManualJournals", journal(Date="2026-02-15")), "ManualJournals")
    engine.books.set_lock_dates({"PeriodLockDate": date(2026, 2, 28)}, engine.now)
    voided = engine.post(f"/ManualJournals/{posted['ManualJournalID']}", {"Status": "VOIDED"})
    assert voided.status == 400
    assert messages_of(voided) == [
        "The document date cannot be before the period lock date, currently set at 28-Feb-2026"
    ]


def test_journals_list_with_paging_and_if_modified_since(engine: Engine):
    first = engine.ok(engine.put("/ManualJournals", journal()), "ManualJournals")
    engine.advance(60)
    since = engine.now.strftime("%Y-%m-%dT%H:%M:%S")
    second = engine.ok(engine.put("/ManualJournals", journal(Narration="Second movement")), "ManualJournals")
    paged = engine.get("/ManualJournals", query={"page": "2", "pageSize": "1"}).body
    assert [j["ManualJournalID"] for j in paged["ManualJournals"]] == [second["ManualJournalID"]]
    assert paged["pagination"]["itemCount"] == 2
    recent = engine.get("/ManualJournals", headers={"If-Modified-Since": since}).body["ManualJournals"]
    assert [j["ManualJournalID"] for j in recent] == [second["ManualJournalID"]]
    assert first["ManualJournalID"] != second["ManualJournalID"]
