"""What the read view needs to know about the org's Xero organisation: its "today" and the links
into it.

**Today.** Xero's ``Organisation.Timezone`` is a Windows time-zone id written in capitals without
spaces (``NEWZEALANDSTANDARDTIME`` for "New Zealand Standard Time"; SPEC ``TimeZone``, 141
values). Xero itself dates documents in that zone ("Date defaults to today in the org's
timezone", SPEC ``Invoice.Date``), so "overdue" is decided on the org's local date, not UTC's.
The Windows ids are mapped to IANA zones with CLDR's windowsZones table as ``tzlocal`` ships it
(``tzlocal.windows_tz``, regenerated from CLDR by its maintainers); two ids Xero still lists that
Windows has retired are added here. An id nobody knows falls back to UTC — a day off at worst,
never an error page.

**Links.** Xero's deep links open a document in the right organisation through its
``ShortCode`` (developer.xero.com, "Deep link to Xero"):
``https://go.xero.com/organisationlogin/default.aspx?shortcode=<ShortCode>&redirecturl=<path>``
with ``/AccountsReceivable/View.aspx?InvoiceID=<id>`` for a sales invoice,
``/AccountsPayable/Edit.aspx?InvoiceID=<id>`` for a bill and
``/AccountsPayable/ViewCreditNote.aspx?creditNoteID=<id>`` for a credit note (the one credit-note
form Xero documents; Xero's own MCP server uses it for both kinds). The ``redirecturl`` is written
unencoded, as in Xero's examples. Without a short code the link still opens the document, in
whichever organisation the user last used.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import win_tz

from xero_sync.domain.invoice_view import DocumentKind

XERO_LOGIN_URL = "https://go.xero.com/organisationlogin/default.aspx"
XERO_APP_URL = "https://go.xero.com"

_RETIRED_WINDOWS_ZONES = {
    "KAMCHATKASTANDARDTIME": "Asia/Kamchatka",  # "Kamchatka Standard Time", merged into Russia Time Zone 11
    "MIDATLANTICSTANDARDTIME": "Etc/GMT+2",  # "Mid-Atlantic Standard Time": UTC-02, no daylight saving
}

_DOCUMENT_PATHS = {
    DocumentKind.SALES_INVOICE: "/AccountsReceivable/View.aspx?InvoiceID=",
    DocumentKind.BILL: "/AccountsPayable/Edit.aspx?InvoiceID=",
    DocumentKind.SALES_CREDIT_NOTE: "/AccountsPayable/ViewCreditNote.aspx?creditNoteID=",
    DocumentKind.PURCHASE_CREDIT_NOTE: "/AccountsPayable/ViewCreditNote.aspx?creditNoteID=",
}


def _xero_form(windows_id: str) -> str:
    """A Windows zone id as Xero writes it: capitals and digits (and '+'), nothing else."""
    return re.sub(r"[^A-Z0-9+]", "", windows_id.upper())


_IANA_BY_XERO_ZONE = {_xero_form(windows): iana for windows, iana in win_tz.items()} | _RETIRED_WINDOWS_ZONES


def iana_zone(xero_timezone: str | None) -> str | None:
    """The IANA zone of Xero's ``Timezone`` value, or None when it is unknown."""
    if not xero_timezone:
        return None
    return _IANA_BY_XERO_ZONE.get(_xero_form(xero_timezone))


def org_zone(xero_timezone: str | None) -> tzinfo:
    name = iana_zone(xero_timezone)
    if name is None:
        return UTC
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # no zone data on this machine (the layer ships tzdata)
        return UTC


def org_today(xero_timezone: str | None, now: datetime) -> date:
    """The org's calendar date at ``now`` (an aware datetime), in its Xero time zone."""
    return now.astimezone(org_zone(xero_timezone)).date()


def deep_link(short_code: str | None, kind: DocumentKind, xero_id: str) -> str:
    """A link that opens the document in Xero, in the org's own organisation."""
    path = f"{_DOCUMENT_PATHS[kind]}{xero_id}"
    if not short_code:
        return f"{XERO_APP_URL}{path}"
    return f"{XERO_LOGIN_URL}?shortcode={short_code}&redirecturl={path}"
