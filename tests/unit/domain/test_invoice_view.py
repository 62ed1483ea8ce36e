"""The read view's rules (F5, seed 003): the five saved views on dates around today, search by
number, the date filter, newest first with a cursor, and the seed's statuses."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from invoice_view_helpers import TODAY, document, paid

from xero_sync.domain.invoice_view import DocumentKind, ListQuery, SortKey, View, in_view, select

YESTERDAY, TOMORROW = TODAY - timedelta(days=1), TODAY + timedelta(days=1)


def _views(doc, pinned=()) -> set[str]:
    return {view.value for view in View if in_view(doc, view, TODAY, set(pinned))}


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (YESTERDAY, {"unpaid", "overdue", "all"}),  # due before today: overdue
        (TODAY, {"unpaid", "all"}),  # due today: neither open nor overdue (the seed compares strictly)
        (TOMORROW, {"unpaid", "open", "all"}),  # due after today: open
    ],
)
def test_an_unpaid_invoice_is_open_or_overdue_by_its_due_date_around_today(due, expected):
    assert _views(document("INV-1", due_date=due)) == expected


def test_paid_means_a_zero_balance_and_status_paid():
    assert _views(paid("INV-2", due_date=YESTERDAY)) == {"paid", "all"}
    # an approved invoice with nothing left (a credit note took it all) is Xero-PAID too; a
    # zero balance without status PAID (a voided invoice) is not "paid"
    assert _views(document("INV-3", xero_status="VOIDED", balance=Decimal(0))) == {"all"}


def test_a_part_paid_invoice_is_unpaid_and_open_or_overdue_and_says_so():
    part = document("INV-4", amount_paid=Decimal("30"), balance=Decimal("70"), due_date=YESTERDAY)
    assert _views(part) == {"unpaid", "overdue", "all"}
    assert part.partially_paid and part.status == "unpaid"


def test_drafts_are_not_open_unpaid_or_overdue_though_they_have_a_balance():
    draft = document("INV-5", xero_status="DRAFT", due_date=YESTERDAY)
    assert _views(draft) == {"all"} and draft.status == "draft"


def test_a_credit_note_has_no_due_date_so_it_is_never_open_or_overdue():
    note = document("CN-1", kind=DocumentKind.SALES_CREDIT_NOTE, due_date=None, balance=Decimal("20"))
    assert _views(note) == {"unpaid", "all"}
    used = document("CN-2", kind=DocumentKind.SALES_CREDIT_NOTE, due_date=None, xero_status="PAID", balance=0)
    assert _views(used) == {"paid", "all"}


def test_pinned_is_what_is_pinned_whatever_its_state():
    assert "pinned" in _views(paid("INV-6"), pinned=["id-INV-6"])
    assert "pinned" not in _views(paid("INV-6"), pinned=["id-other"])


DOCS = [
    document("INV-1001", date=date(2026, 10, 5)),
    document("INV-1002", date=date(2026, 11, 1)),
    document("INV-1010", date=date(2026, 11, 1)),
    document("INV-2001", date=date(2026, 11, 15)),
    document("SO-1001-B", date=date(2026, 11, 30)),
]


def _numbers(query: ListQuery) -> list[str]:
    return [d.number for d in select(DOCS, query, TODAY, set()).documents]


def test_the_newest_come_first_and_a_date_tie_goes_by_number():
    assert _numbers(ListQuery(view=View.ALL)) == ["SO-1001-B", "INV-2001", "INV-1010", "INV-1002", "INV-1001"]


def test_search_finds_a_number_by_its_beginning_or_any_part_ignoring_case():
    assert _numbers(ListQuery(view=View.ALL, search="inv-10")) == ["INV-1010", "INV-1002", "INV-1001"]
    assert _numbers(ListQuery(view=View.ALL, search="1001")) == ["SO-1001-B", "INV-1001"]
    assert _numbers(ListQuery(view=View.ALL, search="nothing")) == []


def test_the_date_filter_is_on_the_invoice_date_and_includes_both_ends():
    query = ListQuery(view=View.ALL, date_from=date(2026, 11, 1), date_to=date(2026, 11, 15))
    assert _numbers(query) == ["INV-2001", "INV-1010", "INV-1002"]
    assert _numbers(ListQuery(view=View.ALL, date_to=date(2026, 10, 31))) == ["INV-1001"]


def test_pages_follow_each_other_with_the_cursor_and_cover_every_document_once():
    # Given pages of two
    seen, cursor, pages = [], None, 0
    while True:
        page = select(
            DOCS, ListQuery(view=View.ALL, limit=2, after=SortKey.decode(cursor) if cursor else None), TODAY, set()
        )
        seen += [d.number for d in page.documents]
        pages += 1
        assert page.matched == 5
        cursor = page.next_cursor
        if cursor is None:
            break
    # Then three pages, newest first, each document once
    assert pages == 3
    assert seen == ["SO-1001-B", "INV-2001", "INV-1010", "INV-1002", "INV-1001"]


def test_a_cursor_stays_valid_when_documents_arrive_in_between():
    first = select(DOCS, ListQuery(view=View.ALL, limit=2), TODAY, set())
    newer = [*DOCS, document("INV-3000", date=date(2026, 12, 1))]
    second = select(newer, ListQuery(view=View.ALL, limit=2, after=SortKey.decode(first.next_cursor)), TODAY, set())
    assert [d.number for d in second.documents] == ["INV-1010", "INV-1002"]


@pytest.mark.parametrize("cursor", ["", "not base64!", "eyJhIjoxfQ", "WzEsMiwzXQ"])
def test_a_cursor_this_api_did_not_hand_out_is_refused(cursor):
    with pytest.raises(ValueError):
        SortKey.decode(cursor)


def test_the_seeds_statuses():
    assert paid("A").status == "paid"
    assert document("B").status == "unpaid"
    assert document("C", xero_status="VOIDED").status == "voided"
    assert document("D", xero_status="SUBMITTED").status == "submitted"
