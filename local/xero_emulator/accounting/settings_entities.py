"""The organisation's settings: Organisation, Accounts, TaxRates and Currencies
(xero-facts §6.6–6.8; SPEC ``getOrganisations``, ``getAccounts``, ``createAccount``,
``updateAccount``, ``deleteAccount``, ``getTaxRates``, ``createTaxRates``, ``updateTaxRate``,
``getCurrencies``, ``createCurrency``). Contact groups: contact_groups.py."""

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
from .reference_data import (
    ACCOUNT_CLASS_BY_TYPE,
    CURRENCY_CODES,
    CURRENCY_NAMES,
    REPORT_TAX_TYPES,
    TAX_FLAG_BY_CLASS,
)

if TYPE_CHECKING:
    from .books import Books

Record = dict[str, Any]


def filtered(views: list[Record], ctx: RequestContext, schema: str, id_field: str, modified: bool) -> list[Record]:
    where = ctx.query.get("where")
    if where and where.strip():
        matches = query.compile_where(where, schema)
        views = [v for v in views if matches(v)]
    if modified:
        views = query.modified_since(views, query.parse_if_modified_since(ctx.header("If-Modified-Since")))
    order = ctx.query.get("order")
    if order and order.strip():
        return query.sort_records(views, order, schema, id_field)
    return views


# --- organisation ---------------------------------------------------------------------------------------------


def get_organisation(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return ctx.ok("Organisations", [dict(books.organisation)])


def get_organisation_actions(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """What the organisation's plan allows (SPEC ``getOrganisationActions``): everything."""
    names = (
        "UseMulticurrency",
        "CreateApprovedInvoice",
        "CreateDraftInvoice",
        "CreateApprovedBill",
        "CreateDraftBill",
        "CreateApprovedPayment",
        "CreateSpendMoney",
        "CreateReceiveMoney",
        "CreateContact",
        "AttachFileToInvoice",
    )
    return ctx.ok("Actions", [{"Name": name, "Status": "ALLOWED"} for name in names])


# --- accounts (§6.6) --------------------------------------------------------------------------------------------


def render_account(account: Record) -> Record:
    view = {key: value for key, value in account.items() if key != "CreatedDateUTC"}
    view["HasAttachments"] = False
    return view


def list_accounts(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """GET /Accounts: ACTIVE and ARCHIVED accounts (deleted ones are gone), ``where``, ``order``,
    ``If-Modified-Since``; chart order (by Code) unless ``order`` says otherwise."""
    accounts = [a for a in books.accounts.values() if a["Status"] != "DELETED"]
    accounts.sort(key=lambda a: (a.get("Code") is None, a.get("Code") or "", a["Name"]))
    views = filtered([render_account(a) for a in accounts], ctx, "Account", "AccountID", modified=True)
    return ctx.ok("Accounts", views)


def get_account(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    account = books.accounts.get(normalise_guid(segments[1])) if is_guid(segments[1]) else None
    if account is None:
        raise not_found()
    return ctx.ok("Accounts", [render_account(account)])


def create_account(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /Accounts takes ONE account; a list is silently cut to its first element (§3.1)."""
    element = elements_of(ctx.request.body, "Accounts")[0]
    return run_batch(
        ctx,
        [element],
        lambda e: _save_account(books, ctx, e, None),
        "Accounts",
        None,
        summarize=True,
        status_attribute=False,
    )


def update_account(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """POST /Accounts/{AccountID}: e.g. add a missing Code, rename, archive."""
    account = books.accounts.get(normalise_guid(segments[1])) if is_guid(segments[1]) else None
    if account is None or account["Status"] == "DELETED":
        raise not_found()
    element = elements_of(ctx.request.body, "Accounts")[0]
    return run_batch(
        ctx,
        [element],
        lambda e: _save_account(books, ctx, e, account),
        "Accounts",
        None,
        summarize=True,
        status_attribute=False,
    )


def delete_account(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """DELETE /Accounts/{AccountID}: only accounts never used; system accounts never."""
    account = books.accounts.get(normalise_guid(segments[1])) if is_guid(segments[1]) else None
    if account is None or account["Status"] == "DELETED":
        raise not_found()
    problems = Problems()
    if account.get("SystemAccount"):
        problems.add(messages.ACCOUNT_SYSTEM.format(name=account["Name"], action="deleted"))
    elif books.account_in_use(account["AccountID"]):
        problems.add(messages.ACCOUNT_IN_USE.format(name=account["Name"]))
    if problems:
        element = render_account(account) | {"ValidationErrors": [{"Message": m} for m in problems]}
        return AccountingResponse(400, wire.validation_exception([element]), {}, ctx.events)
    account["Status"] = "DELETED"
    account["UpdatedDateUTC"] = ctx.now
    return ctx.ok("Accounts", [render_account(account)])


def _save_account(books: Books, ctx: RequestContext, element: Element, existing: Record | None) -> Saved:
    problems = Problems()
    creating = existing is None
    draft: Record = (
        copy.deepcopy(existing)
        if existing
        else {
            "AccountID": books.ids.new("account"),
            "Status": "ACTIVE",
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": False,
            "CreatedDateUTC": ctx.now,
        }
    )
    system = bool(draft.get("SystemAccount"))

    if element.has("Code"):
        code = (read_str(element, "Code", problems) or "").strip()
        if len(code) > 10:
            problems.add(messages.ACCOUNT_CODE_TOO_LONG)
        draft["Code"] = code or None
    if element.has("Name") or creating:
        name = (read_str(element, "Name", problems, max_length=150) or "").strip()
        if not name:
            problems.add(messages.ACCOUNT_NAME_REQUIRED)
        draft["Name"] = name or draft.get("Name")
    if element.present("Type") or creating:
        account_type = str(element.get("Type") or "").strip().upper()
        if account_type not in ACCOUNT_CLASS_BY_TYPE:
            problems.add(messages.ACCOUNT_TYPE_INVALID.format(value=element.get("Type")))
        elif not creating and account_type != draft["Type"]:
            if system:
                problems.add(messages.ACCOUNT_SYSTEM.format(name=draft["Name"], action="changed to another Type"))
            elif "BANK" in (account_type, draft["Type"]):
                problems.add(messages.ACCOUNT_BANK_TYPE_CHANGE)
            else:
                draft["Type"] = account_type
        else:
            draft["Type"] = account_type
    if draft.get("Type"):
        draft["Class"] = ACCOUNT_CLASS_BY_TYPE[draft["Type"]]
    if element.has("Status") and not creating:
        status = str(element.get("Status") or "").strip().upper()
        if status not in ("ACTIVE", "ARCHIVED"):
            problems.add(messages.ACCOUNT_STATUS_INVALID.format(value=element.get("Status")))
        elif system and status != "ACTIVE":
            problems.add(messages.ACCOUNT_SYSTEM.format(name=draft["Name"], action="archived"))
        else:
            draft["Status"] = status
    for field, limit in (("Description", 4000), ("ReportingCode", 50), ("BankAccountNumber", 50)):
        if element.has(field):
            draft[field] = read_str(element, field, problems, max_length=limit)
    for field in ("EnablePaymentsToAccount", "ShowInExpenseClaims", "AddToWatchlist"):
        if element.present(field):
            draft[field] = bool(read_bool(element, field, problems))
    if element.present("TaxType"):
        draft["TaxType"] = str(element.get("TaxType")).strip()
    _bank_details(books, element, draft, creating, problems)
    _account_tax_type(books, draft, problems)
    _account_unique(books, draft, problems)

    if problems:
        echo = {key: value for key, value in draft.items() if key != "CreatedDateUTC"}
        if creating:
            echo["AccountID"] = wire.ZERO_GUID
        raise ElementInvalid(list(problems), echo)
    draft["UpdatedDateUTC"] = ctx.now
    books.accounts[draft["AccountID"]] = draft
    return Saved(render_account(draft))


def _bank_details(books: Books, element: Element, draft: Record, creating: bool, problems: Problems) -> None:
    if draft.get("Type") != "BANK":
        return
    if creating and not draft.get("BankAccountNumber"):
        problems.add(messages.ACCOUNT_BANK_NUMBER_REQUIRED)
    if element.present("BankAccountType") or creating:
        kind = str(element.get("BankAccountType") or "BANK").strip().upper()
        if kind not in ("BANK", "CREDITCARD", "PAYPAL"):
            problems.add(
                f"BankAccountType {element.get('BankAccountType')} is not valid. Use BANK, CREDITCARD or PAYPAL."
            )
        draft["BankAccountType"] = kind
    if element.present("CurrencyCode") or creating:
        code = str(element.get("CurrencyCode") or books.base_currency).strip().upper()
        if code not in books.currencies:
            problems.add(messages.CURRENCY_NOT_SUBSCRIBED.format(code=code))
        draft["CurrencyCode"] = code


def _account_tax_type(books: Books, draft: Record, problems: Problems) -> None:
    tax_type = draft.get("TaxType")
    if not tax_type:
        return
    rate = books.tax_rate(tax_type)
    if rate is None or rate["Status"] != "ACTIVE":
        problems.add(messages.TAX_TYPE_INVALID.format(tax_type=tax_type))
        return
    draft["TaxType"] = rate["TaxType"]
    if draft.get("Class") and not rate[TAX_FLAG_BY_CLASS[draft["Class"]]]:
        problems.add(
            messages.TAX_TYPE_NOT_FOR_ACCOUNT.format(
                tax_type=rate["TaxType"], code=draft.get("Code") or draft.get("Name")
            )
        )


def _account_unique(books: Books, draft: Record, problems: Problems) -> None:
    for other in books.accounts.values():
        if other["AccountID"] == draft["AccountID"] or other["Status"] == "DELETED":
            continue
        if draft.get("Code") and (other.get("Code") or "").upper() == draft["Code"].upper():
            problems.add(messages.ACCOUNT_CODE_NOT_UNIQUE)
        if draft.get("Name") and other["Name"].lower() == draft["Name"].lower():
            problems.add(messages.ACCOUNT_NAME_NOT_UNIQUE)


# --- tax rates (§6.7) --------------------------------------------------------------------------------------------


def render_tax_rate(rate: Record) -> Record:
    components = [money.Component(c["Rate"], bool(c.get("IsCompound"))) for c in rate["TaxComponents"]]
    return {
        "Name": rate["Name"],
        "TaxType": rate["TaxType"],
        "ReportTaxType": rate.get("ReportTaxType"),
        "CanApplyToAssets": rate["CanApplyToAssets"],
        "CanApplyToEquity": rate["CanApplyToEquity"],
        "CanApplyToExpenses": rate["CanApplyToExpenses"],
        "CanApplyToLiabilities": rate["CanApplyToLiabilities"],
        "CanApplyToRevenue": rate["CanApplyToRevenue"],
        "DisplayTaxRate": money.display_rate(components),
        "EffectiveRate": money.effective_rate(components),
        "Status": rate["Status"],
        "TaxComponents": [
            {
                "Name": c["Name"],
                "Rate": c["Rate"],
                "IsCompound": bool(c.get("IsCompound")),
                "IsNonRecoverable": bool(c.get("IsNonRecoverable")),
            }
            for c in rate["TaxComponents"]
        ],
    }


def list_tax_rates(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    views = filtered([render_tax_rate(r) for r in books.tax_rates.values()], ctx, "TaxRate", "TaxType", modified=False)
    return ctx.ok("TaxRates", views)


def get_tax_rate(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    rate = books.tax_rate(segments[1])
    if rate is None:
        raise not_found()
    return ctx.ok("TaxRates", [render_tax_rate(rate)])


def create_tax_rates(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /TaxRates: new user rates get TaxType TAX001, TAX002 … (§6.7)."""
    elements = elements_of(ctx.request.body, "TaxRates")
    return run_batch(
        ctx,
        elements,
        lambda e: _save_tax_rate(books, ctx, e, None),
        "TaxRates",
        None,
        summarize=True,
        status_attribute=False,
    )


def update_tax_rates(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """POST /TaxRates: updates the rate named by TaxType (or Name); others are created."""
    elements = elements_of(ctx.request.body, "TaxRates")

    def process(element: Element) -> Saved:
        existing = books.tax_rate(str(element.get("TaxType"))) if element.present("TaxType") else None
        if existing is None and element.present("TaxType"):
            message = messages.TAX_RATE_NOT_FOUND.format(tax_type=element.get("TaxType"))
            raise ElementInvalid([message], _tax_echo(element))
        if existing is None and isinstance(element.get("Name"), str):
            existing = next(
                (r for r in books.tax_rates.values() if r["Name"].lower() == element.get("Name").strip().lower()), None
            )
        return _save_tax_rate(books, ctx, element, existing)

    return run_batch(ctx, elements, process, "TaxRates", None, summarize=True, status_attribute=False)


def _save_tax_rate(books: Books, ctx: RequestContext, element: Element, existing: Record | None) -> Saved:
    problems = Problems()
    creating = existing is None
    draft: Record = copy.deepcopy(existing) if existing else {"TaxType": None, "Status": "ACTIVE", "System": False}
    if not creating and draft.get("System") and (element.has("TaxComponents") or element.has("Name")):
        raise ElementInvalid([messages.TAX_RATE_SYSTEM.format(tax_type=draft["TaxType"])], render_tax_rate(draft))

    if element.has("Name") or creating:
        name = (read_str(element, "Name", problems, max_length=50) or "").strip()
        if not name:
            problems.add(messages.TAX_RATE_NAME_REQUIRED)
        draft["Name"] = name
    if element.present("ReportTaxType"):
        report = str(element.get("ReportTaxType")).strip().upper()
        if report not in REPORT_TAX_TYPES:
            problems.add(f"ReportTaxType {element.get('ReportTaxType')} is not valid.")
        draft["ReportTaxType"] = report
    elif creating and books.organisation.get("Version") in ("AU", "NZ", "UK"):
        problems.add(messages.TAX_RATE_REPORT_TYPE_REQUIRED.format(version=books.organisation["Version"]))
    if element.has("Status") and not creating:
        status = str(element.get("Status") or "").strip().upper()
        if status not in ("ACTIVE", "ARCHIVED", "DELETED"):
            problems.add(messages.TAX_RATE_STATUS.format(value=element.get("Status")))
        else:
            draft["Status"] = status
    components = element.children("TaxComponents")
    if components is not None or creating:
        draft["TaxComponents"] = _read_components(components or [], problems)
    for other in books.tax_rates.values():
        if other["TaxType"] != draft["TaxType"] and other["Status"] != "DELETED" and draft.get("Name"):
            if other["Name"].lower() == draft["Name"].lower():
                problems.add(messages.TAX_RATE_NAME_NOT_UNIQUE.format(name=draft["Name"]))

    if problems:
        echo = {"Name": draft.get("Name"), "TaxType": draft.get("TaxType"), "Status": draft.get("Status")}
        echo["TaxComponents"] = [
            {"Name": c["Name"], "Rate": c["Rate"], "IsCompound": c["IsCompound"]}
            for c in draft.get("TaxComponents", [])
        ]
        raise ElementInvalid(list(problems), echo)

    if creating:
        draft["TaxType"] = _next_tax_type(books)
        draft.update(_applicability(draft.get("ReportTaxType")))
    books.tax_rates[draft["TaxType"]] = draft
    return Saved(render_tax_rate(draft))


def _read_components(components: list[Element], problems: Problems) -> list[Record]:
    if not components:
        problems.add(messages.TAX_RATE_COMPONENTS_REQUIRED)
    result = []
    for component in components:
        name = (read_str(component, "Name", problems, max_length=50) or "").strip() or "Tax"
        rate = read_decimal(component, "Rate", problems)
        if rate is None or not (money.ZERO <= rate <= money.HUNDRED) or rate != money.round_rate(rate):
            problems.add(messages.TAX_RATE_COMPONENT_RATE)
            rate = money.ZERO
        result.append(
            {
                "Name": name,
                "Rate": rate,
                "IsCompound": bool(read_bool(component, "IsCompound", problems)),
                "IsNonRecoverable": bool(read_bool(component, "IsNonRecoverable", problems)),
            }
        )
    return result


def _next_tax_type(books: Books) -> str:
    number = 1
    while f"TAX{number:03d}" in books.tax_rates:
        number += 1
    return f"TAX{number:03d}"


def _applicability(report_tax_type: str | None) -> dict[str, bool]:
    """Which accounts a user-created rate may be used on, from what it reports as: sales rates on
    revenue, purchase rates on expenses; both on balance-sheet accounts."""
    report = report_tax_type or ""
    is_sales = "OUTPUT" in report or "SALES" in report
    is_purchase = "INPUT" in report or "EXPENSE" in report or "PURCHASE" in report
    return {
        "CanApplyToAssets": True,
        "CanApplyToEquity": True,
        "CanApplyToLiabilities": True,
        "CanApplyToRevenue": is_sales or not is_purchase,
        "CanApplyToExpenses": is_purchase or not is_sales,
    }


def _tax_echo(element: Element) -> Record:
    return {
        "Name": element.get("Name") if isinstance(element.get("Name"), str) else None,
        "TaxType": str(element.get("TaxType")),
    }


# --- currencies (§6.8) --------------------------------------------------------------------------------------------


def list_currencies(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    views = filtered([dict(c) for c in books.currencies.values()], ctx, "Currency", "Code", modified=False)
    return ctx.ok("Currencies", views)


def create_currency(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /Currencies: subscribe the organisation to one more currency (single object)."""
    element = elements_of(ctx.request.body, "Currencies")[0]

    def process(_: Element) -> Saved:
        code = str(element.get("Code") or "").strip().upper()
        if code not in CURRENCY_CODES:
            raise ElementInvalid([messages.CURRENCY_CODE_INVALID.format(code=code or "(none)")], {})
        if code not in books.currencies:
            description = element.get("Description")
            books.currencies[code] = {
                "Code": code,
                "Description": CURRENCY_NAMES.get(code) or (description if isinstance(description, str) else code),
            }
        return Saved(dict(books.currencies[code]))

    return run_batch(ctx, [element], process, "Currencies", None, summarize=True, status_attribute=False)
