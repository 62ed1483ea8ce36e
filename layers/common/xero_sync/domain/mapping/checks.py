"""The one check of what the integration picks from Xero: accounts (F2.1, F2.2) and taxes (F2.3).

Both the export mapping (a record about to go to Xero) and the settings service (settings about to
be saved) ask the same questions, so they get the same answers in the same words:

* :func:`check_account` — is the account chosen, in Xero's chart of accounts, active, with a code
  (F2.2), and fit for its use (:class:`AccountNeed`: a bank account for a bank charge, one that
  takes payments for a payment, no bank account on a settings entry)?
* :data:`ACCOUNT_SETTINGS` — every settings entry that names an account, and what it is for; a
  problem names the entry, so the admin knows where to fix it. :func:`check_settings_accounts`
  checks them all when the settings are saved or shown; the export checks the ones a record uses
  (:func:`chosen_account`: a specific entry, else the broader one it falls back to).
* :func:`check_tax_on_account` — does Xero allow the tax rate on the line's account?
* tax mappings and rates (``domain.tax``, re-exported here): :func:`check_tax_mapping` at save
  time, :func:`resolve_line_tax` again at export time (rates change in Xero), :func:`no_tax_rate`
  for untaxed lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from xero_sync.domain.problems import Problem, ProblemCode
from xero_sync.domain.tax import ResolvedTax, check_tax_mapping, resolve_line_tax, zero_tax_rate
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.reference_data import ReferenceData, XeroAccount, XeroTaxRate

__all__ = [
    "ACCOUNT_SETTINGS",
    "AccountNeed",
    "AccountRefused",
    "AccountUse",
    "check_account",
    "check_settings_accounts",
    "check_tax_mapping",
    "check_tax_on_account",
    "chosen_account",
    "no_tax_rate",
    "resolve_line_tax",
    "setting_use",
]

ACCOUNT_SETTINGS: dict[str, str] = {
    "sales_account": "sales lines without an account",
    "purchases_account": "purchase lines without an account",
    "sales_adjustments_account": "discounts, shipping, adjustments and round-off on sales",
    "purchase_adjustments_account": "discounts and adjustments on purchases",
    "inventory_asset_account": "the inventory asset journal",
    "cost_of_goods_sold_account": "cost of goods sold in the inventory journal",
    "write_off_account": "write-offs",
    "bank_charges_account": "bank charges",
    "shipping_account": "shipping charges",
    "rounding_account": "round-off",
}
"""Every settings field that names a Xero account, and what the integration uses it for."""

CHART = "Xero (Accounting → Chart of accounts)"


class AccountNeed(Enum):
    """What a use asks of an account beyond being usable at all."""

    ANY = "any"
    BANK = "bank"  # bank charges are spent from a bank account
    PAYMENTS = "payments"  # payments and refunds: a bank account or one with payments enabled
    NOT_BANK = "not_bank"  # settings entries go on document lines, which Xero refuses on bank accounts


@dataclass(frozen=True)
class AccountUse:
    """One use of an account: ``purpose`` says what for (in messages); ``field`` is the host or
    settings field it came from; ``setting`` the settings entry that chose it, if any."""

    purpose: str
    field: str | None = None
    setting: str | None = None
    need: AccountNeed = AccountNeed.ANY


@dataclass(frozen=True)
class AccountRefused:
    """Why the account cannot be used. ``key`` makes one account used for several purposes one
    problem (None: the problem's code and message)."""

    problem: Problem
    key: tuple[str, ...] | None = None


def setting_use(setting: str, *, read: str | None = None, field: str | None = None) -> AccountUse:
    """The use of the account that ``setting`` is for, read from the entry ``read`` (default: itself)."""
    return AccountUse(purpose=ACCOUNT_SETTINGS[setting], field=field, setting=read or setting)


def chosen_account(
    settings: OrgSettings, setting: str, *, fallback: str | None = None, field: str | None = None
) -> tuple[str | None, AccountUse]:
    """The account a settings entry picks — or, when it picks none, the broader ``fallback``
    entry's — and its use (naming the entry that was read)."""
    chosen: str | None = getattr(settings, setting)
    if not chosen and fallback is not None:
        return getattr(settings, fallback), setting_use(setting, read=fallback, field=field)
    return chosen, setting_use(setting, field=field)


def check_account(
    reference_text: str | None, use: AccountUse, reference: ReferenceData
) -> XeroAccount | AccountRefused:
    """The account ``reference_text`` (a code or an AccountID) names, if Xero can take it for ``use``."""
    if reference_text is None:
        return AccountRefused(_not_configured(use), key=("setting", use.setting or use.purpose))
    account = reference.resolve_account(reference_text)
    if account is None:
        return AccountRefused(_unknown(reference_text, use), key=("account", reference_text))
    unusable = _unusable(account, use)
    if unusable is not None:
        return AccountRefused(unusable, key=("account", account.AccountID))
    unfit = _unfit(account, use)
    return account if unfit is None else AccountRefused(unfit)


def _problem(code: ProblemCode, use: AccountUse, message: str, **params: str) -> Problem:
    return Problem(code=code, message=message, field=use.field, params=params)


def _not_configured(use: AccountUse) -> Problem:
    message = (
        f"No account is chosen for {use.purpose}. Choose one in the Xero integration settings ({use.setting}), "
        "then retry."
    )
    return _problem(ProblemCode.ACCOUNT_NOT_CONFIGURED, use, message, purpose=use.purpose, setting=use.setting or "")


def _unknown(reference_text: str, use: AccountUse) -> Problem:
    where = (
        f"Add it in Xero if it is new, or choose another one in the Xero integration settings ({use.setting})"
        if use.setting
        else f"Give the account the code '{reference_text}' in {CHART}, or use an existing code from Xero's "
        "chart of accounts in the host"
    )
    message = (
        f"Account '{reference_text}' ({use.purpose}) was not found in Xero's chart of accounts. {where}, then retry."
    )
    return _problem(ProblemCode.UNKNOWN_ACCOUNT, use, message, account=reference_text, purpose=use.purpose)


def _unusable(account: XeroAccount, use: AccountUse) -> Problem | None:
    """Archived, or without the code the integration refers to accounts by (F2.2)."""
    if not account.is_active:
        message = (
            f"Account '{account.label}' ({use.purpose}) is {account.Status.lower()} in Xero. Restore it in {CHART} "
            "or choose another account, then retry."
        )
        return _problem(ProblemCode.ARCHIVED_ACCOUNT, use, message, account=account.Name, purpose=use.purpose)
    if not account.Code:
        message = (
            f"Account '{account.Name}' ({use.purpose}) has no code in Xero, and the integration can only use "
            f"accounts with a code. Add a code to it in {CHART}, then retry."
        )
        return _problem(ProblemCode.MISSING_ACCOUNT_CODE, use, message, account=account.Name, purpose=use.purpose)
    return None


def _unfit(account: XeroAccount, use: AccountUse) -> Problem | None:
    """Usable, but not for this use."""
    if use.need is AccountNeed.NOT_BANK and account.is_bank:
        message = (
            f"Account '{account.label}' is a bank account; Xero does not accept bank accounts for {use.purpose}. "
            "Choose a revenue, expense or other non-bank account."
        )
        return _problem(ProblemCode.BANK_ACCOUNT_NOT_ALLOWED, use, message, account=account.label, purpose=use.purpose)
    if use.need is AccountNeed.BANK and not account.is_bank:
        message = (
            f"Account '{account.label}' is not a bank account in Xero, but {use.purpose} must be recorded on a "
            "bank account. Choose a bank account in the host, then retry."
        )
        return _problem(ProblemCode.NOT_A_BANK_ACCOUNT, use, message, account=account.label, purpose=use.purpose)
    if use.need is AccountNeed.PAYMENTS and not account.accepts_payments:
        message = (
            f"Account '{account.label}' cannot take payments in Xero: it is not a bank account and payments are "
            "not enabled on it. Turn on 'Enable payments to this account' in Xero (Accounting → Chart of accounts "
            "→ edit the account), or use a bank account, then retry."
        )
        return _problem(ProblemCode.ACCOUNT_NOT_PAYMENT_ENABLED, use, message, account=account.label)
    return None


def check_settings_accounts(settings: OrgSettings, reference: ReferenceData) -> list[tuple[str, Problem]]:
    """Every account the settings choose, checked as the export will use it — on document lines,
    so never a bank account. Returns (settings entry, problem) pairs; the problem's ``field`` is
    ``settings.<entry>``."""
    problems: list[tuple[str, Problem]] = []
    for setting, purpose in ACCOUNT_SETTINGS.items():
        chosen: str | None = getattr(settings, setting)
        if chosen is None:
            continue
        use = AccountUse(purpose=purpose, field=f"settings.{setting}", setting=setting, need=AccountNeed.NOT_BANK)
        checked = check_account(chosen, use, reference)
        if isinstance(checked, AccountRefused):
            problems.append((setting, checked.problem))
    return problems


def check_tax_on_account(tax: ResolvedTax, account: XeroAccount | None, field: str) -> Problem | None:
    """Xero refuses some rates on some classes of account (sales GST on an expense account)."""
    if account is None or tax.rate.can_apply_to(account.Class) is not False:
        return None
    message = (
        f"Xero does not allow the tax rate '{tax.rate.Name}' ({tax.tax_type}) on account '{account.label}' "
        f"(a {(account.Class or '').lower()} account). Change the tax or the account in the host, or the tax "
        "mapping, then retry."
    )
    return Problem(
        code=ProblemCode.TAX_NOT_ALLOWED_FOR_ACCOUNT,
        message=message,
        field=field,
        params={"tax_type": tax.tax_type, "account": account.label},
    )


def no_tax_rate(settings: OrgSettings, reference: ReferenceData, *, purchases: bool) -> XeroTaxRate | Problem:
    """The rate for untaxed lines: the settings' ``no_tax_type``, else one Xero has (F2.3)."""
    return zero_tax_rate(reference, purchases=purchases, preferred_tax_type=settings.no_tax_type)
