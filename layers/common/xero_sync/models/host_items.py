"""The host's item (product) record (SPEC F3.10, seed 002 "Products": "The Part number in Zoho
CRM and Item number in Xero should not be an empty value"): exported to Xero Items, keyed by
``code``, when the org's items module is on (``settings.export.items``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from xero_sync.models.fields import (
    CustomFields,
    HostModel,
    ItemCode,
    OptionalAccountCode,
    OptionalTaxId,
    Text3700,
    UnitRate,
)

ItemName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class Item(HostModel):
    code: ItemCode = Field(description="The part number / item code: Xero's Item Code, the item's key. Never empty.")
    name: ItemName | None = Field(default=None, description="At most 50 characters (Xero). Default: the code.")
    description: Text3700 = Field(default=None, description="Sales description, shown on invoice lines.")
    purchase_description: Text3700 = None
    sales_price: UnitRate | None = None
    sales_account: OptionalAccountCode = Field(
        default=None, description="The account Xero codes a sales line of the item to when the line names none."
    )
    sales_tax_id: OptionalTaxId = None
    purchase_price: UnitRate | None = None
    purchase_account: OptionalAccountCode = Field(
        default=None,
        description="The account Xero codes a purchase line of the item to. For a tracked item: its cost of goods "
        "sold account (an expense account; default: the settings' cost_of_goods_sold_account).",
    )
    purchase_tax_id: OptionalTaxId = None
    sold: bool = Field(default=True, description="Xero's IsSold: the item can be sold.")
    purchased: bool = Field(default=True, description="Xero's IsPurchased: the item can be bought.")
    tracked: bool = Field(
        default=False,
        description="Tracked as inventory in Xero (on the settings' inventory_asset_account). Xero then keeps the "
        "item's quantity and cost itself; the daily inventory journal is for untracked items.",
    )
    custom_fields: CustomFields = Field(default_factory=dict)
