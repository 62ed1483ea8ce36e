"""The org's integration settings and tax mappings (SPEC §5; F2.1–F2.4)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from xero_sync.http.routes import OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.api_export import OrgSettingsUpdate, OrgSettingsView, TaxMappingsUpdate, TaxMappingsView

routes = Routes("Settings")


@routes.route(
    "GET", "/orgs/<org_id>/settings", OrgSettingsView, summary="The org's settings (the defaults until saved)"
)
def get_settings(org_id: OrgId) -> OrgSettingsView:
    return services().org_settings.get(org_id)


@routes.route(
    "PUT",
    "/orgs/<org_id>/settings",
    OrgSettingsView,
    409,
    502,
    summary="Save the org's settings",
    description=(
        "Accounts, the no-tax rate and contact groups are checked against what was imported from Xero: "
        "an account must exist, be active, have a code and not be a bank account (F2.2). Send the revision "
        "you read to be told (409) when someone saved in between."
    ),
)
def put_settings(org_id: OrgId, body: Annotated[OrgSettingsUpdate, Body()]) -> OrgSettingsView:
    return services().org_settings.put(org_id, body)


@routes.route("GET", "/orgs/<org_id>/tax-mappings", TaxMappingsView, summary="Host taxes → Xero tax rates")
def get_tax_mappings(org_id: OrgId) -> TaxMappingsView:
    return services().org_settings.get_tax_mappings(org_id)


@routes.route(
    "PUT",
    "/orgs/<org_id>/tax-mappings",
    TaxMappingsView,
    409,
    502,
    summary="Save the tax mappings",
    description="Each mapping is refused unless the host rate equals the Xero rate, compound rates included (F2.3).",
)
def put_tax_mappings(org_id: OrgId, body: Annotated[TaxMappingsUpdate, Body()]) -> TaxMappingsView:
    return services().org_settings.put_tax_mappings(org_id, body)
