"""The read view's services (F5) on in-memory fakes: which Xero contact, the list and its views on
the org's today, the read-through cache (TTL, webhook invalidation, stale-but-served), pins."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from invoice_view_services_helpers import (
    ORG,
    TENANT,
    ReadView,
    guid,
    ms,
    xero_credit_note,
    xero_invoice,
    xero_payment,
)

from tests.fakes import stored
from xero_sync.domain.contact_documents import RecordRef
from xero_sync.domain.invoice_view import View
from xero_sync.domain.links import ContactLink, LinkSource
from xero_sync.domain.records import RecordStatus
from xero_sync.services.errors import Conflict, InvalidInput, NotFound
from xero_sync.services.invoice_view import list_query
from xero_sync.xero.client import CallPriority
from xero_sync.xero.errors import XeroRateLimited, XeroServerError
from xero_sync.xero.governor import GovernorWait


def query(view: View = View.OPEN, **options):
    values = {"view": view, "q": None, "date_from": None, "date_to": None, "limit": 50, "cursor": None} | options
    return list_query(**values)


@pytest.fixture
def rv() -> ReadView:
    return ReadView()


# --- which Xero contact ----------------------------------------------------------------------------


def test_a_contact_with_no_link_is_404_with_how_to_link_it(rv):
    with pytest.raises(NotFound, match=r"PUT /v1/orgs/org-1/contacts/cus-9/xero-link"):
        rv.service.contact_invoices(ORG, "cus-9", query())


def test_an_explicit_link_wins_over_the_export_which_wins_over_a_match(rv):
    exported, matched, explicit = guid(), guid(), guid()
    rv.links.put(ContactLink(ORG, "cus-1", matched, TENANT, LinkSource.MATCH_EMAIL, rv.clock()))
    assert rv.link_service.current(ORG, "cus-1").source == "match_email"
    rv.records.put(stored(ORG, "contact", "cus-1", status=RecordStatus.SYNCED, xero_id=exported, xero_tenant_id=TENANT))
    assert rv.link_service.current(ORG, "cus-1").xero_contact_id == exported
    rv.xero.contacts[explicit] = {"ContactID": explicit, "Name": "Harbour Cafe"}
    assert rv.link_service.link(ORG, "cus-1", explicit).xero_contact_name == "Harbour Cafe"
    assert rv.link_service.current(ORG, "cus-1").source == "explicit"
    # and unlinking the explicit link leaves the export's
    after = rv.link_service.unlink(ORG, "cus-1")
    assert (after.linked, after.source, after.xero_contact_id) == (True, "export", exported)


def test_links_made_in_another_tenant_do_not_count(rv):
    rv.links.put(ContactLink(ORG, "cus-1", guid(), "old-tenant", LinkSource.EXPLICIT, rv.clock()))
    rv.records.put(stored(ORG, "contact", "cus-1", xero_id=guid(), xero_tenant_id="old-tenant"))
    with pytest.raises(NotFound):
        rv.link_service.current(ORG, "cus-1")


def test_linking_checks_the_xero_contact_exists_and_was_not_merged_away(rv):
    with pytest.raises(InvalidInput) as error:
        rv.link_service.link(ORG, "cus-1", guid())
    assert error.value.details[0].field == "xero_contact_id"
    merged, into = guid(), guid()
    rv.xero.contacts[merged] = {"ContactID": merged, "Name": "Old", "MergedToContactID": into}
    with pytest.raises(InvalidInput, match=into):
        rv.link_service.link(ORG, "cus-1", merged)
    assert rv.links.get(ORG, "cus-1") is None


def test_unlinking_nothing_is_404(rv):
    with pytest.raises(NotFound):
        rv.link_service.unlink(ORG, "cus-1")


# --- the list ----------------------------------------------------------------------------------------


def test_the_list_shows_each_invoice_with_its_instalments_link_and_the_orgs_today(rv):
    contact = rv.contact()
    # Given an invoice paid in two instalments of three, and a bill
    invoice = xero_invoice(
        contact,
        "INV-1",
        AmountDue=40.0,
        AmountPaid=60.0,
        DueDate=ms(date(2026, 11, 20)),
        Payments=[xero_payment(date(2026, 11, 12), 25.0, "second"), xero_payment(date(2026, 11, 10), 35.0, "first")],
    )
    rv.xero.invoices += [invoice, xero_invoice(contact, "BILL-7", Type="ACCPAY")]
    # When the host lists every document
    listed = rv.service.contact_invoices(ORG, "cus-1", query(View.ALL))
    # Then today is New Zealand's (NOW is 20 Nov 11:30 UTC), so INV-1, due on the 20th, is overdue
    assert listed.today == date(2026, 11, 21)
    item = next(i for i in listed.items if i.number == "INV-1")
    assert (item.type, item.status, item.overdue, item.partially_paid) == ("sales_invoice", "unpaid", True, True)
    assert (item.balance, item.total, item.payment_count) == (Decimal("40.0"), Decimal("100.0"), 2)
    assert [(i.date, i.amount, i.reference) for i in item.instalments] == [
        (date(2026, 11, 10), Decimal("35.0"), "first"),
        (date(2026, 11, 12), Decimal("25.0"), "second"),
    ]
    assert item.xero_url.endswith(
        f"shortcode=!abcde&redirecturl=/AccountsReceivable/View.aspx?InvoiceID={invoice['InvoiceID']}"
    )
    assert next(i for i in listed.items if i.number == "BILL-7").type == "bill"
    assert (listed.link_source, listed.stale, listed.as_of) == ("explicit", False, rv.clock())


def test_open_is_the_default_view_and_due_today_is_neither_open_nor_overdue(rv):
    contact = rv.contact()
    rv.xero.invoices += [
        xero_invoice(contact, "DUE-YESTERDAY", DueDate=ms(date(2026, 11, 20))),
        xero_invoice(contact, "DUE-TODAY", DueDate=ms(date(2026, 11, 21))),
        xero_invoice(contact, "DUE-TOMORROW", DueDate=ms(date(2026, 11, 22))),
    ]

    def numbers(view):
        return [i.number for i in rv.service.contact_invoices(ORG, "cus-1", query(view)).items]

    assert numbers(View.OPEN) == ["DUE-TOMORROW"]
    assert numbers(View.OVERDUE) == ["DUE-YESTERDAY"]
    assert sorted(numbers(View.UNPAID)) == ["DUE-TODAY", "DUE-TOMORROW", "DUE-YESTERDAY"]


def test_credit_notes_are_listed_with_their_refunds_and_remaining_credit(rv):
    contact = rv.contact()
    rv.xero.credit_notes.append(
        xero_credit_note(
            contact, "CN-1", Total=50.0, RemainingCredit=20.0, Payments=[xero_payment(date(2026, 11, 9), 30.0)]
        )
    )
    item = rv.service.contact_invoices(ORG, "cus-1", query(View.ALL)).items[0]
    assert (item.type, item.balance, item.amount_paid, item.payment_count) == (
        "sales_credit_note",
        Decimal("20.0"),
        Decimal("30.0"),
        1,
    )
    assert "ViewCreditNote.aspx?creditNoteID=" in item.xero_url


def test_a_contact_with_more_invoices_than_a_page_is_read_page_by_page(rv):
    contact = rv.contact()
    rv.xero.page_size = 2
    rv.xero.invoices += [xero_invoice(contact, f"INV-{n}") for n in range(5)]
    listed = rv.service.contact_invoices(ORG, "cus-1", query(View.ALL))
    assert listed.matched == 5
    assert rv.xero.reads() == ["/Invoices", "/Invoices", "/Invoices", "/CreditNotes"]


def test_totals_come_with_the_list_and_alone(rv):
    contact = rv.contact()
    rv.xero.invoices += [
        xero_invoice(contact, "NZ-1", Status="PAID", AmountDue=0.0, AmountPaid=100.0),
        xero_invoice(contact, "US-1", CurrencyCode="USD", CurrencyRate=0.5, AmountDue=100.0),
    ]
    summary = rv.service.summary(ORG, "cus-1")
    listed = rv.service.contact_invoices(ORG, "cus-1", query())
    assert summary.totals == listed.totals
    sales = summary.totals.sales
    assert (sales.base_currency, sales.paid, sales.unpaid) == ("NZD", Decimal("100.00"), Decimal("200.00"))
    assert [c.currency for c in sales.by_currency] == ["NZD", "USD"]


def test_query_parameters_checked_together_name_the_parameter():
    with pytest.raises(InvalidInput) as error:
        query(date_from=date(2026, 11, 2), date_to=date(2026, 11, 1))
    assert error.value.details[0].field == "query.from"
    with pytest.raises(InvalidInput) as error:
        query(cursor="garbage")
    assert error.value.details[0].field == "query.cursor"
    assert query(q="  INV-1 ").search == "INV-1"


# --- fresh and cheap ----------------------------------------------------------------------------------


def test_a_cold_contact_costs_one_call_then_views_are_free_until_the_ttl(rv):
    contact = rv.contact()
    rv.xero.invoices.append(xero_invoice(contact, "INV-1"))
    # When the default list (open) and the totals are viewed cold, then nine more times within the TTL
    for _ in range(10):
        rv.service.contact_invoices(ORG, "cus-1", query())
        rv.service.summary(ORG, "cus-1")
        rv.clock.advance(seconds=5)
    # Then Xero was read once, for the invoices (credit notes are never open, overdue or in the totals), interactively
    assert rv.xero.reads() == ["/Invoices"]
    assert {priority for path, params, priority in rv.xero.calls if "page" in params} == {CallPriority.INTERACTIVE}
    # And a view that can show credit notes reads them once too
    rv.service.contact_invoices(ORG, "cus-1", query(View.ALL))
    rv.service.contact_invoices(ORG, "cus-1", query(View.PAID))
    assert rv.xero.reads() == ["/Invoices", "/CreditNotes"]
    # And once the TTL has passed since a part was read, that part is read again when asked for
    rv.clock.advance(seconds=60)
    rv.service.contact_invoices(ORG, "cus-1", query(View.ALL))
    assert rv.xero.reads() == ["/Invoices", "/CreditNotes", "/Invoices", "/CreditNotes"]


def test_a_webhook_makes_the_invoices_stale_at_once_and_only_they_are_read_again(rv):
    contact = rv.contact()
    invoice = xero_invoice(contact, "INV-1")
    rv.xero.invoices.append(invoice)
    assert rv.service.contact_invoices(ORG, "cus-1", query(View.ALL)).items[0].payment_count == 0
    # Given a payment recorded in Xero, and Xero's INVOICE webhook reaching the listener
    rv.clock.advance(seconds=2)
    invoice.update(AmountDue=60.0, AmountPaid=40.0, Payments=[xero_payment(date(2026, 11, 20), 40.0)])
    rv.listener.invoices_changed(ORG, [contact], rv.clock())
    # When the list is viewed again, well within the TTL
    rv.clock.advance(seconds=1)
    item = rv.service.contact_invoices(ORG, "cus-1", query(View.ALL)).items[0]
    # Then the payment shows, and only the invoices were read again
    assert (item.payment_count, item.balance) == (1, Decimal("60.0"))
    assert rv.xero.reads() == ["/Invoices", "/CreditNotes", "/Invoices"]
    # And the next view is served from the cache
    rv.service.contact_invoices(ORG, "cus-1", query(View.ALL))
    assert len(rv.xero.reads()) == 3


def test_a_change_reported_while_a_read_was_on_its_way_leaves_that_read_stale(rv):
    contact = rv.contact()
    invoice = xero_invoice(contact, "INV-1")
    rv.xero.invoices.append(invoice)
    rv.service.contact_invoices(ORG, "cus-1", query())

    # Given the TTL has passed and, while the invoices are being read again, a payment is made in
    # Xero and its webhook reaches the listener — after Xero answered the read, before it is stored
    class PaidDuringTheRead(type(rv.xero)):
        def get(self, path, **options):
            answer = super().get(path, **options)
            if path == "/Invoices" and not invoice["Payments"]:
                invoice.update(
                    AmountDue=0.0, AmountPaid=100.0, Status="PAID", Payments=[xero_payment(date(2026, 11, 20), 100.0)]
                )
                rv.listener.invoices_changed(ORG, [contact], rv.clock())
            return answer

    rv.xero.__class__ = PaidDuringTheRead
    rv.clock.advance(seconds=61)
    assert rv.service.contact_invoices(ORG, "cus-1", query(View.PAID)).items == []  # read before the payment
    # When the list is viewed again, still within the TTL of that read
    rv.clock.advance(seconds=1)
    # Then the read is known to be stale and the payment shows
    assert [i.number for i in rv.service.contact_invoices(ORG, "cus-1", query(View.PAID)).items] == ["INV-1"]


def test_the_listener_ignores_contacts_nobody_viewed(rv):
    rv.listener.invoices_changed(ORG, [guid(), guid()], rv.clock())
    rv.listener.credit_notes_changed(ORG, [guid()], rv.clock())
    assert rv.cache.entries == {}


@pytest.mark.parametrize(
    "failure",
    [
        XeroRateLimited("minute", 30.0, status=429),
        XeroServerError("Xero server error (The Xero API is currently offline for maintenance)", status=503),
        GovernorWait("minute", 12.0),
    ],
    ids=["429", "503", "budget spent"],
)
def test_when_xero_cannot_be_read_the_last_data_is_served_with_its_age(rv, failure):
    contact = rv.contact()
    rv.xero.invoices.append(xero_invoice(contact, "INV-1"))
    fresh = rv.service.contact_invoices(ORG, "cus-1", query())
    # Given the TTL has passed and Xero now refuses
    rv.clock.advance(seconds=300)
    rv.xero.failures.append(failure)
    # When the list is viewed
    served = rv.service.contact_invoices(ORG, "cus-1", query())
    # Then the cached invoices are served, marked stale with their age and the reason
    assert [i.number for i in served.items] == ["INV-1"]
    assert served.stale and served.as_of == fresh.as_of == rv.clock() - timedelta(seconds=300)
    assert "Xero could not be read" in served.stale_reason
    # And once Xero answers again the list is fresh
    fresh_again = rv.service.contact_invoices(ORG, "cus-1", query())
    assert not fresh_again.stale and fresh_again.as_of == rv.clock()


def test_with_nothing_cached_xeros_error_goes_to_the_host(rv):
    rv.contact()
    rv.xero.failures.append(XeroServerError("Xero server error", status=503))
    with pytest.raises(XeroServerError):
        rv.service.contact_invoices(ORG, "cus-1", query())


def test_an_organisation_imported_before_the_read_view_gets_its_time_zone_imported_once(rv):
    rv.org_config.put(ORG, "xero#organisation", {"Name": "Demo", "BaseCurrency": "NZD"}, now=rv.clock())
    rv.contact()
    rv.service.contact_invoices(ORG, "cus-1", query())
    rv.clock.advance(seconds=120)
    listed = rv.service.contact_invoices(ORG, "cus-1", query())
    assert rv.imports == [ORG] and listed.today == date(2026, 11, 21)


# --- pins ---------------------------------------------------------------------------------------------------


def test_a_pinned_invoice_shows_pinned_and_in_the_pinned_view(rv):
    contact = rv.contact()
    first, second = xero_invoice(contact, "INV-1", Status="PAID", AmountDue=0.0), xero_invoice(contact, "INV-2")
    rv.xero.invoices += [first, second]
    pin = rv.service.pin(ORG, RecordRef("contact", "cus-1"), first["InvoiceID"])
    assert pin.pinned and pin.changed
    assert not rv.service.pin(ORG, RecordRef("contact", "cus-1"), first["InvoiceID"]).changed
    pinned = rv.service.contact_invoices(ORG, "cus-1", query(View.PINNED))
    assert [(i.number, i.pinned) for i in pinned.items] == [("INV-1", True)]
    assert not rv.service.unpin(ORG, RecordRef("contact", "cus-1"), second["InvoiceID"]).changed
    assert rv.service.unpin(ORG, RecordRef("contact", "cus-1"), first["InvoiceID"]).changed
    assert rv.service.contact_invoices(ORG, "cus-1", query(View.PINNED)).items == []


def test_a_pin_on_an_invoice_that_is_not_the_contacts_is_refused_on_the_parameter(rv):
    rv.contact("cus-1")
    other = rv.contact("cus-2")
    foreign = xero_invoice(other, "INV-9")
    rv.xero.invoices.append(foreign)
    with pytest.raises(InvalidInput) as error:
        rv.service.pin(ORG, RecordRef("contact", "cus-1"), foreign["InvoiceID"])
    assert error.value.details[0].field == "path.invoice_id"
    assert rv.pins.items == {}


def test_an_invoice_created_in_xero_since_the_last_read_can_be_pinned_at_once(rv):
    contact = rv.contact()
    rv.service.contact_invoices(ORG, "cus-1", query())  # cached: no invoices yet
    new = xero_invoice(contact, "INV-NEW")
    rv.xero.invoices.append(new)
    assert rv.service.pin(ORG, RecordRef("contact", "cus-1"), new["InvoiceID"]).pinned


def test_pins_on_a_deal_give_the_deals_totals(rv):
    first, second = rv.contact("cus-1"), rv.contact("cus-2")
    a = xero_invoice(first, "INV-A", Status="PAID", AmountDue=0.0, AmountPaid=100.0)
    b = xero_invoice(second, "INV-B", AmountDue=250.0, Total=250.0, DueDate=ms(date(2026, 11, 1)))
    rv.xero.invoices += [a, b, xero_invoice(first, "INV-NOT-PINNED")]
    deal = RecordRef("deal", "deal-7")
    for invoice in (a, b):
        assert rv.service.pin(ORG, deal, invoice["InvoiceID"]).pinned
    pinned = rv.service.record_pins(ORG, deal)
    assert [i.number for i in pinned.items] == ["INV-B", "INV-A"]
    sales = pinned.totals.sales
    assert (sales.paid, sales.unpaid, sales.overdue) == (Decimal("100.00"), Decimal("250.00"), Decimal("250.00"))
    assert pinned.missing == []


def test_a_pin_on_a_deal_needs_a_document_that_exists_in_xero(rv):
    with pytest.raises(InvalidInput) as error:
        rv.service.pin(ORG, RecordRef("deal", "deal-7"), guid())
    assert error.value.details[0].field == "path.invoice_id"


def test_pins_of_another_tenant_do_not_count_and_there_is_a_limit(rv, monkeypatch):
    contact = rv.contact()
    invoices = [xero_invoice(contact, f"INV-{n}") for n in range(3)]
    rv.xero.invoices += invoices
    deal = RecordRef("deal", "d-1")
    rv.service.pin(ORG, deal, invoices[0]["InvoiceID"])
    monkeypatch.setattr("xero_sync.services.invoice_view.service.MAX_PINS_PER_RECORD", 2)
    rv.service.pin(ORG, deal, invoices[1]["InvoiceID"])
    with pytest.raises(Conflict):
        rv.service.pin(ORG, deal, invoices[2]["InvoiceID"])
    # after a reset to another tenant, the old pins are not shown
    rv.connections.add(ORG, tenant_id="tenant-2")
    assert rv.service.record_pins(ORG, deal).items == []
