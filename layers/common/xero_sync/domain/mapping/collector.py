"""The collector: one record's accounts, taxes and currency checked once, its problems gathered.

A mapper makes one :class:`Collector`, asks it for every account, tax and currency the record
uses, and ends with :meth:`Collector.result`: the payload when nothing stopped it, else the
problems — all of them, not just the first, and each only once.
"""

from __future__ import annotations

from decimal import Decimal

from xero_sync.domain import money
from xero_sync.domain.currency import DocumentCurrency, base_currency_mismatch, document_currency
from xero_sync.domain.mapping.base import Mapped, MappingContext, P
from xero_sync.domain.mapping.checks import (
    AccountRefused,
    AccountUse,
    check_account,
    check_tax_on_account,
    chosen_account,
    no_tax_rate,
    resolve_line_tax,
)
from xero_sync.domain.problems import Notice, Problem
from xero_sync.domain.tax import ResolvedTax
from xero_sync.models.reference_data import XeroAccount, XeroTaxRate
from xero_sync.models.xero_payloads import LineAmountType

NO_TAX: tuple[str | None, Decimal] = (None, Decimal(0))


class Collector:
    def __init__(self, ctx: MappingContext) -> None:
        self.ctx = ctx
        self.problems: list[Problem] = []
        self.notices: list[Notice] = []
        self._zero_rates: dict[bool, XeroTaxRate | None] = {}
        self._seen: set[tuple[str, ...]] = set()
        if ctx.settings.base_currency:
            mismatch = base_currency_mismatch(ctx.settings.base_currency, ctx.reference)
            if mismatch is not None:
                self.problem(mismatch)

    def problem(self, problem: Problem, *, key: tuple[str, ...] | None = None) -> None:
        """Record a problem once: by ``key`` when given (one account used for several purposes is
        one problem), else by code and message."""
        key = key or (problem.code.value, problem.message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(problem)

    def notice(self, notice: Notice) -> None:
        self.notices.append(notice)

    def result(self, payload: P | None, *, unitdp: int = 2, totals: money.DocumentTotals | None = None) -> Mapped[P]:
        return Mapped(
            payload=None if self.problems else payload,
            problems=tuple(self.problems),
            notices=tuple(self.notices),
            unitdp=unitdp,
            totals=totals,
        )

    # --- accounts (F2.1, F2.2) ----------------------------------------------------------------

    def account(self, reference_text: str | None, use: AccountUse) -> XeroAccount | None:
        """The account, when Xero can take it for ``use``; else None and the problem noted."""
        checked = check_account(reference_text, use, self.ctx.reference)
        if isinstance(checked, AccountRefused):
            self.problem(checked.problem, key=checked.key)
            return None
        return checked

    def setting_account(
        self, setting: str, *, fallback: str | None = None, field: str | None = None
    ) -> XeroAccount | None:
        """The account a settings entry picks (or its ``fallback`` entry), checked."""
        reference_text, use = chosen_account(self.ctx.settings, setting, fallback=fallback, field=field)
        return self.account(reference_text, use)

    # --- taxes (F2.3) -------------------------------------------------------------------------

    def zero_rate(self, *, purchases: bool) -> XeroTaxRate | None:
        if purchases not in self._zero_rates:
            found = no_tax_rate(self.ctx.settings, self.ctx.reference, purchases=purchases)
            if isinstance(found, Problem):
                self.problem(found)
                self._zero_rates[purchases] = None
            else:
                self._zero_rates[purchases] = found
        return self._zero_rates[purchases]

    def line_tax(
        self,
        tax_id: str | None,
        account: XeroAccount | None,
        *,
        amounts: LineAmountType,
        purchases: bool,
        field: str,
    ) -> tuple[str | None, Decimal]:
        """(TaxType to send, rate in percent). NoTax documents send no TaxType at all."""
        if amounts is LineAmountType.NO_TAX:
            return NO_TAX
        resolved = self._resolve_tax(tax_id, purchases=purchases, field=field)
        if resolved is None:
            return NO_TAX
        refused = check_tax_on_account(resolved, account, field)
        if refused is not None:
            self.problem(refused)
        return resolved.tax_type, resolved.rate_percent

    def _resolve_tax(self, tax_id: str | None, *, purchases: bool, field: str) -> ResolvedTax | None:
        """The host tax's Xero rate; no tax id means the org's no-tax rate."""
        if tax_id is None:
            rate = self.zero_rate(purchases=purchases)
            return None if rate is None else ResolvedTax(tax_type=rate.TaxType, rate_percent=Decimal(0), rate=rate)
        found = resolve_line_tax(tax_id, self.ctx.tax_mappings, self.ctx.reference, purchases=purchases, field=field)
        if isinstance(found, Problem):
            self.problem(found)
            return None
        return found

    # --- currencies ---------------------------------------------------------------------------

    def currency(self, code: str | None, exchange_rate: Decimal | None) -> DocumentCurrency | None:
        fields, problems, notices = document_currency(code, exchange_rate, self.ctx.reference)
        for problem in problems:
            self.problem(problem)
        self.notices.extend(notices)
        return fields
