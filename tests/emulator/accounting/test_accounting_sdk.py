"""The official xero-python SDK (pinned 15.2.0) against the running emulator, over HTTP.

Every call goes through the platform (OAuth, limits, idempotency) to the real accounting engine;
the SDK must build its requests the way it does against Xero and deserialise every response into
its models. The platform's ``emulator`` fixture also validates every response against the
OpenAPI document. The rest of this folder checks the same shapes without HTTP (helpers.Engine).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from xero_python.accounting import (
    Account,
    AccountType,
    Address,
    Allocation,
    Allocations,
    BankTransaction,
    BankTransactions,
    Contact,
    ContactPerson,
    Contacts,
    CreditNote,
    CreditNotes,
    Invoice,
    Invoices,
    LineItem,
    Payment,
    PaymentDelete,
    Payments,
    Phone,
)
from xero_python.exceptions import AccountingBadRequestException, NotFoundException


def sales_line(amount: str = "100", **fields) -> LineItem:
    return LineItem(
        description="Consulting",
        quantity=Decimal(1),
        unit_amount=Decimal(amount),
        account_code="200",
        tax_type="OUTPUT2",
        **fields,
    )


def new_contact(sdk, name: str = "SDK Cafe Ltd") -> Contact:
    contact = Contact(
        name=name,
        email_address="ap@sdk-cafe.example",
        contact_number=name.upper().replace(" ", "-")[:20],
        addresses=[Address(address_type="POBOX", address_line1="1 Quay St", city="Auckland", country="NZ")],
        phones=[Phone(phone_type="MOBILE", phone_number="555-1212")],
        contact_persons=[ContactPerson(first_name="Sue", email_address="sue@sdk-cafe.example", include_in_emails=True)],
    )
    return sdk.accounting.create_contacts(sdk.tenant_id, Contacts(contacts=[contact])).contacts[0]


def new_invoice(sdk, contact_id: str, **fields) -> Invoice:
    invoice = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        date=date(2026, 3, 1),
        due_date=date(2026, 3, 31),
        status="AUTHORISED",
        line_items=[sales_line()],
        **fields,
    )
    return sdk.accounting.create_invoices(sdk.tenant_id, Invoices(invoices=[invoice])).invoices[0]


def test_sdk_contacts_create_read_page_and_archive(sdk_client):
    sdk, tenant = sdk_client, sdk_client.tenant_id
    contact = new_contact(sdk)
    assert contact.contact_id and contact.contact_status == "ACTIVE"
    assert [(p.phone_type, p.phone_number) for p in contact.phones][3] == ("MOBILE", "555-1212")
    assert contact.contact_persons[0].include_in_emails is True
    by_number = sdk.accounting.get_contact_by_contact_number(tenant, contact.contact_number).contacts[0]
    assert by_number.contact_id == contact.contact_id
    page = sdk.accounting.get_contacts(tenant, page=1, page_size=10, where='Name.Contains("SDK")')
    assert page.pagination.item_count == 1 and page.contacts[0].balances is not None
    archived = sdk.accounting.update_contact(
        tenant, contact.contact_id, Contacts(contacts=[Contact(contact_status="ARCHIVED")])
    )
    assert archived.contacts[0].contact_status == "ARCHIVED"
    assert sdk.accounting.get_contacts(tenant, i_ds=[contact.contact_id]).contacts[0].contact_id == contact.contact_id
    assert sdk.accounting.get_contacts(tenant, where='Name.Contains("SDK")').contacts == []
    with pytest.raises(AccountingBadRequestException) as failure:
        sdk.accounting.create_contacts(
            tenant, Contacts(contacts=[Contact(name="x" * 10, contact_number=contact.contact_number)])
        )
    assert failure.value.status == 400


def test_sdk_invoice_lifecycle_with_payment_and_deletion(sdk_client, emulator):
    sdk, tenant = sdk_client, sdk_client.tenant_id
    contact = new_contact(sdk)
    invoice = new_invoice(sdk, contact.contact_id, reference="SDK order")
    assert invoice.invoice_number.startswith("INV-") and invoice.total == Decimal("115.00")
    assert invoice.date == date(2026, 3, 1) and invoice.status == "AUTHORISED"
    assert invoice.line_amount_types.value == "Exclusive"

    payment = sdk.accounting.create_payment(
        tenant,
        Payment(
            invoice=Invoice(invoice_id=invoice.invoice_id),
            account=Account(code="090"),
            amount=Decimal("115"),
            date=date(2026, 3, 5),
        ),
    ).payments[0]
    assert payment.payment_type == "ACCRECPAYMENT" and payment.invoice.status == "PAID"
    paid = sdk.accounting.get_invoice(tenant, invoice.invoice_id).invoices[0]
    assert paid.status == "PAID" and paid.fully_paid_on_date == date(2026, 3, 5) and paid.amount_due == 0

    deleted = sdk.accounting.delete_payment(tenant, payment.payment_id, PaymentDelete(status="DELETED")).payments[0]
    assert deleted.status == "DELETED"
    reopened = sdk.accounting.get_invoice(tenant, invoice.invoice_id).invoices[0]
    assert reopened.status == "AUTHORISED" and reopened.amount_due == Decimal("115")

    voided = sdk.accounting.update_invoice(
        tenant, invoice.invoice_id, Invoices(invoices=[Invoice(status="VOIDED")])
    ).invoices[0]
    assert voided.status == "VOIDED"
    assert sdk.accounting.get_invoices(tenant, statuses=["VOIDED"]).invoices[0].invoice_id == invoice.invoice_id


def test_sdk_summarize_errors_false_and_validation_exception(sdk_client):
    sdk, tenant = sdk_client, sdk_client.tenant_id
    contact = new_contact(sdk)
    good = Invoice(type="ACCREC", contact=Contact(contact_id=contact.contact_id), line_items=[sales_line()])
    bad_line = LineItem(description="x", quantity=Decimal(1), unit_amount=Decimal(1), account_code="999")
    bad = Invoice(type="ACCREC", contact=Contact(contact_id=contact.contact_id), line_items=[bad_line])
    result = sdk.accounting.create_invoices(tenant, Invoices(invoices=[good, bad]), summarize_errors=False)
    assert [i.status_attribute_string for i in result.invoices] == ["OK", "ERROR"]
    assert result.invoices[1].has_errors is True
    assert (
        result.invoices[1].validation_errors[0].message == "Account code '999' is not a valid code for this document."
    )
    with pytest.raises(AccountingBadRequestException) as failure:
        sdk.accounting.create_invoices(tenant, Invoices(invoices=[bad]))
    assert failure.value.reason == "Account code '999' is not a valid code for this document."
    with pytest.raises(NotFoundException):
        sdk.accounting.get_invoice(tenant, "0e0e0e0e-0000-4000-8000-000000000099")


def test_sdk_unitdp_and_paging_with_line_items(sdk_client):
    sdk, tenant = sdk_client, sdk_client.tenant_id
    contact = new_contact(sdk)
    precise = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact.contact_id),
        date=date(2026, 3, 1),
        line_items=[
            LineItem(
                description="Metered",
                quantity=Decimal(1000),
                unit_amount=Decimal("0.1234"),
                account_code="200",
                tax_type="NONE",
            )
        ],
    )
    created = sdk.accounting.create_invoices(tenant, Invoices(invoices=[precise]), unitdp=4).invoices[0]
    assert created.line_items[0].unit_amount == Decimal("0.1234") and created.total == Decimal("123.40")
    for _ in range(3):
        new_invoice(sdk, contact.contact_id)
    first = sdk.accounting.get_invoices(tenant, page=1, page_size=3, unitdp=4)
    assert first.pagination.page_count == 2 and first.pagination.item_count == 4
    assert all(invoice.line_items for invoice in first.invoices)
    unpaged = sdk.accounting.get_invoices(tenant)
    assert all(invoice.line_items == [] for invoice in unpaged.invoices)


def test_sdk_if_modified_since(sdk_client, emulator):
    sdk, tenant = sdk_client, sdk_client.tenant_id
    contact = new_contact(sdk)
    old = new_invoice(sdk, contact.contact_id)
    emulator.clock.advance(120)
    cutoff = old.updated_date_utc + timedelta(seconds=60)
    newer = new_invoice(sdk, contact.contact_id)
    found = sdk.accounting.get_invoices(tenant, if_modified_since=cutoff).invoices
    assert [invoice.invoice_id for invoice in found] == [newer.invoice_id]
    assert sdk.accounting.get_contacts(tenant, if_modified_since=cutoff).contacts == []
    assert len(sdk.accounting.get_payments(tenant, if_modified_since=cutoff).payments) == 0


def test_sdk_credit_note_allocation_and_refund(sdk_client):
    sdk, tenant = sdk_client, sdk_client.tenant_id
    contact = new_contact(sdk)
    invoice = new_invoice(sdk, contact.contact_id)
    credit = CreditNote(
        type="ACCRECCREDIT",
        contact=Contact(contact_id=contact.contact_id),
        date=date(2026, 3, 2),
        status="AUTHORISED",
        line_items=[sales_line("20")],
    )
    credit = sdk.accounting.create_credit_notes(tenant, CreditNotes(credit_notes=[credit])).credit_notes[0]
    assert credit.remaining_credit == Decimal("23.00")
    allocations = Allocations(
        allocations=[
            Allocation(invoice=Invoice(invoice_id=invoice.invoice_id), amount=Decimal("13"), date=date(2026, 3, 6))
        ]
    )
    allocation = sdk.accounting.create_credit_note_allocation(tenant, credit.credit_note_id, allocations).allocations[0]
    assert allocation.amount == Decimal("13")
    refund = Payment(
        credit_note=CreditNote(credit_note_id=credit.credit_note_id),
        account=Account(code="090"),
        amount=Decimal("10"),
        date=date(2026, 3, 7),
    )
    refunded = sdk.accounting.create_payments(tenant, Payments(payments=[refund])).payments[0]
    assert refunded.payment_type == "ARCREDITPAYMENT" and refunded.credit_note.status == "PAID"
    note = sdk.accounting.get_credit_note(tenant, credit.credit_note_id).credit_notes[0]
    assert (
        note.remaining_credit == 0
        and note.allocations[0].amount == Decimal("13")
        and note.payments[0].amount == Decimal("10")
    )
    removed = sdk.accounting.delete_credit_note_allocations(tenant, credit.credit_note_id, allocation.allocation_id)
    assert removed.is_deleted is True
    assert sdk.accounting.get_invoice(tenant, invoice.invoice_id).invoices[0].amount_due == Decimal("115")


def test_sdk_bank_transaction_and_settings(sdk_client):
    sdk, tenant = sdk_client, sdk_client.tenant_id
    contact = new_contact(sdk)
    charge = BankTransaction(
        type="SPEND",
        contact=Contact(contact_id=contact.contact_id),
        bank_account=Account(code="090"),
        date=date(2026, 3, 3),
        line_items=[
            LineItem(
                description="Bank fee",
                quantity=Decimal(1),
                unit_amount=Decimal("11.50"),
                account_code="404",
                tax_type="INPUT2",
            )
        ],
    )
    created = sdk.accounting.create_bank_transactions(
        tenant, BankTransactions(bank_transactions=[charge])
    ).bank_transactions[0]
    assert created.line_amount_types.value == "Inclusive" and created.total_tax == Decimal("1.50")
    assert (
        sdk.accounting.get_bank_transactions(tenant, page=1).bank_transactions[0].bank_transaction_id
        == created.bank_transaction_id
    )

    accounts = sdk.accounting.get_accounts(tenant, where='Type=="BANK" OR EnablePaymentsToAccount==true').accounts
    assert sorted(a.code for a in accounts) == ["090", "091", "970"]
    new_account = Account(code="451", name="SDK Freight", type=AccountType.EXPENSE, tax_type="INPUT2")
    added = sdk.accounting.create_account(tenant, new_account).accounts[0]
    assert added.code == "451" and added.type == AccountType.EXPENSE and added.status == "ACTIVE"
    rates = {r.tax_type: r for r in sdk.accounting.get_tax_rates(tenant).tax_rates}
    assert rates["TAX002"].effective_rate == Decimal("15.4738")
    assert [c.code.value for c in sdk.accounting.get_currencies(tenant).currencies] == ["NZD", "USD"]
    assert len(sdk.accounting.get_contact_groups(tenant).contact_groups) == 2
    assert sdk.accounting.get_organisations(tenant).organisations[0].base_currency.value == "NZD"
