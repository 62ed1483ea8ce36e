"""An import worker over in-memory fakes, with a small Xero of its own (no I/O): the import's
services are tested here; tests/integration/imports runs the same against moto and the
emulator over HTTP."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from tests.fakes import (
    T0,
    HostContactsOf,
    InMemoryChanges,
    InMemoryConnections,
    InMemoryContactLinks,
    InMemoryHistory,
    InMemoryRecords,
    InMemoryXeroObjects,
    ManualClock,
    RecordingImportQueue,
)
from xero_sync.domain.changes import Change
from xero_sync.models.imports import OrgImport, OrgObjects, TenantEvents, XeroWebhookEvent
from xero_sync.models.org_config import ImportOptions, OrgSettings
from xero_sync.models.reference_data import ReferenceData, XeroOrganisation
from xero_sync.services.imports.conflicts import Conflicts
from xero_sync.services.imports.exported import ExportedObjects
from xero_sync.services.imports.org_import import OrgImporter
from xero_sync.services.imports.reference import ReferenceImport
from xero_sync.services.imports.worker import ImportSummary, ImportWorker, OrgContext

ORG = "org-a"
TENANT = "tenant-1"

ID_FIELDS = {"Contacts": "ContactID", "Invoices": "InvoiceID", "CreditNotes": "CreditNoteID", "Items": "ItemID"}


def xero_date(moment: datetime) -> str:
    return f"/Date({int(moment.timestamp() * 1000)}+0000)/"


@dataclass
class FakeXero:
    """Xero's collections for one tenant, read the way the import reads them: ``IDs``, paging,
    ``If-Modified-Since`` (second precision, at or after), UpdatedDateUTC order."""

    clock: ManualClock
    collections: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {name: {} for name in ID_FIELDS})
    calls: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    fail_next: Exception | None = None

    def save(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        """A change in Xero (by a user or by an export): stamped with Xero's time."""
        stored = {**copy.deepcopy(record), "UpdatedDateUTC": xero_date(self.clock())}
        self.collections[collection][record[ID_FIELDS[collection]]] = stored
        return copy.deepcopy(stored)

    def get(self, path: str, *, params: Any = None, headers: Any = None, **_: Any) -> Any:
        params, headers = dict(params or {}), dict(headers or {})
        self.calls.append((path, params, headers))
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        name = path.strip("/")
        records = sorted(self.collections[name].values(), key=lambda r: (r["UpdatedDateUTC"], r[ID_FIELDS[name]]))
        if "IDs" in params:
            wanted = set(params["IDs"].split(","))
            records = [r for r in records if r[ID_FIELDS[name]] in wanted]
        since = headers.get("If-Modified-Since")
        if since:
            limit = datetime.fromisoformat(since + "+00:00").timestamp() * 1000
            records = [r for r in records if int(r["UpdatedDateUTC"][6:19]) // 1000 * 1000 >= limit]
        body: dict[str, Any] = {name: records}
        if "page" in params:
            page, size = int(params["page"]), int(params.get("pageSize", 100))
            body = {
                name: records[(page - 1) * size : page * size],
                "pagination": {
                    "page": page,
                    "pageSize": size,
                    "pageCount": -(-len(records) // size),
                    "itemCount": len(records),
                },
            }
        return SimpleNamespace(status=200, body=copy.deepcopy(body), headers={})

    def reads(self, path: str) -> int:
        return sum(1 for call in self.calls if call[0] == path)


def contact(contact_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"ContactID": contact_id, "Name": name, "ContactStatus": "ACTIVE", "IsCustomer": True, **fields}


def invoice(invoice_id: str, number: str, contact_id: str, **fields: Any) -> dict[str, Any]:
    values = {
        "InvoiceID": invoice_id,
        "Type": "ACCREC",
        "InvoiceNumber": number,
        "Contact": {"ContactID": contact_id, "Name": "Harbour Cafe Ltd"},
        "Date": "/Date(1793577600000+0000)/",
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {"Description": "Beans", "Quantity": 1, "UnitAmount": 100, "TaxType": "OUTPUT2", "LineAmount": 100}
        ],
        "Total": 115,
        "AmountDue": 115,
        "AmountPaid": 0,
        "AmountCredited": 0,
        "CurrencyCode": "NZD",
        "Payments": [],
    }
    return {**values, **fields}


def event(category: str, resource_id: str, event_type: str = "UPDATE", tenant: str = TENANT) -> XeroWebhookEvent:
    return XeroWebhookEvent(
        resourceId=resource_id, eventType=event_type, eventCategory=category, tenantId=tenant, eventDateUtc="x"
    )


@dataclass
class ImportWorld:
    clock: ManualClock = field(default_factory=lambda: ManualClock(T0))
    connections: InMemoryConnections = field(default_factory=InMemoryConnections)
    records: InMemoryRecords = field(default_factory=InMemoryRecords)
    objects: InMemoryXeroObjects = field(default_factory=InMemoryXeroObjects)
    links: InMemoryContactLinks = field(default_factory=InMemoryContactLinks)
    history: InMemoryHistory = field(default_factory=InMemoryHistory)
    queue: RecordingImportQueue = field(default_factory=RecordingImportQueue)
    options: ImportOptions = field(default_factory=lambda: ImportOptions(customers=True, vendors=True))
    nudged: list[str] = field(default_factory=list)
    invoice_calls: list[tuple[str, set[str]]] = field(default_factory=list)
    reference: ReferenceData = field(
        default_factory=lambda: ReferenceData(
            organisation=XeroOrganisation(Name="Demo", BaseCurrency="NZD", CountryCode="NZ")
        )
    )

    def __post_init__(self) -> None:
        self.changes = InMemoryChanges(self.objects)
        self.xero = FakeXero(self.clock)
        self.connections.add(ORG, tenant_id=TENANT)
        self.host_contacts = HostContactsOf(self.records)
        importer = OrgImporter(
            objects=self.objects,
            changes=self.changes,
            links=self.links,
            records=self.records,
            host_contacts=self.host_contacts,
            history=self.history,
            conflicts=Conflicts(records=self.records, objects=self.objects, history=self.history),
        )
        world = self

        class Listener:
            def invoices_changed(self, org_id: str, xero_contact_ids: Any, now: datetime) -> None:
                world.invoice_calls.append((org_id, set(xero_contact_ids)))

        self.worker = ImportWorker(
            connections=self.connections,
            tenant_client=lambda org_id, time_left: self.xero,
            importer=importer,
            objects=self.objects,
            queue=self.queue,
            reference=ReferenceImport(refresh=lambda org_id, now: None, load=lambda org_id: self.reference),
            settings_of=lambda org_id: OrgSettings(import_options=self.options),
            context_of=lambda org_id: OrgContext(region="NZ", tax_ids={"OUTPUT2": "gst15"}),
            history=self.history,
            clock=self.clock,
            after_changes=self.nudged.append,
            invoice_listeners=[Listener()],
        )
        self.exported = ExportedObjects(self.objects)

    # --- driving -----------------------------------------------------------------------------

    def run(self, *messages: TenantEvents | OrgImport | OrgObjects) -> ImportSummary:
        return self.worker.handle([(f"m{n}", message) for n, message in enumerate(messages)])

    def webhook(self, *events: XeroWebhookEvent, settled: bool = True) -> ImportSummary:
        return self.run(TenantEvents(tenant_id=TENANT, events=list(events), settled=settled))

    def poll(self, kind: str = "poll") -> ImportSummary:
        return self.run(OrgImport(kind=kind, org_id=ORG))  # type: ignore[arg-type]

    def feed(self, org_id: str = ORG) -> list[Change]:
        return self.changes.of(org_id)

    def kinds(self) -> list[str]:
        """The kinds of the changes in the org's feed, oldest first."""
        return [change.kind.value for change in self.feed()]

    def later(self, seconds: float = 60) -> None:
        self.clock.advance(seconds=seconds)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
