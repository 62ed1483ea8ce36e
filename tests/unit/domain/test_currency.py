"""Exchange-rate conversion between the host's and Xero's conventions (SPEC §7, xero-facts §6.8)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from export_domain_helpers import reference

from xero_sync.domain import currency
from xero_sync.domain.currency import (
    base_currency_mismatch,
    document_currency,
    from_xero_currency_rate,
    to_xero_currency_rate,
)
from xero_sync.domain.problems import NoticeCode, ProblemCode


def test_host_rate_becomes_foreign_units_per_base_unit():
    # Given 1 EUR = 1.85 NZD in the host (SPEC §7), Xero quotes 1 NZD = 0.540541 EUR
    assert currency.XERO_RATE_IS_FOREIGN_PER_BASE is True
    assert to_xero_currency_rate(D("1.85")) == D("0.540541")
    # and a base amount computed Xero's way (÷ rate) is the host's (× rate) to within the 6 places
    assert abs(D("1000") / to_xero_currency_rate(D("1.85")) - D("1850")) < D("0.01")


@pytest.mark.parametrize("host_rate", ["1.85", "0.0108", "5.4", "1", "0.6123"])
def test_round_trip_within_xero_precision(host_rate):
    back = from_xero_currency_rate(to_xero_currency_rate(D(host_rate)))
    assert abs(back - D(host_rate)) / D(host_rate) < D("0.000002") * max(D(1), D(host_rate))


def test_the_direction_can_be_flipped_in_one_place(monkeypatch):
    monkeypatch.setattr(currency, "XERO_RATE_IS_FOREIGN_PER_BASE", False)
    assert to_xero_currency_rate(D("1.85")) == D("1.850000")
    assert from_xero_currency_rate(D("1.85")) == D("1.85")


def test_rates_must_be_positive():
    with pytest.raises(ValueError):
        to_xero_currency_rate(D(0))


def test_base_currency_documents_send_no_rate():
    fields, problems, notices = document_currency(None, None, reference())
    assert fields is not None and (fields.code, fields.xero_rate) == ("NZD", None)
    fields, problems, notices = document_currency("nzd", D("1.3"), reference())
    assert fields is not None and (fields.code, fields.xero_rate) == ("NZD", None)
    assert problems == [] and notices == []


def test_foreign_document_sends_the_converted_rate():
    fields, problems, _ = document_currency("EUR", D("1.85"), reference())
    assert problems == []
    assert fields is not None and (fields.code, fields.xero_rate) == ("EUR", D("0.540541"))


def test_foreign_document_without_rate_uses_xero_daily_rate_and_says_so():
    fields, problems, notices = document_currency("EUR", None, reference())
    assert fields is not None and fields.xero_rate is None and problems == []
    assert [n.code for n in notices] == [NoticeCode.EXCHANGE_RATE_DEFAULTED]


def test_currency_not_enabled_in_xero():
    fields, [problem], _ = document_currency("USD", D("1.6"), reference())
    assert fields is None
    assert problem.code is ProblemCode.CURRENCY_NOT_ENABLED
    assert problem.message.startswith("Currency USD is not enabled in Xero. Add it in Xero")


def test_rate_too_small_for_six_places():
    fields, [problem], _ = document_currency("EUR", D("9999999999"), reference())
    assert fields is None and problem.code is ProblemCode.EXCHANGE_RATE_TOO_SMALL


def test_base_currency_mismatch():
    assert base_currency_mismatch("nzd", reference()) is None
    problem = base_currency_mismatch("AUD", reference())
    assert problem is not None and problem.code is ProblemCode.BASE_CURRENCY_MISMATCH
    assert "AUD in the host but NZD in Xero" in problem.message
