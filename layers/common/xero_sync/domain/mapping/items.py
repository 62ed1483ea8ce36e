"""Items (F3.10, seed 002 "Products"): the host's item → a Xero Item keyed by its code.

code → ``Code`` (never empty: refused at the door), name → ``Name`` (default: the code),
description / purchase description, sold / purchased → ``IsSold`` / ``IsPurchased``, the sales
and purchase price, account and tax (through the tax mapping) → ``SalesDetails`` /
``PurchaseDetails``. A tracked item is tracked as inventory on the settings' inventory asset
account, its purchases coded to its cost of goods sold account (Xero's rule for tracked items).
"""

from __future__ import annotations

from decimal import Decimal

from xero_sync.domain.mapping.base import Mapped, MappingContext
from xero_sync.domain.mapping.checks import AccountUse
from xero_sync.domain.mapping.collector import Collector
from xero_sync.domain.mapping.overrides import apply_overrides
from xero_sync.models.host_items import Item
from xero_sync.models.records import EntityName
from xero_sync.models.reference_data import XeroAccount
from xero_sync.models.xero_payloads import LineAmountType, XeroItemDetailsPayload, XeroItemPayload


def map_item(item: Item, ctx: MappingContext, *, host_id: str) -> Mapped[XeroItemPayload]:
    c = Collector(ctx)
    sales = _details(c, item, purchases=False) if item.sold else None
    purchases = _details(c, item, purchases=True) if item.purchased or item.tracked else None
    asset = c.setting_account("inventory_asset_account", field="tracked") if item.tracked else None
    payload = None
    if not c.problems:
        payload = XeroItemPayload(
            Code=item.code,
            Name=item.name or item.code,
            Description=item.description,
            PurchaseDescription=item.purchase_description,
            IsSold=item.sold,
            IsPurchased=item.purchased or item.tracked,
            IsTrackedAsInventory=True if item.tracked else None,
            InventoryAssetAccountCode=asset.Code if asset is not None else None,
            SalesDetails=sales,
            PurchaseDetails=purchases,
        )
        payload = apply_overrides(payload, item, EntityName.ITEM, ctx.settings, c)
    return c.result(payload)


def _details(c: Collector, item: Item, *, purchases: bool) -> XeroItemDetailsPayload | None:
    """One side of the item: its price, account and tax, each only when the host gives it (or
    the settings do, for the account)."""
    side = "purchase" if purchases else "sales"
    price: Decimal | None = getattr(item, f"{side}_price")
    code: str | None = getattr(item, f"{side}_account")
    tax_id: str | None = getattr(item, f"{side}_tax_id")
    account = _account(c, item, code, purchases=purchases)
    tax_type = None
    if tax_id is not None:
        tax_type, _ = c.line_tax(
            tax_id, account, amounts=LineAmountType.EXCLUSIVE, purchases=purchases, field=f"{side}_tax_id"
        )
    if price is None and account is None and tax_type is None:
        return None
    account_code = account.Code if account is not None else None
    tracked_purchases = purchases and item.tracked
    return XeroItemDetailsPayload(
        UnitPrice=price,
        AccountCode=None if tracked_purchases else account_code,
        COGSAccountCode=account_code if tracked_purchases else None,
        TaxType=tax_type,
    )


def _account(c: Collector, item: Item, code: str | None, *, purchases: bool) -> XeroAccount | None:
    side = "purchase" if purchases else "sales"
    if code is not None:
        return c.account(code, AccountUse(purpose=f"the item's {side}", field=f"{side}_account"))
    if purchases and item.tracked:  # Xero needs a cost of goods sold account for a tracked item
        return c.setting_account("cost_of_goods_sold_account", fallback="purchases_account", field="purchase_account")
    return None
