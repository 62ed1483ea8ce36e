"""Xero's reference data for an org (F4.1, F2.3): organisation, chart of accounts, tax rates,
currencies and contact groups.

Imported from Xero on connect (an after-connect hook) and on every sync (the sync service calls
:meth:`ReferenceDataService.refresh`), stored in the OrgConfig table one item per kind
(``xero#organisation``, ``xero#accounts`` …) as the JSON of the models in
``models/org_config.py``, and served to the host for its mapping screens.

``refresh`` tells whether anything changed, by comparing each kind's content (canonical JSON)
with what is stored; only changed kinds are written. When something changed, records that failed
for a reason Xero's side can fix (:data:`XERO_FIXABLE_CODES`, e.g. an account code added in Xero,
F2.2) deserve another attempt — the caller re-queues them (``RecordsService.requeue_failed``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from xero_sync.clock import Clock
from xero_sync.domain.config_items import XERO_PREFIX
from xero_sync.domain.errors import RevisionConflict
from xero_sync.domain.problems import ProblemCode
from xero_sync.domain.tax import xero_rate_percent
from xero_sync.models.api_export import (
    XeroAccountsView,
    XeroAccountView,
    XeroContactGroupsView,
    XeroContactGroupView,
    XeroCurrenciesView,
    XeroCurrencyView,
    XeroItemDetailsView,
    XeroItemsView,
    XeroItemView,
    XeroTaxComponentView,
    XeroTaxRatesView,
    XeroTaxRateView,
    XeroTrackingCategoriesView,
    XeroTrackingCategoryView,
    XeroTrackingOptionView,
)
from xero_sync.models.reference_data import (
    ReferenceData,
    XeroAccount,
    XeroContactGroup,
    XeroCurrency,
    XeroItem,
    XeroOrganisation,
    XeroTaxRate,
    XeroTrackingCategory,
)
from xero_sync.observability import logger
from xero_sync.services.connection_gate import require_connected
from xero_sync.services.errors import Conflict
from xero_sync.services.ports import ConnectionStore, OrgConfigStore

XERO_FIXABLE_CODES: frozenset[str] = frozenset(
    code.value
    for code in (
        ProblemCode.UNKNOWN_ACCOUNT,
        ProblemCode.ARCHIVED_ACCOUNT,
        ProblemCode.MISSING_ACCOUNT_CODE,
        ProblemCode.ACCOUNT_NOT_PAYMENT_ENABLED,
        ProblemCode.NOT_A_BANK_ACCOUNT,
        ProblemCode.UNKNOWN_TAX_RATE,
        ProblemCode.INACTIVE_TAX_RATE,
        ProblemCode.TAX_RATE_MISMATCH,
        ProblemCode.TAX_NOT_ALLOWED_FOR_ACCOUNT,
        ProblemCode.NO_ZERO_TAX_RATE,
        ProblemCode.CURRENCY_NOT_ENABLED,
        ProblemCode.BASE_CURRENCY_MISMATCH,
        ProblemCode.CLOSED_PERIOD,  # a lock date moved
        ProblemCode.UNKNOWN_TRACKING_CATEGORY,  # a tracking category or option added in Xero
        ProblemCode.UNKNOWN_TRACKING_OPTION,
        ProblemCode.UNKNOWN_ITEM,  # an item added in Xero
    )
) | {
    "closed_period",
    "unknown_item",
}  # reported by Xero at export time (services/export/failures.py): a lock date moved
"""Failures that a change in Xero can cure (an account code added, payments enabled, a tax rate
or currency added, a lock date moved …): re-queued when ``refresh`` finds Xero's reference data
changed."""

# Stored item name → (Xero path, the collection's key in Xero's answer).
KINDS: dict[str, tuple[str, str]] = {
    "organisation": ("/Organisation", "Organisations"),
    "accounts": ("/Accounts", "Accounts"),
    "tax_rates": ("/TaxRates", "TaxRates"),
    "currencies": ("/Currencies", "Currencies"),
    "contact_groups": ("/ContactGroups", "ContactGroups"),
    "items": ("/Items", "Items"),  # F3.10: Xero items can always be imported for viewing
    "tracking_categories": ("/TrackingCategories", "TrackingCategories"),  # F2.4: options for lines
}
OPTIONAL_KINDS = frozenset({"items", "tracking_categories"})
"""Kinds added after the first release: an org imported before them reads them as empty until the
next refresh stores them."""


def item_name(kind: str) -> str:
    return f"{XERO_PREFIX}{kind}"


class NotConnectedToXero(Conflict):
    """Nothing was imported yet and the org cannot reach Xero to import it."""


# --- what the service needs from the Xero client ------------------------------------------------


class XeroReader(Protocol):
    def get(self, path: str, *, params: Any = None) -> Any: ...  # → XeroResponse(status, body, …)


TenantClientFactory = Callable[[str], XeroReader]
"""``XeroApiClient.for_org``: the org's tenant, with token, governor and typed errors."""


# --- pure helpers --------------------------------------------------------------------------------


def content_hash(body: Any) -> str:
    """Equal content → equal hash, whatever the key order."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_xero_bodies(bodies: dict[str, Any]) -> ReferenceData:
    """Xero's JSON answers (by kind) → the validated reference data. Extra Xero fields are
    dropped by the models, so the stored content changes only when something we use changes."""
    organisations = (bodies["organisation"] or {}).get("Organisations") or []
    if not organisations:
        raise ValueError("Xero returned no organisation")
    return ReferenceData(
        organisation=XeroOrganisation.model_validate(organisations[0]),
        accounts=[XeroAccount.model_validate(a) for a in (bodies["accounts"] or {}).get("Accounts") or []],
        tax_rates=[XeroTaxRate.model_validate(t) for t in (bodies["tax_rates"] or {}).get("TaxRates") or []],
        currencies=[XeroCurrency.model_validate(c) for c in (bodies["currencies"] or {}).get("Currencies") or []],
        contact_groups=[
            XeroContactGroup.model_validate(g) for g in (bodies["contact_groups"] or {}).get("ContactGroups") or []
        ],
        items=[XeroItem.model_validate(i) for i in (bodies.get("items") or {}).get("Items") or []],
        tracking_categories=[
            XeroTrackingCategory.model_validate(t)
            for t in (bodies.get("tracking_categories") or {}).get("TrackingCategories") or []
        ],
    )


def stored_bodies(reference: ReferenceData) -> dict[str, Any]:
    """The reference data as the OrgConfig items keep it, by kind (decimals as strings)."""
    dumped = reference.model_dump(mode="json")
    return {kind: dumped[kind] for kind in KINDS}


def account_view(account: XeroAccount) -> XeroAccountView:
    return XeroAccountView(
        account_id=account.AccountID,
        code=account.Code,
        name=account.Name,
        type=account.Type,
        account_class=account.Class,
        status=account.Status,
        tax_type=account.TaxType,
        is_bank_account=account.is_bank,
        enable_payments_to_account=account.EnablePaymentsToAccount,
        accepts_payments=account.accepts_payments,
        bank_account_type=account.BankAccountType,
        currency_code=account.CurrencyCode,
        system_account=account.SystemAccount,
    )


def tax_rate_view(rate: XeroTaxRate) -> XeroTaxRateView:
    return XeroTaxRateView(
        tax_type=rate.TaxType,
        name=rate.Name,
        status=rate.Status,
        effective_rate=xero_rate_percent(rate),
        is_compound=any(c.IsCompound for c in rate.TaxComponents),
        components=[
            XeroTaxComponentView(
                name=c.Name, rate=c.Rate, is_compound=c.IsCompound, is_non_recoverable=c.IsNonRecoverable
            )
            for c in rate.TaxComponents
        ],
        report_tax_type=rate.ReportTaxType,
        can_apply_to_revenue=rate.CanApplyToRevenue,
        can_apply_to_expenses=rate.CanApplyToExpenses,
    )


def item_view(item: XeroItem) -> XeroItemView:
    def details(side: Any) -> XeroItemDetailsView | None:
        if side is None:
            return None
        return XeroItemDetailsView(
            unit_price=side.UnitPrice,
            account_code=side.AccountCode,
            cogs_account_code=side.COGSAccountCode,
            tax_type=side.TaxType,
        )

    return XeroItemView(
        item_id=item.ItemID,
        code=item.Code,
        name=item.Name,
        description=item.Description,
        purchase_description=item.PurchaseDescription,
        is_sold=item.IsSold,
        is_purchased=item.IsPurchased,
        is_tracked_as_inventory=item.IsTrackedAsInventory,
        inventory_asset_account_code=item.InventoryAssetAccountCode,
        sales=details(item.SalesDetails),
        purchases=details(item.PurchaseDetails),
    )


def tracking_category_view(category: XeroTrackingCategory) -> XeroTrackingCategoryView:
    return XeroTrackingCategoryView(
        tracking_category_id=category.TrackingCategoryID,
        name=category.Name,
        status=category.Status,
        options=[
            XeroTrackingOptionView(option_id=o.TrackingOptionID, name=o.Name, status=o.Status) for o in category.Options
        ],
    )


def select_accounts(
    reference: ReferenceData, *, payments_enabled: bool | None, include_inactive: bool
) -> list[XeroAccount]:
    """``payments_enabled=true``: the accounts Xero takes payments on (BANK, or
    EnablePaymentsToAccount) — the flag is in each item, so a host that wants only the latter
    (seed 004) filters on it. ``false``: the others."""
    accounts = [a for a in reference.accounts if include_inactive or a.is_active]
    if payments_enabled is not None:
        accounts = [a for a in accounts if a.accepts_payments == payments_enabled]
    return accounts


# --- the service -----------------------------------------------------------------------------------


@dataclass
class ReferenceDataService:
    org_config: OrgConfigStore
    connections: ConnectionStore
    tenant_client: TenantClientFactory
    clock: Clock

    # --- import ---------------------------------------------------------------------------------

    def fetch(self, org_id: str) -> ReferenceData:
        """Read everything from Xero (five GETs through the org's governed tenant client)."""
        xero = self.tenant_client(org_id)
        bodies = {kind: xero.get(path).body for kind, (path, _) in KINDS.items()}
        return parse_xero_bodies(bodies)

    def refresh(self, org_id: str, now: datetime) -> bool:
        """Import from Xero and store what changed. Returns whether anything changed (True on the
        first import)."""
        fresh = stored_bodies(self.fetch(org_id))
        current = self.org_config.get_many(org_id, [item_name(kind) for kind in KINDS])
        changed = False
        for kind, body in fresh.items():
            before = current.get(item_name(kind))
            if before is not None and content_hash(before.body) == content_hash(body):
                continue
            changed = True
            try:
                self.org_config.put(
                    org_id, item_name(kind), body, now=now, expected_revision=before.revision if before else 0
                )
            except RevisionConflict:
                # Another import stored this kind a moment ago: Xero's newest data is in either way.
                logger.info("Reference data stored concurrently", extra={"org_id": org_id, "kind": kind})
        if changed:
            logger.info("Xero reference data changed", extra={"org_id": org_id})
        return changed

    # --- read -------------------------------------------------------------------------------------

    def load(self, org_id: str) -> ReferenceData | None:
        """The last import, or None if the org never imported (all five kinds are needed)."""
        stored = self._read(org_id)
        return stored[0] if stored else None

    def load_or_import(self, org_id: str) -> ReferenceData:
        """The last import; if there is none, import now — which needs a connected org (409
        otherwise, with what to do)."""
        return self._read_or_import(org_id)[0]

    def _read(self, org_id: str) -> tuple[ReferenceData, dict[str, datetime | None]] | None:
        items = self.org_config.get_many(org_id, [item_name(kind) for kind in KINDS])
        if any(item_name(kind) not in items for kind in KINDS if kind not in OPTIONAL_KINDS):
            return None
        present = {kind: items[item_name(kind)] for kind in KINDS if item_name(kind) in items}
        reference = ReferenceData.model_validate({kind: item.body for kind, item in present.items()})
        return reference, {kind: (present[kind].updated_at if kind in present else None) for kind in KINDS}

    def _read_or_import(self, org_id: str) -> tuple[ReferenceData, dict[str, datetime | None]]:
        stored = self._read(org_id)
        if stored is not None:
            return stored
        try:
            require_connected(self.connections, org_id)
        except Conflict as error:
            raise NotConnectedToXero(
                "Xero's chart of accounts, tax rates and contact groups are imported once the org is "
                f"connected. {error}"
            ) from error
        self.refresh(org_id, self.clock())
        stored = self._read(org_id)
        assert stored is not None  # just written
        return stored

    # --- the host's views (F4.1) ------------------------------------------------------------------

    def accounts(self, org_id: str, *, payments_enabled: bool | None, include_inactive: bool) -> XeroAccountsView:
        reference, imported = self._read_or_import(org_id)
        chosen = select_accounts(reference, payments_enabled=payments_enabled, include_inactive=include_inactive)
        return XeroAccountsView(accounts=[account_view(a) for a in chosen], imported_at=imported["accounts"])

    def tax_rates(self, org_id: str, *, include_inactive: bool) -> XeroTaxRatesView:
        reference, imported = self._read_or_import(org_id)
        rates = [r for r in reference.tax_rates if include_inactive or r.is_active]
        return XeroTaxRatesView(tax_rates=[tax_rate_view(r) for r in rates], imported_at=imported["tax_rates"])

    def contact_groups(self, org_id: str) -> XeroContactGroupsView:
        reference, imported = self._read_or_import(org_id)
        return XeroContactGroupsView(
            contact_groups=[
                XeroContactGroupView(contact_group_id=g.ContactGroupID, name=g.Name, status=g.Status)
                for g in reference.contact_groups
            ],
            imported_at=imported["contact_groups"],
        )

    def items(self, org_id: str) -> XeroItemsView:
        """Xero's items, for viewing in the host (seeds 000/001: "export the items from Xero and
        import them … if you want to view them"; F3.10)."""
        reference, imported = self._read_or_import(org_id)
        return XeroItemsView(items=[item_view(i) for i in reference.items], imported_at=imported["items"])

    def tracking_categories(self, org_id: str) -> XeroTrackingCategoriesView:
        reference, imported = self._read_or_import(org_id)
        return XeroTrackingCategoriesView(
            tracking_categories=[tracking_category_view(c) for c in reference.tracking_categories],
            imported_at=imported["tracking_categories"],
        )

    def currencies(self, org_id: str) -> XeroCurrenciesView:
        reference, imported = self._read_or_import(org_id)
        base = reference.base_currency.upper()
        listed = [
            XeroCurrencyView(code=c.Code, description=c.Description, is_base_currency=c.Code.upper() == base)
            for c in reference.currencies
        ]
        if not any(c.is_base_currency for c in listed):
            listed.insert(0, XeroCurrencyView(code=base, description=None, is_base_currency=True))
        return XeroCurrenciesView(base_currency=base, currencies=listed, imported_at=imported["currencies"])
