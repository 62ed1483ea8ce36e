"""Writes of many elements in one request, with Xero's ``summarizeErrors`` behaviour
(xero-facts §3.3, §9 item 5).

Elements are processed one after the other, each seeing what the previous ones saved. An element
either saves completely or not at all (its ``process`` function validates before it changes
anything).

* ``summarizeErrors`` absent/true: if any element failed → **400** ``ValidationException`` whose
  ``Elements`` echo the failed elements with their ``ValidationErrors``. The valid elements are
  **still saved** and their ids are not returned — Xero's trap, reproduced on purpose.
* ``summarizeErrors=false`` → **200**; every element comes back in request order with
  ``StatusAttributeString`` ``OK`` | ``WARNING`` | ``ERROR``, its ``ValidationErrors`` /
  ``Warnings`` and, where the entity has one, the ``HasErrors``/``HasValidationErrors`` flag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..interfaces import AccountingResponse
from . import wire
from .context import RequestContext
from .errors import ElementInvalid
from .parsing import Element


@dataclass
class Saved:
    """A saved element: its rendered record and any warnings (saved anyway)."""

    view: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


Processor = Callable[[Element], Saved]


def run_batch(
    ctx: RequestContext,
    elements: list[Element],
    process: Processor,
    collection: str,
    error_flag: str | None,
    summarize: bool | None = None,
    status_attribute: bool = True,
) -> AccountingResponse:
    """``error_flag`` is the entity's boolean for a failed element (``HasErrors`` on invoices
    and credit notes, ``HasValidationErrors`` on contacts and payments, ``None`` if it has none).
    ``summarize`` overrides the request's ``summarizeErrors`` (endpoints without the parameter
    always summarise). ``status_attribute`` is False for entities whose schema has no
    ``StatusAttributeString`` (Accounts, TaxRates, Currencies, ContactGroups)."""
    outcomes: list[Saved | ElementInvalid] = []
    for element in elements:
        try:
            outcomes.append(process(element))
        except ElementInvalid as failure:
            outcomes.append(failure)

    summarize = ctx.summarize_errors if summarize is None else summarize
    failures = [o for o in outcomes if isinstance(o, ElementInvalid)]
    if summarize:
        if failures:
            elements_body = [_failed(failure, None) for failure in failures]
            return AccountingResponse(400, wire.validation_exception(elements_body), {}, ctx.events)
        return ctx.ok(collection, [_saved(o, status_attribute) for o in outcomes if isinstance(o, Saved)])

    items = [_saved(o, status_attribute) if isinstance(o, Saved) else _failed(o, error_flag) for o in outcomes]
    return ctx.ok(collection, items)


def _saved(outcome: Saved, status_attribute: bool) -> dict[str, Any]:
    view = dict(outcome.view)
    if not status_attribute:
        return view
    if outcome.warnings:
        view["StatusAttributeString"] = "WARNING"
        view["Warnings"] = [{"Message": message} for message in outcome.warnings]
    else:
        view["StatusAttributeString"] = "OK"
    return view


def _failed(failure: ElementInvalid, error_flag: str | None) -> dict[str, Any]:
    echo = dict(failure.echo)
    if error_flag:
        echo[error_flag] = True
    echo["StatusAttributeString"] = "ERROR"
    echo["ValidationErrors"] = [{"Message": message} for message in failure.messages]
    return echo
