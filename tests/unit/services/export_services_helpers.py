"""In-memory stand-ins and builders for the export services' unit tests (no I/O at all): Xero
reference data shaped like the emulator's demo company, and fakes of the repositories, queues
and Xero client with just the behaviour the services rely on."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from xero_sync.dal.org_config import ConfigItem, RevisionConflict
from xero_sync.dal.records import RecordKey, RecordStatus, StoreResult
from xero_sync.models.org_config import ReferenceData

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)
NO_CODE_ACCOUNT_ID = "00000000-0000-4000-8000-000000000099"
GROUP_ID = "00000000-0000-4000-8000-0000000000aa"


def _account(code: str | None, name: str, type_: str, n: int, **extra: Any) -> dict[str, Any]:
    return {"AccountID": f"00000000-0000-4000-8000-{n:012d}", "Code": code or "", "Name": name, "Type": type_,
            "Status": "ACTIVE", **extra}


def _rate(tax_type: str, name: str, components: list[tuple[str, float, bool]], **extra: Any) -> dict[str, Any]:
    return {"TaxType": tax_type, "Name": name, "Status": "ACTIVE",
            "TaxComponents": [{"Name": n, "Rate": r, "IsCompound": c} for n, r, c in components], **extra}


def xero_bodies() -> dict[str, Any]:
    """What Xero answers to GET /Organisation, /Accounts, /TaxRates, /Currencies, /ContactGroups
    (JSON numbers as floats, "" for a missing code), keyed by kind."""
    return {
        "organisation": {"Organisations": [{"Name": "Demo Ltd", "BaseCurrency": "NZD", "CountryCode": "NZ",
                                            "OrganisationID": "org-x", "ShortCode": "!abc"}]},
        "accounts": {"Accounts": [
            _account("090", "Business Bank Account", "BANK", 1, BankAccountType="BANK", CurrencyCode="NZD"),
            _account("200", "Sales", "REVENUE", 2, TaxType="OUTPUT2"),
            _account("210", "Old Sales", "REVENUE", 3, Status="ARCHIVED"),
            _account("260", "Other Revenue", "REVENUE", 4),
            _account("404", "Bank Fees", "OVERHEADS", 5),
            _account("970", "Owner Funds", "EQUITY", 6, EnablePaymentsToAccount=True),
            {**_account(None, "Merchant Fees", "EXPENSE", 99), "AccountID": NO_CODE_ACCOUNT_ID},
        ]},
        "tax_rates": {"TaxRates": [
            _rate("NONE", "No GST", [("GST", 0.0, False)], CanApplyToRevenue=True, CanApplyToExpenses=True),
            _rate("OUTPUT2", "15% GST on Income", [("GST", 15.0, False)], CanApplyToRevenue=True),
            _rate("INPUT2", "15% GST on Expenses", [("GST", 15.0, False)], CanApplyToExpenses=True),
            _rate("TAX002", "GST + QST (compound)", [("GST", 5.0, False), ("QST", 9.975, True)]),
            {**_rate("OUTPUT", "12.5% (old)", [("GST", 12.5, False)]), "Status": "DELETED"},
        ]},
        "currencies": {"Currencies": [{"Code": "NZD", "Description": "New Zealand Dollar"},
                                      {"Code": "USD", "Description": "US Dollar"}]},
        "contact_groups": {"ContactGroups": [{"ContactGroupID": GROUP_ID, "Name": "Wholesale", "Status": "ACTIVE"}]},
    }


def reference() -> ReferenceData:
    from xero_sync.services.reference_data import parse_xero_bodies

    return parse_xero_bodies(xero_bodies())


# --- fakes -----------------------------------------------------------------------------------------


class FakeTenantClient:
    """``TenantClient.get`` over a dict of Xero bodies by path; counts calls."""

    PATHS = {"/Organisation": "organisation", "/Accounts": "accounts", "/TaxRates": "tax_rates",
             "/Currencies": "currencies", "/ContactGroups": "contact_groups"}

    def __init__(self, bodies: dict[str, Any]) -> None:
        self.bodies = bodies
        self.calls: list[str] = []

    def get(self, path: str, *, params: Any = None) -> Any:
        self.calls.append(path)
        return SimpleNamespace(status=200, body=copy.deepcopy(self.bodies[self.PATHS[path]]), headers={})


class FakeOrgConfig:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], ConfigItem] = {}
        self.puts: list[str] = []

    def get(self, org_id: str, item: str) -> ConfigItem | None:
        return self.items.get((org_id, item))

    def get_many(self, org_id: str, items: list[str]) -> dict[str, ConfigItem]:
        return {item: self.items[(org_id, item)] for item in items if (org_id, item) in self.items}

    def put(self, org_id: str, item: str, body: Any, *, now: datetime, expected_revision: int | None = None) -> int:
        current = self.items.get((org_id, item))
        revision = current.revision if current else 0
        if expected_revision is not None and expected_revision != revision:
            raise RevisionConflict(item)
        self.items[(org_id, item)] = ConfigItem(body=copy.deepcopy(body), revision=revision + 1, updated_at=now)
        self.puts.append(item)
        return revision + 1


@dataclass
class FakeConnection:
    org_id: str
    status: str = "connected"
    tenant_id: str | None = "tenant-1"
    next_sync_at: datetime | None = None


class FakeConnections:
    def __init__(self, *connections: FakeConnection) -> None:
        self.by_org = {c.org_id: c for c in connections}
        self.activity: list[tuple[str, datetime]] = []
        self.scheduled: list[tuple[str, datetime | None]] = []

    def get(self, org_id: str) -> FakeConnection | None:
        return self.by_org.get(org_id)

    def record_activity(self, org_id: str, now: datetime) -> None:
        self.activity.append((org_id, now))

    def set_next_sync(self, org_id: str, next_sync_at: datetime | None, *, last_sync_at: datetime | None = None) -> None:
        self.scheduled.append((org_id, next_sync_at))


@dataclass
class FakeRecord:
    org_id: str
    entity: str
    record_id: str
    version: int
    action: str
    data: Any
    status: str
    referenced: bool = False
    error_code: str | None = None
    last_message: str | None = None
    exported_version: int | None = None


class FakeRecords:
    """Latest-version-wins storage with the repository's contact rule (idle until referenced)."""

    def __init__(self) -> None:
        self.rows: dict[RecordKey, FakeRecord] = {}
        self.writes = 0

    def store_version(self, key: RecordKey, *, family: str, version: int, action: str, data: Any,
                      status: RecordStatus | None, now: datetime) -> StoreResult:
        current = self.rows.get(key)
        if current is not None and current.version >= version:
            return StoreResult.STALE
        self.writes += 1
        referenced = current.referenced if current else False
        if status is None:
            status = RecordStatus.PENDING if referenced else RecordStatus.IDLE
        self.rows[key] = FakeRecord(key.org_id, key.entity, key.record_id, version, action, data, status.value, referenced)
        return StoreResult.STORED

    def get_many(self, keys: Any) -> dict[RecordKey, FakeRecord]:
        return {key: self.rows[key] for key in keys if key in self.rows}

    def get(self, key: RecordKey) -> FakeRecord | None:
        return self.rows.get(key)

    def mark_referenced(self, key: RecordKey, now: datetime) -> bool:
        row = self.rows.get(key)
        if row is None or row.status != RecordStatus.IDLE.value:
            return False
        row.referenced, row.status = True, RecordStatus.PENDING.value
        self.writes += 1
        return True

    def keys_with_status(self, org_id: str, status: RecordStatus, **_: Any) -> list[RecordKey]:
        return [k for k, r in self.rows.items() if k.org_id == org_id and r.status == status.value]

    def requeue(self, key: RecordKey, *, now: datetime, only_from: Any) -> bool:
        row = self.rows.get(key)
        if row is None or row.status not in {s.value for s in only_from}:
            return False
        row.status = RecordStatus.PENDING.value
        return True


@dataclass
class FakeQueues:
    sent: list[tuple[list[RecordKey], str]] = field(default_factory=list)

    def enqueue(self, keys: Any, reason: Any, *, delay_seconds: int = 0, deferrals: int = 0) -> int:
        keys = list(keys)
        self.sent.append((keys, str(reason)))
        return len(keys)


@dataclass
class FakeHistory:
    events: list[Any] = field(default_factory=list)

    def append(self, event: Any) -> str:
        self.events.append(event)
        return "event"

    def for_record(self, org_id: str, entity: str, record_id: str, *, limit: int = 20) -> list[Any]:
        return []
