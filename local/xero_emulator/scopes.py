"""OAuth scopes: which scopes exist, and which scope guards which Accounting API endpoint.

Xero is migrating from broad scopes (``accounting.transactions``) to granular ones
(``accounting.invoices``, ``accounting.payments`` ...), xero-facts §1.4. A token is accepted for an
endpoint when it holds any one of the scopes that guard it: the broad scope, the granular scope,
and for reads (GET) their ``.read`` twins.
"""

from __future__ import annotations

from dataclasses import dataclass

OFFLINE_ACCESS = "offline_access"
OPENID_SCOPES = frozenset({"openid", "profile", "email"})

# The broad scopes of the OpenAPI document (securitySchemes.OAuth2) that new apps can no longer
# request (xero-facts §1.4: apps created on/after 2 Mar 2026).
BROAD_ONLY_SCOPES = frozenset(
    {
        "accounting.transactions",
        "accounting.transactions.read",
        "accounting.reports.read",
    }
)

_READ_WRITE_SCOPES = (
    # broad (OpenAPI document) and unchanged ones
    "accounting.transactions",
    "accounting.contacts",
    "accounting.settings",
    "accounting.attachments",
    # granular replacements for accounting.transactions (xero-facts §1.4)
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
    "accounting.manualjournals",
    "accounting.classicexpenses",
)
_READ_ONLY_SCOPES = (
    "accounting.journals.read",
    "accounting.reports.read",
    "accounting.reports.tenninetynine.read",
    "accounting.budgets.read",
    "accounting.reports.aged.read",
    "accounting.reports.balancesheet.read",
    "accounting.reports.profitandloss.read",
    "accounting.reports.trialbalance.read",
    "accounting.reports.banksummary.read",
    "accounting.reports.budgetsummary.read",
    "accounting.reports.executivesummary.read",
    "accounting.reports.taxreports.read",
)

KNOWN_SCOPES: frozenset[str] = frozenset(
    {OFFLINE_ACCESS, "paymentservices", *OPENID_SCOPES, *_READ_ONLY_SCOPES}
    | {s for base in _READ_WRITE_SCOPES for s in (base, base + ".read")}
)


@dataclass(frozen=True)
class ScopeProblem:
    """Why a requested scope string cannot be granted (→ ``error=invalid_scope``)."""

    scope: str
    reason: str


def parse_scope(raw: str | None) -> list[str]:
    """Space-separated scope string → list without duplicates, order kept."""
    seen: dict[str, None] = {}
    for part in (raw or "").split():
        seen.setdefault(part, None)
    return list(seen)


def check_requested_scopes(scopes: list[str], granular_only: bool) -> ScopeProblem | None:
    if not scopes:
        return ScopeProblem("", "no scope requested")
    for scope in scopes:
        if scope not in KNOWN_SCOPES:
            return ScopeProblem(scope, "unknown scope")
        if granular_only and scope in BROAD_ONLY_SCOPES:
            return ScopeProblem(scope, "broad scope not available to apps created after 2 March 2026")
    return None


# First path segment below /api.xro/2.0 (lower-cased) → the write scopes that guard it.
# A GET also accepts the ".read" twin of each. Sources: the OpenAPI document's per-operation
# security (broad scopes) and xero-facts §1.4 (granular). Items are "settings" in the OpenAPI
# document and "invoices" in the granular model, so both (and transactions) are accepted.
_ENDPOINT_SCOPES: dict[str, tuple[str, ...]] = {
    "organisation": ("accounting.settings",),
    "accounts": ("accounting.settings",),
    "taxrates": ("accounting.settings",),
    "currencies": ("accounting.settings",),
    "trackingcategories": ("accounting.settings",),
    "brandingthemes": ("accounting.settings",),
    "users": ("accounting.settings",),
    "invoicereminders": ("accounting.settings",),
    "contacts": ("accounting.contacts",),
    "contactgroups": ("accounting.contacts",),
    "invoices": ("accounting.invoices", "accounting.transactions"),
    "creditnotes": ("accounting.invoices", "accounting.transactions"),
    "items": ("accounting.invoices", "accounting.transactions", "accounting.settings"),
    "quotes": ("accounting.invoices", "accounting.transactions"),
    "purchaseorders": ("accounting.invoices", "accounting.transactions"),
    "repeatinginvoices": ("accounting.invoices", "accounting.transactions"),
    "linkedtransactions": ("accounting.invoices", "accounting.transactions"),
    "payments": ("accounting.payments", "accounting.transactions"),
    "batchpayments": ("accounting.payments", "accounting.transactions"),
    "overpayments": ("accounting.payments", "accounting.transactions"),
    "prepayments": ("accounting.payments", "accounting.transactions"),
    "banktransactions": ("accounting.banktransactions", "accounting.transactions"),
    "banktransfers": ("accounting.banktransactions", "accounting.transactions"),
    "manualjournals": ("accounting.manualjournals", "accounting.transactions"),
    "expenseclaims": ("accounting.classicexpenses", "accounting.transactions"),
    "receipts": ("accounting.classicexpenses", "accounting.transactions"),
}
_READ_ONLY_ENDPOINT_SCOPES: dict[str, tuple[str, ...]] = {
    "journals": ("accounting.journals.read",),
    "reports": ("accounting.reports.read",),
    "budgets": ("accounting.budgets.read",),
}


def scopes_for_endpoint(method: str, path: str) -> frozenset[str] | None:
    """The scopes any one of which allows ``method`` on ``path`` (below /api.xro/2.0).

    ``None`` means the endpoint is not one the emulator knows; the pipeline then lets the
    accounting engine answer (normally 404). Attachment sub-resources need the attachments scope.
    """
    segments = [s for s in path.lower().split("/") if s]
    if not segments:
        return None
    is_read = method.upper() == "GET"
    if "attachments" in segments[1:]:
        base: tuple[str, ...] = ("accounting.attachments",)
    elif segments[0] in _READ_ONLY_ENDPOINT_SCOPES:
        return frozenset(_READ_ONLY_ENDPOINT_SCOPES[segments[0]]) if is_read else frozenset()
    elif segments[0] in _ENDPOINT_SCOPES:
        base = _ENDPOINT_SCOPES[segments[0]]
    else:
        return None
    if is_read:
        return frozenset(base) | {s + ".read" for s in base}
    return frozenset(base)


def has_any_scope(granted: frozenset[str] | set[str], required: frozenset[str]) -> bool:
    return bool(granted & required)
