"""The chaos harness's data set (benchmarks/chaos.py): whole sale and purchase stories of every
family, built from one seeded generator, each record with what it must be in Xero (``Expected``),
which the final count (chaos_tally.py) checks the emulated books against."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from local import host_records as host

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Expected:
    """What one record must be in Xero."""

    entity: str
    record_id: str
    number: str | None = None  # the document (or the credit note an allocation is on)
    name: str | None = None  # contacts
    amount: Decimal | None = None  # the document's total, the payment's or allocation's amount
    on_invoice: str | None = None  # allocations: the number of the invoice or bill allocated to


def _lines(rng: random.Random, account: str) -> list[dict[str, Any]]:
    return [
        host.line(
            f"{rng.randint(500, 40000) / 100:.2f}",
            rng.randint(1, 5),
            item=f"Item {rng.randint(1, 99)}",
            account_code=account,
        )
        for _ in range(rng.randint(1, 3))
    ]


def _total(lines: list[dict[str, Any]]) -> Decimal:
    """What Xero computes: the line amounts, plus 15 % tax per line rounded half-up to the cent."""
    amounts = [Decimal(str(item["quantity"])) * Decimal(item["rate"]) for item in lines]
    return sum(a + (a * Decimal("0.15")).quantize(CENT, rounding=ROUND_HALF_UP) for a in amounts).quantize(CENT)


def _credited(
    rng: random.Random, document_lines: list[dict[str, Any]], item: str, account: str
) -> tuple[list[dict[str, Any]], tuple[Decimal, ...]]:
    """A credit for a document that is partly paid: the credit's lines, and (the document's
    total, the credit's total, paid, allocated from the credit, refunded of the credit)."""
    credit_lines = [host.line(f"{rng.randint(200, 2000) / 100:.2f}", 1, item=item, account_code=account)]
    total, credit_total = _total(document_lines), _total(credit_lines)
    paid = (total * Decimal(rng.randint(10, 50)) / 100).quantize(CENT)
    allocated = min(credit_total / 2, total - paid).quantize(CENT)
    refunded = ((credit_total - allocated) / 2).quantize(CENT)
    return credit_lines, (total, credit_total, paid, allocated, refunded)


def sale(n: int, rng: random.Random) -> list[tuple[dict[str, Any], Expected]]:
    """A customer with two invoices: the first partly paid and credited (a credit note allocated to
    it and partly refunded), the second written off; and a bank charge."""
    c, a, b, cn = f"cus-{n}", f"inv-{n}-a", f"inv-{n}-b", f"cn-{n}"
    name, a_no, b_no, cn_no = f"Chaos Customer {n:05d} Ltd", f"CH-{n:05d}-A", f"CH-{n:05d}-B", f"CHCN-{n:05d}"
    a_lines, b_lines = _lines(rng, "200"), _lines(rng, "200")
    cn_lines, (a_total, cn_total, paid, allocated, refunded) = _credited(rng, a_lines, "Returned goods", "200")
    charge = Decimal(rng.randint(100, 2500)) / 100
    return [
        (host.contact(c, name), Expected("contact", c, name=name)),
        (host.invoice(a, a_no, c, lines=a_lines), Expected("invoice", a, number=a_no, amount=a_total)),
        (host.invoice_payment(f"pay-{n}", a, str(paid)), Expected("invoice_payment", f"pay-{n}", amount=paid)),
        (host.credit_note(cn, cn_no, c, lines=cn_lines), Expected("credit_note", cn, number=cn_no, amount=cn_total)),
        (
            host.credit_note_allocation(f"cna-{n}", cn, a, str(allocated)),
            Expected("credit_note_allocation", f"cna-{n}", number=cn_no, amount=allocated, on_invoice=a_no),
        ),
        (
            host.credit_note_refund(f"cnr-{n}", cn, str(refunded)),
            Expected("credit_note_refund", f"cnr-{n}", amount=refunded),
        ),
        (host.invoice(b, b_no, c, lines=b_lines), Expected("invoice", b, number=b_no, amount=_total(b_lines))),
        (host.write_off(f"wo-{n}", b), Expected("write_off", f"wo-{n}", number=f"{b_no}-WO", amount=_total(b_lines))),
        (host.bank_charge(f"bc-{n}", str(charge), contact_id=c), Expected("bank_charge", f"bc-{n}", amount=charge)),
    ]


def purchase(n: int, rng: random.Random) -> list[tuple[dict[str, Any], Expected]]:
    """A vendor with a bill, partly paid and credited (a vendor credit allocated to it and partly
    refunded)."""
    v, b, vc = f"ven-{n}", f"bill-{n}", f"vc-{n}"
    name, b_no, vc_no = f"Chaos Vendor {n:05d} Ltd", f"CHB-{n:05d}", f"CHVC-{n:05d}"
    b_lines = _lines(rng, "300")
    vc_lines, (b_total, vc_total, paid, allocated, refunded) = _credited(rng, b_lines, "Damaged goods", "300")
    return [
        (host.vendor(v, name), Expected("contact", v, name=name)),
        (host.bill(b, b_no, v, lines=b_lines), Expected("bill", b, number=b_no, amount=b_total)),
        (host.bill_payment(f"bp-{n}", b, str(paid)), Expected("bill_payment", f"bp-{n}", amount=paid)),
        (
            host.vendor_credit(vc, vc_no, v, lines=vc_lines),
            Expected("vendor_credit", vc, number=vc_no, amount=vc_total),
        ),
        (
            host.vendor_credit_allocation(f"vca-{n}", vc, b, str(allocated)),
            Expected("vendor_credit_allocation", f"vca-{n}", number=vc_no, amount=allocated, on_invoice=b_no),
        ),
        (
            host.vendor_credit_refund(f"vcr-{n}", vc, str(refunded)),
            Expected("vendor_credit_refund", f"vcr-{n}", amount=refunded),
        ),
    ]


def data_set(records: int, rng: random.Random) -> list[tuple[dict[str, Any], Expected]]:
    """Whole stories (a child never without its parent) until ``records`` are reached."""
    found: list[tuple[dict[str, Any], Expected]] = []
    n = 0
    while len(found) < records:
        found += sale(n, rng) + purchase(n, rng)
        n += 1
    return found
