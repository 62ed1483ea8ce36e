"""One set of in-memory fakes of the service's ports (``xero_sync/services/ports.py``), shared by
every unit test. Each keeps the rules of the adapter it stands for (conditional writes, latest
version wins, claims), because the services' guarantees rest on those rules."""

from tests.fakes.app_budget import InMemoryAppBudgetStore
from tests.fakes.clock import T0, ManualClock, VirtualTime
from tests.fakes.connections import InMemoryConnections, connection
from tests.fakes.console import InMemoryConsoleSessions
from tests.fakes.contact_invoices import InMemoryContactInvoices, contact_invoice
from tests.fakes.imports import (
    HostContactsOf,
    InMemoryChanges,
    InMemoryHostWebhooks,
    InMemoryXeroObjects,
    PlainCipher,
    RecordingHostWebhookQueue,
    RecordingImportQueue,
    ScriptedSender,
)
from tests.fakes.invoice_view import FakeXeroDocuments, InMemoryInvoiceCache, InMemoryPins
from tests.fakes.links import InMemoryContactLinks
from tests.fakes.messaging import MemoryOnce, RecordingExportQueue, RecordingMailer, RecordingNotificationQueue
from tests.fakes.rate_limits import InMemoryGovernor, InMemoryRateLimitStore
from tests.fakes.records import InMemoryRecords, stored
from tests.fakes.stores import InMemoryApiKeys, InMemoryHistory, InMemoryOAuthStates, InMemoryOrgConfig
from tests.fakes.xero import FakeTenantClient

__all__ = [
    "T0",
    "FakeTenantClient",
    "FakeXeroDocuments",
    "HostContactsOf",
    "InMemoryApiKeys",
    "InMemoryAppBudgetStore",
    "InMemoryChanges",
    "InMemoryConnections",
    "InMemoryConsoleSessions",
    "InMemoryContactInvoices",
    "InMemoryContactLinks",
    "InMemoryGovernor",
    "InMemoryHistory",
    "InMemoryHostWebhooks",
    "InMemoryInvoiceCache",
    "InMemoryOAuthStates",
    "InMemoryOrgConfig",
    "InMemoryPins",
    "InMemoryRateLimitStore",
    "InMemoryRecords",
    "InMemoryXeroObjects",
    "ManualClock",
    "MemoryOnce",
    "PlainCipher",
    "RecordingExportQueue",
    "RecordingHostWebhookQueue",
    "RecordingImportQueue",
    "RecordingMailer",
    "RecordingNotificationQueue",
    "ScriptedSender",
    "VirtualTime",
    "connection",
    "contact_invoice",
    "stored",
]
