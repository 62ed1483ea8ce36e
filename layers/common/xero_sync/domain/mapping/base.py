"""What every mapper shares: the org's context going in, :class:`Mapped` coming out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from xero_sync.domain import money
from xero_sync.domain.problems import Notice, Problem
from xero_sync.models.org_config import OrgSettings, TaxMappings
from xero_sync.models.reference_data import ReferenceData

P = TypeVar("P")


@dataclass(frozen=True)
class MappingContext:
    """What the mapping knows about the org. ``reference`` must be the latest import (F4.1)."""

    org_id: str
    settings: OrgSettings
    tax_mappings: TaxMappings
    reference: ReferenceData


@dataclass(frozen=True)
class Mapped(Generic[P]):
    """A payload ready for Xero, or the problems that stop it; notices either way.
    ``unitdp`` is the query parameter the request needs (2 = leave it out)."""

    payload: P | None
    problems: tuple[Problem, ...] = ()
    notices: tuple[Notice, ...] = ()
    unitdp: int = 2
    totals: money.DocumentTotals | None = None  # documents: Xero's expected totals

    @property
    def ok(self) -> bool:
        return self.payload is not None and not self.problems


def plain(value: Decimal) -> str:
    """A decimal as people write it: 12.50 → "12.5", 1E+1 → "10"."""
    return format(value.normalize(), "f")
