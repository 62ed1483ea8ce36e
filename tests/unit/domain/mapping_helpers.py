"""What the mapping tests share: parent links as dependencies.resolve returns them, and short
ways to map a record and read the result."""

from __future__ import annotations

from typing import Any

from export_domain_helpers import context, link

from xero_sync.domain.mapping import Mapped, map_record
from xero_sync.domain.problems import ProblemCode
from xero_sync.models.records import EntityName

E = EntityName
CONTACT_X = "11111111-aaaa-4aaa-8aaa-000000000001"
INVOICE_X = "22222222-bbbb-4bbb-8bbb-000000000002"


def links_for(entity: EntityName, **parent_extra: Any) -> dict[str, Any]:
    """Parent links as dependencies.resolve would return them."""
    invoice_link = link(E.INVOICE, "inv-1", INVOICE_X, number="INV-1", contact_xero_id=CONTACT_X, **parent_extra)
    return {
        E.INVOICE: {"contact_id": link(E.CONTACT, "cus-1", CONTACT_X)},
        E.CREDIT_NOTE: {"contact_id": link(E.CONTACT, "cus-1", CONTACT_X)},
        E.BILL: {"vendor_id": link(E.CONTACT, "ven-1", CONTACT_X)},
        E.VENDOR_CREDIT: {"vendor_id": link(E.CONTACT, "ven-1", CONTACT_X)},
        E.INVOICE_PAYMENT: {"invoice_id": invoice_link},
        E.WRITE_OFF: {"invoice_id": invoice_link},
        E.BILL_PAYMENT: {"bill_id": link(E.BILL, "bill-1", "X-BILL", **parent_extra)},
        E.CREDIT_NOTE_REFUND: {"credit_note_id": link(E.CREDIT_NOTE, "cn-1", "X-CN", **parent_extra)},
        E.VENDOR_CREDIT_REFUND: {"vendor_credit_id": link(E.VENDOR_CREDIT, "vc-1", "X-VC", **parent_extra)},
        E.CREDIT_NOTE_ALLOCATION: {"credit_note_id": link(E.CREDIT_NOTE, "cn-1", "X-CN"), "invoice_id": invoice_link},
        E.VENDOR_CREDIT_ALLOCATION: {
            "vendor_credit_id": link(E.VENDOR_CREDIT, "vc-1", "X-VC"),
            "bill_id": link(E.BILL, "bill-1", "X-BILL"),
        },
        E.BANK_CHARGE: {},
        E.CONTACT: {},
    }[entity]


def mapped(entity: EntityName, data: Any, ctx=None, **kwargs: Any) -> Mapped[Any]:
    return map_record(entity, "host-1", data, ctx or context(), links_for(entity), **kwargs)


def ok(entity: EntityName, data: Any, ctx=None, **kwargs: Any) -> Any:
    result = mapped(entity, data, ctx, **kwargs)
    assert result.ok, result.problems
    return result.payload


def codes(result: Mapped[Any]) -> list[ProblemCode]:
    return [problem.code for problem in result.problems]


def line(payload: Any, index: int = 0) -> Any:
    return payload.LineItems[index]


def extra_line(payload: Any, description: str) -> tuple[Any, ...]:
    """(Quantity, UnitAmount, AccountCode, TaxType) of the one line with ``description``."""
    [found] = [li for li in payload.LineItems if li.Description == description]
    return (found.Quantity, found.UnitAmount, found.AccountCode, found.TaxType)
