"""The read view's services on in-memory fakes, and Xero's JSON for a contact's documents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.fakes import (
    FakeXeroDocuments,
    InMemoryConnections,
    InMemoryContactLinks,
    InMemoryInvoiceCache,
    InMemoryOrgConfig,
    InMemoryPins,
    InMemoryRecords,
    ManualClock,
)
from xero_sync.services.invoice_view import (
    ContactDocuments,
    ContactLinksService,
    InvoiceCacheListener,
    InvoiceViewService,
    OrgFactsLoader,
)

ORG = "org-1"
TENANT = "tenant-1"
NOW = datetime(2026, 11, 20, 11, 30, tzinfo=UTC)  # 21 November 00:30 in New Zealand
TTL = timedelta(seconds=60)


def guid() -> str:
    return str(uuid.uuid4())


def ms(day: date) -> str:
    return f"/Date({int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)}+0000)/"


def xero_invoice(contact_id: str, number: str, **fields: Any) -> dict[str, Any]:
    """An AUTHORISED NZD sales invoice of 100.00 in Xero's JSON, dated 1 Nov, due 1 Dec."""
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "InvoiceID": guid(),
        "InvoiceNumber": number,
        "Reference": "",
        "Payments": [],
        "AmountDue": 100.0,
        "AmountPaid": 0.0,
        "AmountCredited": 0.0,
        "CurrencyRate": 1.0,
        "Contact": {"ContactID": contact_id, "Name": "Harbour Cafe"},
        "Date": ms(date(2026, 11, 1)),
        "DueDate": ms(date(2026, 12, 1)),
        "Status": "AUTHORISED",
        "LineItems": [{"Description": "beans", "Quantity": 1.0, "UnitAmount": 100.0}],
        "Total": 100.0,
        "CurrencyCode": "NZD",
    }
    body.update(fields)
    return body


def xero_payment(day: date, amount: float, reference: str = "", rate: float = 1.0) -> dict[str, Any]:
    return {"PaymentID": guid(), "Date": ms(day), "Amount": amount, "Reference": reference, "CurrencyRate": rate}


def xero_credit_note(contact_id: str, number: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "ACCRECCREDIT",
        "CreditNoteID": guid(),
        "CreditNoteNumber": number,
        "Payments": [],
        "RemainingCredit": 20.0,
        "CurrencyRate": 1.0,
        "Contact": {"ContactID": contact_id},
        "Date": ms(date(2026, 11, 5)),
        "Status": "AUTHORISED",
        "Total": 20.0,
        "CurrencyCode": "NZD",
    }
    body.update(fields)
    return body


ORGANISATION = {
    "Name": "Demo Company (NZ)",
    "BaseCurrency": "NZD",
    "CountryCode": "NZ",
    "ShortCode": "!abcde",
    "Timezone": "NEWZEALANDSTANDARDTIME",
}


@dataclass
class ReadView:
    """Every port of the read view, in memory, and the services built on them."""

    clock: ManualClock = field(default_factory=lambda: ManualClock(NOW))
    connections: InMemoryConnections = field(default_factory=InMemoryConnections)
    links: InMemoryContactLinks = field(default_factory=InMemoryContactLinks)
    records: InMemoryRecords = field(default_factory=InMemoryRecords)
    pins: InMemoryPins = field(default_factory=InMemoryPins)
    cache: InMemoryInvoiceCache = field(default_factory=InMemoryInvoiceCache)
    org_config: InMemoryOrgConfig = field(default_factory=InMemoryOrgConfig)
    xero: FakeXeroDocuments = field(default_factory=FakeXeroDocuments)
    imports: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.connections.add(ORG, tenant_id=TENANT)
        self.org_config.put(ORG, "xero#organisation", dict(ORGANISATION), now=NOW)
        self.documents = ContactDocuments(
            cache=self.cache,
            tenant_reader=self.xero.reader(),
            org_facts=OrgFactsLoader(self.org_config, self._import, self.clock),
            ttl=TTL,
            clock=self.clock,
        )
        self.service = InvoiceViewService(
            connections=self.connections,
            links=self.links,
            records=self.records,
            pins=self.pins,
            documents=self.documents,
            tenant_reader=self.xero.reader(),
            clock=self.clock,
        )
        self.link_service = ContactLinksService(
            links=self.links,
            records=self.records,
            connections=self.connections,
            tenant_reader=self.xero.reader(),
            clock=self.clock,
        )
        self.listener = InvoiceCacheListener(cache=self.cache)

    def _import(self, org_id: str, now: datetime) -> bool:
        """Reference data imported again (as ReferenceDataService.refresh would)."""
        self.imports.append(org_id)
        self.org_config.put(org_id, "xero#organisation", dict(ORGANISATION), now=now)
        return True

    def contact(self, name: str = "cus-1") -> str:
        """A Xero contact, and the host contact ``name`` linked to it explicitly."""
        xero_contact_id = guid()
        self.xero.contacts[xero_contact_id] = {"ContactID": xero_contact_id, "Name": name}
        self.link_service.link(ORG, name, xero_contact_id)
        return xero_contact_id
