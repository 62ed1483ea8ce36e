"""Tax rates and the tax mapping rule (F2.3).

* :func:`effective_rate` — the rate a multi-component Xero tax applies. Non-compound components
  add up; a compound component applies on the amount *plus* the non-compound taxes, so it counts
  ``rate × (1 + Σ non-compound / 100)``. Example (Xero developer community): 6 % + 4 % compound
  → 6 + 4 × 1.06 = 10.24 %. Several compound components each compound on the non-compound sum.
* :func:`xero_rate_percent` — the rate of a Xero ``TaxRate``: from its components when it has
  them, else ``EffectiveRate``, else ``DisplayTaxRate``.
* :func:`check_tax_mapping` — F2.3: a host tax may map to a Xero tax rate only if the rates are
  equal (compared to Xero's 4 decimal places), compound rates included; returns the refusals.
* :func:`resolve_line_tax` — at export time, a host ``tax_id`` → the Xero ``TaxType`` and rate,
  or a needs-admin :class:`Problem` (unmapped, unknown, inactive, or rates no longer equal).
* :func:`zero_tax_rate` — the org's "no tax" rate for untaxed lines, read from Xero's tax rates
  (never hard-coded: TaxType codes differ per country, xero-facts §6.7).

Per-line tax of a multi-component rate is computed with the effective rate and rounded once.
Xero may round per component (a Xero community thread shows a component rounded on its own); any
resulting cent shows up as a total mismatch notice, not as a silent change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from xero_sync.domain.money import HUNDRED, round_to
from xero_sync.domain.problems import Problem, ProblemCode
from xero_sync.models.org_config import TaxMapping, TaxMappings
from xero_sync.models.reference_data import ReferenceData, XeroTaxComponent, XeroTaxRate

RATE_PLACES = 4  # Xero's tax rates have 4 decimal places (SPEC TaxComponent.Rate, EffectiveRate)


def effective_rate(components: Iterable[XeroTaxComponent]) -> Decimal:
    components = list(components)
    simple = sum((c.Rate for c in components if not c.IsCompound), Decimal(0))
    compound = sum((c.Rate for c in components if c.IsCompound), Decimal(0))
    return round_to(simple + compound * (HUNDRED + simple) / HUNDRED, RATE_PLACES)


def xero_rate_percent(rate: XeroTaxRate) -> Decimal:
    if rate.TaxComponents:
        return effective_rate(rate.TaxComponents)
    if rate.EffectiveRate is not None:
        return round_to(rate.EffectiveRate, RATE_PLACES)
    return round_to(rate.DisplayTaxRate or Decimal(0), RATE_PLACES)


def rates_equal(host_rate: Decimal, xero_rate: XeroTaxRate) -> bool:
    return round_to(host_rate, RATE_PLACES) == xero_rate_percent(xero_rate)


def _percent(value: Decimal) -> str:
    """15.0000 → "15", 10.2400 → "10.24"."""
    text = format(value.normalize(), "f")
    return text


def check_tax_mapping(mapping: TaxMapping, reference: ReferenceData) -> list[Problem]:
    """F2.3: refuse a mapping whose Xero tax rate is unknown, inactive, or not equal in rate."""
    problems: list[Problem] = []
    for tax_type in dict.fromkeys([mapping.xero_tax_type, mapping.purchases_xero_tax_type]):
        if tax_type is None:
            continue
        problem = _check_rate(mapping, tax_type, reference)
        if problem is not None:
            problems.append(problem)
    return problems


def _host_tax_label(mapping: TaxMapping) -> str:
    return f"'{mapping.host_tax_name}'" if mapping.host_tax_name else f"'{mapping.host_tax_id}'"


def _check_rate(mapping: TaxMapping, tax_type: str, reference: ReferenceData) -> Problem | None:
    rate = reference.tax_rate(tax_type)
    host_label = _host_tax_label(mapping)
    if rate is None:
        return Problem(
            code=ProblemCode.UNKNOWN_TAX_RATE,
            message=(
                f"Xero has no tax rate with tax type {tax_type} (mapped from host tax {host_label}). "
                "Re-import the Xero tax rates and choose an existing rate in the tax mapping."
            ),
            params={"tax_type": tax_type, "host_tax": mapping.host_tax_id},
        )
    if not rate.is_active:
        return Problem(
            code=ProblemCode.INACTIVE_TAX_RATE,
            message=(
                f"The Xero tax rate '{rate.Name}' ({tax_type}) is {rate.Status.lower()}. Choose an active "
                f"Xero tax rate for host tax {host_label} in the tax mapping."
            ),
            params={"tax_type": tax_type, "tax_name": rate.Name, "host_tax": mapping.host_tax_id},
        )
    if not rates_equal(mapping.host_rate, rate):
        xero_percent = _percent(xero_rate_percent(rate))
        host_percent = _percent(round_to(mapping.host_rate, RATE_PLACES))
        compound = " (its components combined)" if any(c.IsCompound for c in rate.TaxComponents) else ""
        return Problem(
            code=ProblemCode.TAX_RATE_MISMATCH,
            message=(
                f"Host tax {host_label} is {host_percent} % but the Xero tax rate '{rate.Name}' is "
                f"{xero_percent} %{compound}. A host tax can only be mapped to a Xero tax rate with the "
                "same rate: choose another Xero rate, or create one with the same rate in Xero "
                "(Accounting → Advanced → Tax rates)."
            ),
            params={
                "host_tax": mapping.host_tax_id,
                "host_rate": host_percent,
                "tax_type": tax_type,
                "tax_name": rate.Name,
                "xero_rate": xero_percent,
            },
        )
    return None


@dataclass(frozen=True)
class ResolvedTax:
    tax_type: str
    rate_percent: Decimal
    rate: XeroTaxRate


def resolve_line_tax(
    host_tax_id: str,
    mappings: TaxMappings,
    reference: ReferenceData,
    *,
    purchases: bool,
    field: str,
) -> ResolvedTax | Problem:
    """The Xero tax of a host tax id, checked again at export time (rates change in Xero)."""
    mapping = mappings.get(host_tax_id)
    if mapping is None:
        return Problem(
            code=ProblemCode.UNMAPPED_TAX,
            message=(
                f"Host tax '{host_tax_id}' is not mapped to a Xero tax rate. Map it in the Xero "
                "integration settings (Tax mapping), then retry."
            ),
            field=field,
            params={"host_tax": host_tax_id},
        )
    tax_type = mapping.tax_type_for(purchases)
    problem = _check_rate(mapping, tax_type, reference)
    if problem is not None:
        return problem.model_copy(update={"field": field})
    rate = reference.tax_rate(tax_type)
    assert rate is not None  # _check_rate found it
    return ResolvedTax(tax_type=tax_type, rate_percent=xero_rate_percent(rate), rate=rate)


def zero_tax_rate(
    reference: ReferenceData, *, purchases: bool, preferred_tax_type: str | None = None
) -> XeroTaxRate | Problem:
    """The org's no-tax rate for untaxed lines (document discount, adjustment, round-off, lines
    without a tax id). Order of preference: the org's configured ``no_tax_type``; Xero's ``NONE``;
    any active 0 % rate Xero allows on revenue (sales) or expense (purchases) accounts."""
    if preferred_tax_type:
        rate = reference.tax_rate(preferred_tax_type)
        if rate is not None and rate.is_active and xero_rate_percent(rate) == 0:
            return rate
        return Problem(
            code=ProblemCode.NO_ZERO_TAX_RATE,
            message=(
                f"The no-tax rate chosen in the settings ({preferred_tax_type}) is not an active 0 % tax "
                "rate in Xero. Choose another one in the Xero integration settings, then retry."
            ),
            params={"tax_type": preferred_tax_type},
        )
    zero_rates = [r for r in reference.tax_rates if r.is_active and xero_rate_percent(r) == 0]
    for rate in zero_rates:
        if rate.TaxType == "NONE":
            return rate
    usable = [r for r in zero_rates if (r.CanApplyToExpenses if purchases else r.CanApplyToRevenue) is not False]
    # Prefer rates Xero reports as outside the tax return (ReportTaxType NONE), then by name.
    usable.sort(key=lambda r: (r.ReportTaxType != "NONE", r.Name))
    if usable:
        return usable[0]
    return Problem(
        code=ProblemCode.NO_ZERO_TAX_RATE,
        message=(
            "Xero has no active 0 % tax rate to use on untaxed lines (discounts, adjustments, round-off). "
            "Create one in Xero (Accounting → Advanced → Tax rates) or choose one in the integration "
            "settings, then retry."
        ),
    )
