"""The org's today in its Xero time zone, and deep links into its Xero organisation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from xero_sync.domain.invoice_view import DocumentKind
from xero_sync.domain.xero_org import deep_link, iana_zone, org_today


@pytest.mark.parametrize(
    ("xero", "iana"),
    [
        ("NEWZEALANDSTANDARDTIME", "Pacific/Auckland"),
        ("AUSEASTERNSTANDARDTIME", "Australia/Sydney"),
        ("GMTSTANDARDTIME", "Europe/London"),
        ("EASTERNSTANDARDTIME", "America/New_York"),
        ("CENTRALSTANDARDTIME(MEXICO)", "America/Mexico_City"),
        ("UTC+12", "Etc/GMT-12"),
        ("UTC02", "Etc/GMT+2"),  # Windows "UTC-02": Xero drops the minus
        ("KAMCHATKASTANDARDTIME", "Asia/Kamchatka"),  # retired by Windows, still in Xero's list
        ("newzealandstandardtime", "Pacific/Auckland"),
    ],
)
def test_xero_time_zones_map_to_iana_zones(xero, iana):
    assert iana_zone(xero) == iana


def test_the_orgs_today_crosses_midnight_in_its_own_zone_not_in_utc():
    # 11:30 UTC on 20 November is already 21 November in New Zealand (NZDT, UTC+13) …
    now = datetime(2026, 11, 20, 11, 30, tzinfo=UTC)
    assert org_today("NEWZEALANDSTANDARDTIME", now) == date(2026, 11, 21)
    # … but still 20 November in New York (EST, UTC-5), and in UTC
    assert org_today("EASTERNSTANDARDTIME", now) == date(2026, 11, 20)
    # and at 10:59 UTC New Zealand is still on the 20th
    assert org_today("NEWZEALANDSTANDARDTIME", datetime(2026, 11, 20, 10, 59, tzinfo=UTC)) == date(2026, 11, 20)


def test_an_unknown_or_missing_zone_means_utc():
    now = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert org_today("NOWHERESTANDARDTIME", now) == date(2026, 11, 20)
    assert org_today(None, now) == date(2026, 11, 20)


def test_deep_links_open_the_document_in_the_orgs_own_organisation():
    invoice = "1cf1a11c-a067-4a05-9c8b-06f281f7afed"
    assert deep_link("!NLglS", DocumentKind.SALES_INVOICE, invoice) == (
        "https://go.xero.com/organisationlogin/default.aspx?shortcode=!NLglS"
        "&redirecturl=/AccountsReceivable/View.aspx?InvoiceID=1cf1a11c-a067-4a05-9c8b-06f281f7afed"
    )
    assert deep_link("!NLglS", DocumentKind.BILL, invoice).endswith(
        "redirecturl=/AccountsPayable/Edit.aspx?InvoiceID=" + invoice
    )
    assert deep_link("!NLglS", DocumentKind.SALES_CREDIT_NOTE, invoice).endswith(
        "redirecturl=/AccountsPayable/ViewCreditNote.aspx?creditNoteID=" + invoice
    )
    # without a short code, the document still opens (in the organisation last used)
    assert deep_link(None, DocumentKind.SALES_INVOICE, invoice) == (
        "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=" + invoice
    )
