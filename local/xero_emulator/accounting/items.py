"""Items (SPEC ``getItems``, ``getItem``, ``createItems``, ``updateOrCreateItems``, ``updateItem``,
``deleteItem``; schemas ``Item`` and ``Purchase``), and what an ``ItemCode`` on a line brings.

Rules (SPEC field limits; the texts are the emulator's own unless messages.py marks them Xero's):
``Code`` required, unique (without regard to case), at most 30 characters; ``Name`` ≤ 50;
``Description`` / ``PurchaseDescription`` ≤ 4000. ``SalesDetails`` / ``PurchaseDetails`` carry
``UnitPrice`` (2 dp, 4 with ``unitdp=4``), an ``AccountCode`` that must be usable on lines and a
``TaxType`` that must be active and allowed on that account. ``IsSold: false`` clears Description
and SalesDetails, ``IsPurchased: false`` PurchaseDescription and PurchaseDetails (SPEC). A tracked
item (``IsTrackedAsInventory``, or an ``InventoryAssetAccountCode``) needs an INVENTORY account
and ``PurchaseDetails.COGSAccountCode``; its purchases post to the inventory account, so a
PurchaseDetails.AccountCode is dropped ("not applicable to tracked items", SPEC). Stock levels are
not emulated: QuantityOnHand and TotalCostPool stay 0.

GET /Items has no paging (SPEC: ``where``, ``order``, ``If-Modified-Since``, ``unitdp`` only);
items are listed by Code. GET/POST/DELETE /Items/{id} take the ItemID or the Code. POST /Items
updates the item whose ItemID or Code an element names, and creates the others.

On a line (lines.py) a known ``ItemCode`` fills what the line leaves out — Description, UnitAmount,
AccountCode, TaxType — from the item's sales side on sales documents (ACCREC, ACCRECCREDIT,
RECEIVE) and its purchase side on purchase documents (ACCPAY, ACCPAYCREDIT, SPEND; a tracked
item's account there is its inventory account); fields the line sends win. Reads show the line's
``Item`` {ItemID, Name, Code}. An unknown code is refused: "Item code 'X' is not valid".
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingResponse
from . import messages, money, query, wire
from .batch import Saved, run_batch
from .context import RequestContext
from .errors import ElementInvalid, not_found
from .ids import is_guid, normalise_guid
from .parsing import Element, Problems, elements_of, read_bool, read_decimal, read_str
from .reference_data import SYSTEM_ACCOUNTS_NOT_FOR_LINES, TAX_FLAG_BY_CLASS

if TYPE_CHECKING:
    from .books import Books

Record = dict[str, Any]

MAX_CODE = 30
MAX_NAME = 50
MAX_DESCRIPTION = 4000


# --- handlers ------------------------------------------------------------------------------------------


def list_items(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    views = [render_item(item, ctx.unitdp) for item in sorted(books.items.values(), key=lambda i: i["Code"].lower())]
    where = ctx.query.get("where")
    if where and where.strip():
        matches = query.compile_where(where, "Item")
        views = [v for v in views if matches(v)]
    views = query.modified_since(views, query.parse_if_modified_since(ctx.header("If-Modified-Since")))
    order = ctx.query.get("order")
    if order and order.strip():
        views = query.sort_records(views, order, "Item", "ItemID")
    return ctx.ok("Items", views)


def get_item(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    item = find(books, segments[1])
    if item is None:
        raise not_found()
    return ctx.ok("Items", [render_item(item, ctx.unitdp)])


def create_items(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /Items: create only; a Code already used is an error."""
    elements = elements_of(ctx.request.body, "Items")
    return run_batch(ctx, elements, lambda e: _save(books, ctx, e, None), "Items", None)


def upsert_items(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """POST /Items: an element naming an existing ItemID or Code updates that item."""
    elements = elements_of(ctx.request.body, "Items")

    def process(element: Element) -> Saved:
        existing = None
        if element.present("ItemID"):
            existing = find(books, str(element.get("ItemID")))
            if existing is None:
                message = messages.EXISTING_NOT_FOUND.format(kind="Item", id_field="ItemID")
                raise ElementInvalid([message], _echo(element))
        elif isinstance(element.get("Code"), str):
            existing = by_code(books, element.get("Code"))
        return _save(books, ctx, element, existing)

    return run_batch(ctx, elements, process, "Items", None)


def update_item(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    item = find(books, segments[1])
    if item is None:
        raise not_found()
    elements = elements_of(ctx.request.body, "Items")[:1]
    return run_batch(ctx, elements, lambda e: _save(books, ctx, e, item), "Items", None)


def delete_item(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """DELETE /Items/{ItemID}: 204. Documents keep the ItemCode text of their lines."""
    item = find(books, segments[1])
    if item is None:
        raise not_found()
    del books.items[item["ItemID"]]
    return AccountingResponse(204, None, {}, ctx.events)


# --- look-ups ------------------------------------------------------------------------------------------


def find(books: Books, key: str) -> Record | None:
    if is_guid(key):
        return books.items.get(normalise_guid(key))
    return by_code(books, key)


def by_code(books: Books, code: str) -> Record | None:
    wanted = code.strip().lower()
    return next((item for item in books.items.values() if item["Code"].lower() == wanted), None)


# --- saving --------------------------------------------------------------------------------------------


def _save(books: Books, ctx: RequestContext, element: Element, existing: Record | None) -> Saved:
    problems = Problems()
    creating = existing is None
    draft: Record = (
        copy.deepcopy(existing)
        if existing
        else {
            "ItemID": books.ids.new("item"),
            "Code": "",
            "IsSold": True,
            "IsPurchased": True,
            "IsTrackedAsInventory": False,
            "SalesDetails": {},
            "PurchaseDetails": {},
        }
    )
    if element.has("Code") or creating:
        code = (read_str(element, "Code", problems, max_length=MAX_CODE) or "").strip()
        if not code:
            problems.add(messages.ITEM_CODE_REQUIRED)
        draft["Code"] = code or draft["Code"]
    for field, limit in (
        ("Name", MAX_NAME),
        ("Description", MAX_DESCRIPTION),
        ("PurchaseDescription", MAX_DESCRIPTION),
    ):
        if element.has(field):
            draft[field] = read_str(element, field, problems, max_length=limit)
    for field in ("IsSold", "IsPurchased"):
        if element.present(field):
            draft[field] = bool(read_bool(element, field, problems))
    for side in ("SalesDetails", "PurchaseDetails"):
        details = element.child(side)
        if details is not None:
            draft[side] = _read_details(books, ctx, details, dict(draft[side]), side, problems)
    _read_inventory(books, element, draft, problems)
    if not draft["IsSold"]:
        draft["Description"], draft["SalesDetails"] = None, {}
    if not draft["IsPurchased"]:
        draft["PurchaseDescription"], draft["PurchaseDetails"] = None, {}
    if draft["Code"]:
        other = by_code(books, draft["Code"])
        if other is not None and other["ItemID"] != draft["ItemID"]:
            problems.add(messages.ITEM_CODE_NOT_UNIQUE.format(code=draft["Code"]))

    if problems:
        echo = render_item(draft, 4)
        if creating:
            echo["ItemID"] = wire.ZERO_GUID
        raise ElementInvalid(list(problems), echo)
    if creating or draft != existing:  # a save that changes nothing keeps UpdatedDateUTC
        draft["UpdatedDateUTC"] = ctx.now
    books.items[draft["ItemID"]] = draft
    return Saved(render_item(draft, ctx.unitdp))


def _read_details(
    books: Books, ctx: RequestContext, element: Element, stored: Record, side: str, problems: Problems
) -> Record:
    if element.has("UnitPrice"):
        price = read_decimal(element, "UnitPrice", problems)
        stored["UnitPrice"] = None if price is None else money.round_unit_amount(price, ctx.unitdp)
    fields = ("AccountCode", "COGSAccountCode") if side == "PurchaseDetails" else ("AccountCode",)
    for field in fields:
        if element.has(field):
            stored[field] = (read_str(element, field, problems) or "").strip() or None
    if element.has("TaxType"):
        stored["TaxType"] = (read_str(element, "TaxType", problems) or "").strip() or None
    account = None
    if stored.get("AccountCode"):
        account = books.account_by_code(stored["AccountCode"])
        if account is None or not _usable(account):
            problems.add(messages.ACCOUNT_CODE_INVALID.format(code=stored["AccountCode"]))
            account = None
        else:
            stored["AccountCode"] = account["Code"]
    if stored.get("COGSAccountCode"):
        cogs = books.account_by_code(stored["COGSAccountCode"])
        if cogs is None or not _usable(cogs) or cogs["Class"] != "EXPENSE":
            problems.add(messages.ITEM_COGS_ACCOUNT_INVALID.format(code=stored["COGSAccountCode"]))
        else:
            stored["COGSAccountCode"] = cogs["Code"]
    if stored.get("TaxType"):
        rate = books.tax_rate(stored["TaxType"])
        if rate is None or rate["Status"] != "ACTIVE":
            problems.add(messages.TAX_TYPE_INVALID.format(tax_type=stored["TaxType"]))
        else:
            stored["TaxType"] = rate["TaxType"]
            if account is not None and not rate[TAX_FLAG_BY_CLASS[account["Class"]]]:
                problems.add(messages.TAX_TYPE_NOT_FOR_ACCOUNT.format(tax_type=rate["TaxType"], code=account["Code"]))
    return {key: value for key, value in stored.items() if value is not None}


def _read_inventory(books: Books, element: Element, draft: Record, problems: Problems) -> None:
    if element.has("InventoryAssetAccountCode"):
        draft["InventoryAssetAccountCode"] = (
            read_str(element, "InventoryAssetAccountCode", problems) or ""
        ).strip() or None
    wants = read_bool(element, "IsTrackedAsInventory", problems) if element.present("IsTrackedAsInventory") else None
    if wants is False:
        draft["IsTrackedAsInventory"] = False
        draft.pop("InventoryAssetAccountCode", None)
        draft["PurchaseDetails"].pop("COGSAccountCode", None)
        return
    if not (wants or draft.get("InventoryAssetAccountCode") or draft["IsTrackedAsInventory"]):
        return
    draft["IsTrackedAsInventory"] = True
    code = draft.get("InventoryAssetAccountCode")
    if not code:
        problems.add(messages.ITEM_INVENTORY_ACCOUNT_REQUIRED)
    else:
        account = books.account_by_code(code)
        if account is None or account["Type"] != "INVENTORY" or account["Status"] != "ACTIVE":
            problems.add(messages.ITEM_INVENTORY_ACCOUNT_INVALID.format(code=code))
        else:
            draft["InventoryAssetAccountCode"] = account["Code"]
    if not draft["PurchaseDetails"].get("COGSAccountCode"):
        problems.add(messages.ITEM_COGS_REQUIRED)
    draft["PurchaseDetails"].pop("AccountCode", None)  # purchases of a tracked item post to inventory


def _usable(account: Record) -> bool:
    return (
        account["Status"] == "ACTIVE"
        and account["Type"] != "BANK"
        and account.get("SystemAccount") not in SYSTEM_ACCOUNTS_NOT_FOR_LINES
    )


def _echo(element: Element) -> Record:
    code = element.get("Code")
    return {"Code": code if isinstance(code, str) else ""}


# --- rendering -----------------------------------------------------------------------------------------


def render_item(item: Record, unitdp: int) -> Record:
    def details(side: str) -> Record:
        shown = dict(item.get(side) or {})
        if shown.get("UnitPrice") is not None:
            shown["UnitPrice"] = money.round_unit_amount(shown["UnitPrice"], unitdp)
        return shown

    view: Record = {
        "ItemID": item["ItemID"],
        "Code": item["Code"],
        "Description": item.get("Description"),
        "PurchaseDescription": item.get("PurchaseDescription"),
        "UpdatedDateUTC": item.get("UpdatedDateUTC"),
        "PurchaseDetails": details("PurchaseDetails"),
        "SalesDetails": details("SalesDetails"),
        "Name": item.get("Name"),
        "IsTrackedAsInventory": item["IsTrackedAsInventory"],
        "IsSold": item["IsSold"],
        "IsPurchased": item["IsPurchased"],
    }
    if item["IsTrackedAsInventory"]:
        view["InventoryAssetAccountCode"] = item.get("InventoryAssetAccountCode")
        view["TotalCostPool"] = money.ZERO
        view["QuantityOnHand"] = money.ZERO
    return view


# --- items on lines ---------------------------------------------------------------------------------------


def line_defaults(books: Books, code: str, side: str, problems: Problems) -> Record:
    """What a line naming ``code`` takes from the item when it does not send it itself:
    ``{"Description", "UnitAmount", "AccountCode", "TaxType"}`` (only those the item has)."""
    item = by_code(books, code)
    if item is None:
        problems.add(messages.ITEM_CODE_INVALID.format(code=code))
        return {}
    if side == "sales":
        details, description = item.get("SalesDetails") or {}, item.get("Description")
        account = details.get("AccountCode")
    else:
        details, description = item.get("PurchaseDetails") or {}, item.get("PurchaseDescription")
        account = item.get("InventoryAssetAccountCode") if item["IsTrackedAsInventory"] else details.get("AccountCode")
    defaults = {
        "Description": description,
        "UnitAmount": details.get("UnitPrice"),
        "AccountCode": account,
        "TaxType": details.get("TaxType"),
    }
    return {key: value for key, value in defaults.items() if value is not None}


def line_item_reference(books: Books | None, code: str | None) -> Record | None:
    """The ``Item`` shown on a line: ``{ItemID, Name, Code}`` of the item its ItemCode names."""
    if books is None or not code:
        return None
    item = by_code(books, code)
    if item is None:
        return None
    return {"ItemID": item["ItemID"], "Name": item.get("Name"), "Code": item["Code"]}
