"""Xero's reference data for the host's mapping screens (SPEC §5; F4.1, F2.3). Imported on
demand when the org is connected and nothing was imported yet."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from xero_sync.models.api_export import (
    XeroAccountsView,
    XeroContactGroupsView,
    XeroCurrenciesView,
    XeroRefreshResponse,
    XeroTaxRatesView,
    documented_responses,
)
from xero_sync.services.connection_gate import require_connected
from xero_sync.wiring import container

router = APIGatewayHttpRouter()

OrgId = Annotated[str, Path(description="The host's id of the organisation.")]
IncludeInactive = Annotated[bool, Query(description="Also archived accounts / deleted or archived tax rates.")]


@router.get(
    "/orgs/<org_id>/xero/accounts",
    tags=["Xero data"],
    summary="Xero's chart of accounts",
    responses=documented_responses(200, XeroAccountsView, 409, 502),
)
def accounts(
    org_id: OrgId,
    payments_enabled: Annotated[
        bool | None,
        Query(
            description="true: only accounts Xero takes payments on (bank accounts and accounts with "
            "EnablePaymentsToAccount; filter on enable_payments_to_account for the latter only)."
        ),
    ] = None,
    include_inactive: IncludeInactive = False,
) -> XeroAccountsView:
    return container().reference_data.accounts(
        org_id, payments_enabled=payments_enabled, include_inactive=include_inactive
    )


@router.get(
    "/orgs/<org_id>/xero/tax-rates",
    tags=["Xero data"],
    summary="Xero's tax rates, with components and effective rate",
    responses=documented_responses(200, XeroTaxRatesView, 409, 502),
)
def tax_rates(org_id: OrgId, include_inactive: IncludeInactive = False) -> XeroTaxRatesView:
    return container().reference_data.tax_rates(org_id, include_inactive=include_inactive)


@router.get(
    "/orgs/<org_id>/xero/contact-groups",
    tags=["Xero data"],
    summary="Xero's contact groups",
    responses=documented_responses(200, XeroContactGroupsView, 409, 502),
)
def contact_groups(org_id: OrgId) -> XeroContactGroupsView:
    return container().reference_data.contact_groups(org_id)


@router.get(
    "/orgs/<org_id>/xero/currencies",
    tags=["Xero data"],
    summary="Currencies enabled in Xero",
    responses=documented_responses(200, XeroCurrenciesView, 409, 502),
)
def currencies(org_id: OrgId) -> XeroCurrenciesView:
    return container().reference_data.currencies(org_id)


@router.post(
    "/orgs/<org_id>/xero/refresh",
    tags=["Xero data"],
    summary="Import Xero's reference data again now",
    description="The host's \"Refresh from Xero\" button: after the admin fixed something in Xero (e.g. "
    "gave an account a code), the records that failed for it are sent again at once (F2.2).",
    responses=documented_responses(200, XeroRefreshResponse, 409, 502),
)
def refresh(org_id: OrgId) -> XeroRefreshResponse:
    services = container()
    require_connected(services.connections, org_id)
    result = services.mapping_contexts.refresh(org_id, services.clock())
    return XeroRefreshResponse(changed=result.changed, requeued=result.requeued)
