"""The needs-admin problems of accounts, taxes and currencies (F2.2, F2.3) as the export meets them,
and the one account checker that the settings use too (domain.mapping.checks)."""

from __future__ import annotations

import pytest
from export_domain_helpers import (
    NO_CODE_ACCOUNT_ID,
    contact,
    context,
    invoice,
    reference,
    settings,
    spec_example_invoice,
    xero_reference_json,
)
from mapping_helpers import CONTACT_X, E, codes, extra_line, mapped, ok

from xero_sync.domain.mapping import map_invoice
from xero_sync.domain.mapping.checks import (
    AccountNeed,
    AccountRefused,
    AccountUse,
    check_account,
    check_settings_accounts,
    chosen_account,
)
from xero_sync.domain.problems import ProblemCode
from xero_sync.models.reference_data import ReferenceData, XeroAccount

# ----------------------------------------------------------------------------------------------
# Accounts (F2.1, F2.2)
# ----------------------------------------------------------------------------------------------


def test_account_without_code_fails_then_succeeds_once_the_code_is_added():
    # Given the sales adjustments account chosen by AccountID, with no code in Xero
    ctx = context({"sales_adjustments_account": NO_CODE_ACCOUNT_ID})
    # When an invoice with a discount is mapped
    result = map_invoice(spec_example_invoice(), ctx, host_id="i", contact_xero_id=CONTACT_X)
    # Then it fails, naming the account and what to do
    assert not result.ok and result.payload is None
    [problem] = result.problems
    assert problem.code is ProblemCode.MISSING_ACCOUNT_CODE
    assert problem.message == (
        "Account 'Discounts Given' (discounts, shipping, adjustments and round-off on sales) has no code in Xero, "
        "and the integration can only use accounts with a code. "
        "Add a code to it in Xero (Accounting → Chart of accounts), then retry."
    )
    # And once the admin adds code 405 in Xero and the chart is re-imported, the same settings work
    data = xero_reference_json()
    for account in data["accounts"]:
        if account["AccountID"] == NO_CODE_ACCOUNT_ID:
            account["Code"] = "405"
    ctx_after = context({"sales_adjustments_account": NO_CODE_ACCOUNT_ID}, ReferenceData.model_validate(data))
    retry = map_invoice(spec_example_invoice(), ctx_after, host_id="i", contact_xero_id=CONTACT_X)
    assert retry.ok and {li.AccountCode for li in retry.payload.LineItems[1:]} == {"405"}


def test_unknown_line_account_code():
    result = mapped(E.INVOICE, invoice(lines=[{"quantity": 1, "rate": 5, "account_code": "999"}]))
    [problem] = result.problems
    assert problem.code is ProblemCode.UNKNOWN_ACCOUNT and problem.field == "lines[0].account_code"
    assert "Account '999' (line 1) was not found in Xero's chart of accounts" in problem.message


def test_archived_account():
    result = mapped(E.INVOICE, invoice(lines=[{"quantity": 1, "rate": 5, "account_code": "299"}]))
    assert codes(result) == [ProblemCode.ARCHIVED_ACCOUNT]
    assert "'Old Sales (299)'" in result.problems[0].message


def test_adjustments_account_not_configured():
    # discount, shipping and round-off all need it: one problem, not three
    data = invoice(discount="1.00", shipping_charge="2.00", round_off="0.01")
    result = mapped(E.INVOICE, data, context({"sales_adjustments_account": None}))
    [problem] = result.problems
    assert problem.code is ProblemCode.ACCOUNT_NOT_CONFIGURED and problem.field == "discount"
    assert "(sales_adjustments_account)" in problem.message


def test_line_without_account_uses_the_default_sales_account_or_says_it_is_missing():
    assert ok(E.INVOICE, invoice()).LineItems[0].AccountCode == "200"
    result = mapped(E.INVOICE, invoice(), context({"sales_account": None}))
    assert codes(result) == [ProblemCode.ACCOUNT_NOT_CONFIGURED]
    assert "sales lines without an account" in result.problems[0].message


def test_specific_accounts_fall_back_to_the_sales_adjustments_account():
    payload = ok(
        E.INVOICE,
        invoice(shipping_charge="5.00", round_off="0.01"),
        context({"shipping_account": "270", "rounding_account": "860"}),
    )
    assert extra_line(payload, "Shipping charges")[2] == "270"
    assert extra_line(payload, "Round off")[2] == "860"


def test_tax_not_allowed_on_the_account():
    # OUTPUT2 (sales GST) cannot be used on an expense account in Xero
    result = mapped(E.INVOICE, invoice(lines=[{"quantity": 1, "rate": 5, "tax_id": "gst15", "account_code": "300"}]))
    [problem] = result.problems
    assert problem.code is ProblemCode.TAX_NOT_ALLOWED_FOR_ACCOUNT
    assert "'15% GST on Income' (OUTPUT2)" in problem.message and "'Purchases (300)'" in problem.message


def test_unmapped_tax_names_the_field():
    result = mapped(E.INVOICE, invoice(shipping_charge="5.00", shipping_tax_id="vat20"))
    [problem] = result.problems
    assert problem.code is ProblemCode.UNMAPPED_TAX and problem.field == "shipping_tax_id"


def test_problems_are_gathered_not_just_the_first():
    result = mapped(
        E.INVOICE,
        invoice(currency="USD", lines=[{"quantity": 1, "rate": 5, "tax_id": "vat20", "account_code": "999"}]),
    )
    assert set(codes(result)) == {
        ProblemCode.CURRENCY_NOT_ENABLED,
        ProblemCode.UNMAPPED_TAX,
        ProblemCode.UNKNOWN_ACCOUNT,
    }


def test_base_currency_mismatch_stops_every_record():
    assert codes(mapped(E.CONTACT, contact(), context({"base_currency": "AUD"}))) == [
        ProblemCode.BASE_CURRENCY_MISMATCH
    ]


# ----------------------------------------------------------------------------------------------
# One checker for the settings and the export
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chosen", [NO_CODE_ACCOUNT_ID, "999", "299"])
def test_settings_and_export_say_the_same_about_an_account(chosen):
    # Given the sales adjustments account is one Xero cannot take (no code, unknown, archived)
    ctx = context({"sales_adjustments_account": chosen})
    # When the settings are checked, and an invoice with a discount is mapped with them
    [(setting, saved)] = check_settings_accounts(ctx.settings, ctx.reference)
    [exported] = mapped(E.INVOICE, invoice(discount="1.00"), ctx).problems
    # Then both name the same problem in the same words; only the field differs
    assert setting == "sales_adjustments_account"
    assert (saved.code, saved.message) == (exported.code, exported.message)
    assert (saved.field, exported.field) == ("settings.sales_adjustments_account", "discount")


def test_a_settings_entry_never_takes_a_bank_account_but_a_payment_may():
    ref = reference()
    use = AccountUse(purpose="bank charges", setting="bank_charges_account", need=AccountNeed.NOT_BANK)
    refused = check_account("090", use, ref)
    assert isinstance(refused, AccountRefused) and refused.problem.code is ProblemCode.BANK_ACCOUNT_NOT_ALLOWED
    paid = check_account("090", AccountUse(purpose="the payment", need=AccountNeed.PAYMENTS), ref)
    assert isinstance(paid, XeroAccount) and paid.Code == "090"


def test_an_empty_specific_setting_falls_back_and_the_message_names_the_entry_read():
    # shipping_account is not chosen, so shipping goes on the sales adjustments account
    chosen, use = chosen_account(settings(), "shipping_account", fallback="sales_adjustments_account")
    assert (chosen, use.purpose, use.setting) == ("260", "shipping charges", "sales_adjustments_account")
    chosen, use = chosen_account(
        settings(shipping_account="270"), "shipping_account", fallback="sales_adjustments_account"
    )
    assert (chosen, use.setting) == ("270", "shipping_account")
