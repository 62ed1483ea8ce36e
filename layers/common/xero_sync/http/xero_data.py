"""Xero's reference data for the host's mapping screens (SPEC §5; F4.1, F2.3). Imported on
demand when the org is connected and nothing was imported yet."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from xero_sync.http.routes import OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.api_export import (
    XeroAccountsView,
    XeroContactGroupsView,
    XeroCurrenciesView,
    XeroItemsView,
    XeroRefreshResponse,
    XeroTaxRatesView,
    XeroTrackingCategoriesView,
)
from xero_sync.services.connection_gate import require_connected

routes = Routes("Xero data")

IncludeInactive = Annotated[bool, Query(description="Also archived accounts / deleted or archived tax rates.")]


@routes.route("GET", "/orgs/<org_id>/xero/accounts", XeroAccountsView, 409, 502, summary="Xero's chart of accounts")
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
    return services().reference_data.accounts(
        org_id, payments_enabled=payments_enabled, include_inactive=include_inactive
    )


@routes.route(
    "GET",
    "/orgs/<org_id>/xero/tax-rates",
    XeroTaxRatesView,
    409,
    502,
    summary="Xero's tax rates, with components and effective rate",
)
def tax_rates(org_id: OrgId, include_inactive: IncludeInactive = False) -> XeroTaxRatesView:
    return services().reference_data.tax_rates(org_id, include_inactive=include_inactive)


@routes.route(
    "GET", "/orgs/<org_id>/xero/contact-groups", XeroContactGroupsView, 409, 502, summary="Xero's contact groups"
)
def contact_groups(org_id: OrgId) -> XeroContactGroupsView:
    return services().reference_data.contact_groups(org_id)


@routes.route(
    "GET", "/orgs/<org_id>/xero/currencies", XeroCurrenciesView, 409, 502, summary="Currencies enabled in Xero"
)
def currencies(org_id: OrgId) -> XeroCurrenciesView:
    return services().reference_data.currencies(org_id)


@routes.route("GET", "/orgs/<org_id>/xero/items", XeroItemsView, 409, 502, summary="Xero's items (for viewing)")
def items(org_id: OrgId) -> XeroItemsView:
    return services().reference_data.items(org_id)


@routes.route(
    "GET",
    "/orgs/<org_id>/xero/tracking-categories",
    XeroTrackingCategoriesView,
    409,
    502,
    summary="Xero's tracking categories and their options (for the tracking mapping)",
)
def tracking_categories(org_id: OrgId) -> XeroTrackingCategoriesView:
    return services().reference_data.tracking_categories(org_id)


@routes.route(
    "POST",
    "/orgs/<org_id>/xero/refresh",
    XeroRefreshResponse,
    409,
    502,
    summary="Import Xero's reference data again now",
    description='The host\'s "Refresh from Xero" button: after the admin fixed something in Xero (e.g. '
    "gave an account a code), the records that failed for it are sent again at once (F2.2).",
)
def refresh(org_id: OrgId) -> XeroRefreshResponse:
    app = services()
    require_connected(app.connections, org_id)
    result = app.mapping_contexts.refresh(org_id, app.clock())
    return XeroRefreshResponse(changed=result.changed, requeued=result.requeued)
