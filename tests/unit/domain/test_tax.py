"""Tax rates: effective rate of compound rates, the F2.3 mapping rule, no-tax rate selection."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from export_domain_helpers import reference, tax_mappings

from xero_sync.domain.problems import Problem, ProblemCode
from xero_sync.domain.tax import (
    check_tax_mapping,
    effective_rate,
    rates_equal,
    resolve_line_tax,
    xero_rate_percent,
    zero_tax_rate,
)
from xero_sync.models.org_config import TaxMapping
from xero_sync.models.reference_data import ReferenceData, XeroTaxComponent, XeroTaxRate


def component(rate: str, compound: bool = False) -> XeroTaxComponent:
    return XeroTaxComponent(Name="c", Rate=D(rate), IsCompound=compound)


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        ([component("15")], "15"),
        ([component("5"), component("7")], "12"),  # two simple components add up
        ([component("6"), component("4", compound=True)], "10.24"),  # Xero community example
        ([component("5"), component("7.5", compound=True)], "12.875"),
        ([component("5"), component("9.975")], "14.975"),  # GST + QST after 2013, not compound
        ([], "0"),
    ],
)
def test_effective_rate(components, expected):
    assert effective_rate(components) == D(expected)


def test_rate_of_a_xero_tax_rate_prefers_components_then_effective_then_display():
    with_components = XeroTaxRate(
        Name="a",
        TaxType="A",
        TaxComponents=[component("6"), component("4", True)],
        EffectiveRate=D("10.24"),
        DisplayTaxRate=D("10"),
    )
    only_effective = XeroTaxRate(Name="b", TaxType="B", EffectiveRate=D("12.5"), DisplayTaxRate=D("12"))
    only_display = XeroTaxRate(Name="c", TaxType="C", DisplayTaxRate=D("9"))
    assert xero_rate_percent(with_components) == D("10.24")
    assert xero_rate_percent(only_effective) == D("12.5")
    assert xero_rate_percent(only_display) == D("9")


def test_rates_compare_at_four_decimal_places():
    rate = XeroTaxRate(Name="GST", TaxType="OUTPUT2", TaxComponents=[component("15")])
    assert rates_equal(D("15"), rate)
    assert rates_equal(D("15.00004"), rate)
    assert not rates_equal(D("15.0001"), rate)
    assert not rates_equal(D("12.5"), rate)


def test_mapping_with_equal_rate_is_accepted():
    mapping = TaxMapping(host_tax_id="gst15", host_rate="15", xero_tax_type="OUTPUT2", purchases_xero_tax_type="INPUT2")
    assert check_tax_mapping(mapping, reference()) == []


def test_mapping_to_a_compound_rate_compares_the_effective_rate():
    # TAX001 = 5 % + 7.5 % compound = 12.875 %; its display rate 12.5 % would be the wrong comparison.
    accepted = TaxMapping(host_tax_id="t", host_rate="12.875", xero_tax_type="TAX001")
    refused = TaxMapping(host_tax_id="t", host_tax_name="GST+QST", host_rate="12.5", xero_tax_type="TAX001")
    assert check_tax_mapping(accepted, reference()) == []
    [problem] = check_tax_mapping(refused, reference())
    assert problem.code is ProblemCode.TAX_RATE_MISMATCH
    assert "12.5 %" in problem.message and "12.875 %" in problem.message and "components" in problem.message
    assert "'GST+QST'" in problem.message


def test_mapping_with_different_rate_is_refused_with_a_clear_message():
    mapping = TaxMapping(host_tax_id="gst10", host_rate="10", xero_tax_type="OUTPUT2")
    [problem] = check_tax_mapping(mapping, reference())
    assert problem.code is ProblemCode.TAX_RATE_MISMATCH
    assert problem.message.startswith("Host tax 'gst10' is 10 % but the Xero tax rate '15% GST on Income' is 15 %")
    assert problem.params["xero_rate"] == "15"


def test_mapping_to_unknown_or_archived_rates_is_refused():
    unknown = TaxMapping(host_tax_id="x", host_rate="15", xero_tax_type="OUTPUT9")
    archived = TaxMapping(host_tax_id="y", host_rate="12.5", xero_tax_type="TAX002")
    assert [p.code for p in check_tax_mapping(unknown, reference())] == [ProblemCode.UNKNOWN_TAX_RATE]
    assert [p.code for p in check_tax_mapping(archived, reference())] == [ProblemCode.INACTIVE_TAX_RATE]


def test_purchases_tax_type_is_checked_too():
    mapping = TaxMapping(host_tax_id="gst15", host_rate="15", xero_tax_type="OUTPUT2", purchases_xero_tax_type="TAX001")
    [problem] = check_tax_mapping(mapping, reference())
    assert problem.code is ProblemCode.TAX_RATE_MISMATCH and problem.params["tax_type"] == "TAX001"


def test_resolve_line_tax_uses_the_sales_or_purchases_type():
    sales = resolve_line_tax("gst15", tax_mappings(), reference(), purchases=False, field="lines[0].tax_id")
    purchases = resolve_line_tax("gst15", tax_mappings(), reference(), purchases=True, field="lines[0].tax_id")
    assert not isinstance(sales, Problem) and sales.tax_type == "OUTPUT2" and sales.rate_percent == D(15)
    assert not isinstance(purchases, Problem) and purchases.tax_type == "INPUT2"


def test_resolve_line_tax_of_an_unmapped_tax():
    problem = resolve_line_tax("vat20", tax_mappings(), reference(), purchases=False, field="lines[1].tax_id")
    assert isinstance(problem, Problem)
    assert problem.code is ProblemCode.UNMAPPED_TAX and problem.field == "lines[1].tax_id"
    assert "Host tax 'vat20' is not mapped" in problem.message


def test_resolve_line_tax_notices_a_rate_changed_in_xero_since_mapping():
    data = reference().model_dump()
    data["tax_rates"][0]["TaxComponents"][0]["Rate"] = D("16")
    changed = ReferenceData.model_validate(data)
    problem = resolve_line_tax("gst15", tax_mappings(), changed, purchases=False, field="shipping_tax_id")
    assert isinstance(problem, Problem) and problem.code is ProblemCode.TAX_RATE_MISMATCH
    assert problem.field == "shipping_tax_id"


def test_zero_rate_prefers_none_then_configured_then_any_zero_rate():
    assert zero_tax_rate(reference(), purchases=False).TaxType == "NONE"
    chosen = zero_tax_rate(reference(), purchases=False, preferred_tax_type="ZERORATED")
    assert not isinstance(chosen, Problem) and chosen.TaxType == "ZERORATED"
    # Without NONE, a 0 % rate allowed on revenue is chosen for sales; none exists for purchases.
    data = reference().model_dump()
    data["tax_rates"] = [r for r in data["tax_rates"] if r["TaxType"] != "NONE"]
    without_none = ReferenceData.model_validate(data)
    assert zero_tax_rate(without_none, purchases=False).TaxType == "ZERORATED"
    problem = zero_tax_rate(without_none, purchases=True)
    assert isinstance(problem, Problem) and problem.code is ProblemCode.NO_ZERO_TAX_RATE


def test_configured_no_tax_type_must_be_a_zero_rate():
    problem = zero_tax_rate(reference(), purchases=False, preferred_tax_type="OUTPUT2")
    assert isinstance(problem, Problem) and problem.code is ProblemCode.NO_ZERO_TAX_RATE
    assert "OUTPUT2" in problem.message
