"""Bodies of the export side of the host API (SPEC §5): records push and state, retry, history,
settings, tax mappings, the Xero reference data served to the host, and "Sync now".

These models generate the published OpenAPI document. Responses are the service's own shapes in
the host's snake_case — never raw Xero JSON or a DynamoDB row (STYLE habit 3). Decimals (tax
rates) are written as JSON strings, so that no rate passes through binary floating point.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import ConfigDict, Field, SkipValidation, ValidationInfo, field_validator

from xero_sync.models.api import ApiModel, ErrorInfo, ErrorResponse
from xero_sync.models.api_import import PaymentStatusView
from xero_sync.models.fields import IsoDate, json_int
from xero_sync.models.org_config import OrgSettings, TaxMapping
from xero_sync.models.records import EntityName, RecordEnvelope

MAX_RECORDS_PER_PUSH = 500
MAX_REVISION = 2**53 - 1  # as for versions: what every JSON parser reads exactly (and DynamoDB stores)
if TYPE_CHECKING:
    Revision: TypeAlias = int
else:
    Revision = json_int(ge=0, le=MAX_REVISION)  # false is not 0, "3" is not 3


def field_path(location: Sequence[str | int]) -> str:
    """A field location as the host reads it: ``("records", 2, "data", "lines", 0, "rate")`` →
    ``records[2].data.lines[0].rate``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


# --- records push (F3.1, N3) ---------------------------------------------------------------------


class PushRecordsRequest(ApiModel):
    """``{"records": [envelope, ...]}``.

    Each item is declared as a :data:`RecordEnvelope` *or anything else* — so the published
    document shows all thirteen record schemas, and tells the truth: an item that is not a valid
    envelope does not fail the request (400) but is answered in its place in the 202, rejected
    with the fields at fault. Items are not validated here (``SkipValidation``): the route
    validates envelope by envelope, so that one bad record never fails its siblings. Only the
    list itself (1–500 items) is checked up front."""

    records: Annotated[
        list[SkipValidation[RecordEnvelope | Any]],
        Field(
            min_length=1,
            max_length=MAX_RECORDS_PER_PUSH,
            description="1–500 records; each is the full current state of one host record with its version "
            "(a RecordEnvelope). An item that is not a valid envelope is rejected on its own, in the 202.",
        ),
    ]


class RecordOutcome(StrEnum):
    ACCEPTED = "accepted"  # stored as the latest version
    STALE = "stale"  # the service already holds this version or a newer one: ignored, not an error
    REJECTED = "rejected"  # invalid: nothing was stored; ``error`` says which field and why
    NOT_STORED = "not_stored"  # valid, but the store failed before it was written: send it again


class RecordRef(ApiModel):
    entity: str
    id: str


class RecordResult(ApiModel):
    index: int = Field(description="Position of the record in the request.")
    entity: str | None = Field(default=None, description="As sent, when it was a text.")
    id: str | None = Field(default=None, description="As sent, when it was a text.")
    version: int | None = None
    status: RecordOutcome
    error: ErrorInfo | None = Field(
        default=None,
        description="For rejected records: code validation_error, missing_reference (a reference to a record the "
        "host deleted) or record_too_large, with one detail per wrong field (e.g. records[2].data.lines[0].quantity). "
        "For not_stored records: code store_unavailable — nothing of the record was kept; send it again.",
    )
    waiting_for: RecordRef | None = Field(
        default=None,
        description="Accepted, but it refers to a record the service does not hold yet: it waits (status "
        "waiting) until that record is pushed, for a limited time (F3.4).",
    )


class PushRecordsResponse(ApiModel):
    results: list[RecordResult] = Field(description="One result per record, in request order.")
    accepted: int
    stale: int
    rejected: int
    not_stored: int = Field(
        default=0, description="Valid records the store failed to write (a storage fault mid-request): send again."
    )
    enqueued: int = Field(
        default=0, description="Records sent for export at once (real-time orgs); others go with the next sync."
    )


# --- record state and retry (F7.1, F7.2) ---------------------------------------------------------


class HistoryEventView(ApiModel):
    event_id: str
    at: datetime
    direction: str = Field(description="export | import | connection | notification | admin")
    action: str
    outcome: str = Field(description="succeeded | failed | skipped | retrying | waiting | info")
    entity: str | None = None
    record_id: str | None = None
    version: int | None = None
    xero_id: str | None = None
    error_code: str | None = None
    message: str | None = None
    details: dict[str, Any] | None = None


class RecordStateView(ApiModel):
    org_id: str
    entity: str
    id: str
    action: str = Field(description="The latest action the host pushed: upsert | delete.")
    status: str = Field(description="idle | pending | waiting | synced | skipped | failed")
    version: int
    exported_version: int | None = Field(default=None, description="The version Xero holds.")
    xero_id: str | None = Field(
        default=None, description="The Xero id, when the record is linked in the org's current Xero tenant."
    )
    error_code: str | None = None
    last_message: str | None = None
    attempts: int = 0
    in_flight: bool = Field(description="A worker is sending this record to Xero right now.")
    waiting_on: RecordRef | None = Field(default=None, description="The parent record it waits for (F3.4).")
    received_at: datetime | None = None
    synced_at: datetime | None = None
    updated_at: datetime | None = None
    history: list[HistoryEventView] = Field(default_factory=list, description="The latest events, newest first.")
    payment_status: PaymentStatusView | None = Field(
        default=None,
        description="Invoices, bills, credit notes and vendor credits in Xero: the payment status Xero reports "
        "(F4.3), once known.",
    )


class RetryResponse(ApiModel):
    entity: str
    id: str
    status: str = Field(description="The record's status after the request (pending).")
    enqueued: bool
    message: str


class RetryAllResponse(ApiModel):
    requeued: int = Field(description="Failed records put back to pending and sent for export.")


# --- history (F7.1) ------------------------------------------------------------------------------


class HistoryOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    RETRYING = "retrying"
    WAITING = "waiting"
    INFO = "info"


class HistoryPageView(ApiModel):
    events: list[HistoryEventView]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= for the next page; null at the end.")


# --- settings and tax mappings (F2.1–F2.4) -------------------------------------------------------


class ConfigProblem(ApiModel):
    """Something in the saved configuration that Xero's side no longer supports (e.g. an
    account that lost its code or was archived, a tax rate that changed)."""

    field: str = Field(description="The configuration field, e.g. settings.sales_account or mappings[0].xero_tax_type.")
    code: str
    message: str


class OrgSettingsView(ApiModel):
    settings: OrgSettings
    revision: int = Field(description="0 while the settings were never saved (the defaults are shown).")
    updated_at: datetime | None = None
    problems: list[ConfigProblem] = Field(
        default_factory=list, description="Accounts named by the settings that Xero can no longer take (F2.2)."
    )


class OrgSettingsUpdate(ApiModel):
    settings: OrgSettings
    revision: Revision | None = Field(
        default=None,
        description="The revision you read: the save is refused with 409 if someone saved in between. "
        "Omit to overwrite.",
    )


class TaxMappingsView(ApiModel):
    mappings: list[TaxMapping]
    revision: int
    updated_at: datetime | None = None
    problems: list[ConfigProblem] = Field(
        default_factory=list, description="Saved mappings whose Xero tax rate no longer matches (F2.3)."
    )


class TaxMappingsUpdate(ApiModel):
    mappings: list[TaxMapping] = Field(max_length=500)
    revision: Revision | None = Field(default=None, description="As for settings: optimistic concurrency.")


# --- Xero reference data served to the host (F4.1, F2.3) ----------------------------------------


class XeroRefreshResponse(ApiModel):
    changed: bool = Field(
        description="Xero's chart of accounts, tax rates, currencies or contact groups differed from the last import."
    )
    requeued: int = Field(description="Failed records sent again because the change may cure them (F2.2).")


class XeroAccountView(ApiModel):
    account_id: str
    code: str | None = Field(description="Null when the account has no code: the integration cannot use it (F2.2).")
    name: str
    type: str | None = Field(default=None, description="Xero AccountType: BANK, REVENUE, EXPENSE …")
    account_class: str | None = Field(default=None, description="ASSET | EQUITY | EXPENSE | LIABILITY | REVENUE")
    status: str
    tax_type: str | None = None
    is_bank_account: bool
    enable_payments_to_account: bool = Field(description="Xero's EnablePaymentsToAccount flag.")
    accepts_payments: bool = Field(description="A bank account or payments enabled: usable for payments (F2.3).")
    bank_account_type: str | None = None
    currency_code: str | None = None
    system_account: str | None = None


class XeroAccountsView(ApiModel):
    accounts: list[XeroAccountView]
    imported_at: datetime | None = None


class XeroTaxComponentView(ApiModel):
    name: str | None = None
    rate: Decimal = Field(description="Percent, e.g. 15 for 15 %.")
    is_compound: bool
    is_non_recoverable: bool


class XeroTaxRateView(ApiModel):
    tax_type: str
    name: str
    status: str
    effective_rate: Decimal = Field(
        description="The rate the tax applies, in percent, compound components included (5 % + 9.975 % "
        "compound → 15.4738). A host tax maps to this rate only if its own rate is equal."
    )
    is_compound: bool
    components: list[XeroTaxComponentView]
    report_tax_type: str | None = None
    can_apply_to_revenue: bool | None = None
    can_apply_to_expenses: bool | None = None


class XeroTaxRatesView(ApiModel):
    tax_rates: list[XeroTaxRateView]
    imported_at: datetime | None = None


class XeroContactGroupView(ApiModel):
    contact_group_id: str
    name: str
    status: str


class XeroContactGroupsView(ApiModel):
    contact_groups: list[XeroContactGroupView]
    imported_at: datetime | None = None


class XeroCurrencyView(ApiModel):
    code: str
    description: str | None = None
    is_base_currency: bool


class XeroCurrenciesView(ApiModel):
    base_currency: str
    currencies: list[XeroCurrencyView]
    imported_at: datetime | None = None


# --- Sync now (F3.7, F3.8) -----------------------------------------------------------------------


SyncDirection = Literal["export", "import", "both"]


class SyncNowRequest(ApiModel):
    """All fields optional: an empty body syncs everything that is pending."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    entities: list[EntityName] | None = Field(
        default=None, min_length=1, description="Only these entities (default: all the org exports)."
    )
    date_from: IsoDate | None = Field(
        default=None, alias="from", description="Historical sync: documents dated from this day (YYYY-MM-DD)."
    )
    date_to: IsoDate | None = Field(default=None, alias="to", description="… up to and including this day.")
    direction: SyncDirection = Field(
        default="export",
        description="export (host → Xero, the default), import (Xero → host: the change feed and webhook "
        "receive Xero's records of the range, F3.8) or both.",
    )

    @field_validator("date_to")
    @classmethod
    def _not_before_from(cls, date_to: date | None, info: ValidationInfo) -> date | None:
        date_from = info.data.get("date_from")
        if date_to is not None and date_from is not None and date_from > date_to:
            raise ValueError("must not be before 'from'")
        return date_to


class SyncNowResponse(ApiModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    enqueued: int = Field(description="Records sent for export by this request.")
    entities: list[str] | None = None
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")
    summary: dict[str, Any] = Field(default_factory=dict, description="Everything the sync reported.")
    direction: SyncDirection = "export"
    import_started: bool = Field(default=False, description="A historical import from Xero was queued.")


# --- documented error answers (OpenAPI) ----------------------------------------------------------

ERROR_DESCRIPTIONS = {
    400: "Invalid input (a field, a path or query parameter, or a body that is not JSON, not UTF-8 or nested "
    "too deeply): error.details names each wrong field.",
    401: "No valid API key.",
    403: "The API key may not act on this org.",
    404: "Not found.",
    409: "Conflicts with the current state (e.g. the org is not connected); the message says what to do.",
    413: "The body is larger than the API accepts.",
    415: "The body is not application/json (UTF-8).",
    500: "An unexpected error; error.request_id identifies the request in the service's logs.",
    502: "Xero did not complete a call the request needed.",
}
ALWAYS_DOCUMENTED = (400, 401, 403, 500)
"""What any route can answer: a wrong input, no key, another org's key, an unexpected error."""


def documented_responses(success: int, model: type[ApiModel], *errors: int) -> dict[int, dict[str, Any]]:
    """A route's answers for the OpenAPI document: the success with its model, and the errors it
    can give, all in the SPEC §5 error shape. (Once a route lists its responses, the resolver no
    longer adds the success answer by itself, so it is listed here too.)"""
    answers: dict[int, dict[str, Any]] = {
        success: {"description": "Success.", "content": {"application/json": {"model": model}}}
    }
    for status in sorted({*ALWAYS_DOCUMENTED, *errors}):
        answers[status] = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"model": ErrorResponse}},
        }
    return answers


# --- Xero items and tracking categories (F3.10, F2.4) -------------------------------------------


class XeroItemDetailsView(ApiModel):
    unit_price: Decimal | None = None
    account_code: str | None = None
    cogs_account_code: str | None = None
    tax_type: str | None = None


class XeroItemView(ApiModel):
    item_id: str
    code: str = Field(description="Xero's Item code; the host's item code (part number) when the items module exports.")
    name: str | None = None
    description: str | None = None
    purchase_description: str | None = None
    is_sold: bool
    is_purchased: bool
    is_tracked_as_inventory: bool
    inventory_asset_account_code: str | None = None
    sales: XeroItemDetailsView | None = None
    purchases: XeroItemDetailsView | None = None


class XeroItemsView(ApiModel):
    items: list[XeroItemView]
    imported_at: datetime | None = None


class XeroTrackingOptionView(ApiModel):
    option_id: str
    name: str
    status: str


class XeroTrackingCategoryView(ApiModel):
    tracking_category_id: str
    name: str
    status: str
    options: list[XeroTrackingOptionView]


class XeroTrackingCategoriesView(ApiModel):
    tracking_categories: list[XeroTrackingCategoryView]
    imported_at: datetime | None = None


# --- "Copy to Xero" (F3.11) -----------------------------------------------------------------------


class CopyToXeroResponse(ApiModel):
    entity: str
    id: str
    completed: bool = Field(
        description="true (200): the record's export finished within the request and status says how; false "
        "(202): it is still on its way — read its state at state_url."
    )
    status: str = Field(description="idle | pending | waiting | synced | skipped | failed, after the request.")
    xero_id: str | None = None
    error_code: str | None = None
    message: str | None = Field(default=None, description="Why it is skipped, waiting or failed, when it is.")
    state_url: str = Field(description="Where to follow the record: GET /v1/orgs/{org_id}/records/{entity}/{id}.")
