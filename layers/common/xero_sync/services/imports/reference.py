"""Xero's reference data as changes (F4.1): accounts, tax rates, currencies and contact groups,
as the host's mapping screens show them (GET /v1/orgs/{org}/xero/...), so that a new account or
a changed tax rate reaches the change feed. They are read by the reference-data service, which
also stores them for the export and re-queues records a change may cure (F2.2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from xero_sync.domain.changes import Resource
from xero_sync.models.reference_data import ReferenceData
from xero_sync.services.imports.candidates import Candidate, reference_candidate
from xero_sync.services.reference_data import account_view, tax_rate_view


@dataclass
class ReferenceImport:
    refresh: Callable[[str, datetime], object]  # OrgMappingContexts.refresh: import, store, re-queue
    load: Callable[[str], ReferenceData | None]

    def candidates(self, org_id: str, now: datetime) -> list[Candidate]:
        self.refresh(org_id, now)
        reference = self.load(org_id)
        if reference is None:
            return []
        found = [
            reference_candidate(org_id, Resource.ACCOUNT, a.AccountID, account_view(a).model_dump(mode="json"))
            for a in reference.accounts
        ]
        found += [
            reference_candidate(org_id, Resource.TAX_RATE, t.TaxType, tax_rate_view(t).model_dump(mode="json"))
            for t in reference.tax_rates
        ]
        found += [
            reference_candidate(org_id, Resource.CURRENCY, c.Code, {"code": c.Code, "description": c.Description})
            for c in reference.currencies
        ]
        found += [
            reference_candidate(
                org_id,
                Resource.CONTACT_GROUP,
                g.ContactGroupID,
                {"contact_group_id": g.ContactGroupID, "name": g.Name, "status": g.Status},
            )
            for g in reference.contact_groups
        ]
        return found
