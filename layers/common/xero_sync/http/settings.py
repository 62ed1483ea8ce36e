"""The org's integration settings and tax mappings (SPEC §5; F2.1–F2.4)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from xero_sync.http.services import services
from xero_sync.models.api_export import (
    OrgSettingsUpdate,
    OrgSettingsView,
    TaxMappingsUpdate,
    TaxMappingsView,
    documented_responses,
)

router = APIGatewayHttpRouter()

OrgId = Annotated[str, Path(description="The host's id of the organisation.")]


@router.get(
    "/orgs/<org_id>/settings",
    tags=["Settings"],
    summary="The org's settings (the defaults until saved)",
    responses=documented_responses(200, OrgSettingsView),
)
def get_settings(org_id: OrgId) -> OrgSettingsView:
    return services().org_settings.get(org_id)


@router.put(
    "/orgs/<org_id>/settings",
    tags=["Settings"],
    summary="Save the org's settings",
    description=(
        "Accounts, the no-tax rate and contact groups are checked against what was imported from Xero: "
        "an account must exist, be active, have a code and not be a bank account (F2.2). Send the revision "
        "you read to be told (409) when someone saved in between."
    ),
    responses=documented_responses(200, OrgSettingsView, 409, 502),
)
def put_settings(org_id: OrgId, body: Annotated[OrgSettingsUpdate, Body()]) -> OrgSettingsView:
    return services().org_settings.put(org_id, body)


@router.get(
    "/orgs/<org_id>/tax-mappings",
    tags=["Settings"],
    summary="Host taxes → Xero tax rates",
    responses=documented_responses(200, TaxMappingsView),
)
def get_tax_mappings(org_id: OrgId) -> TaxMappingsView:
    return services().org_settings.get_tax_mappings(org_id)


@router.put(
    "/orgs/<org_id>/tax-mappings",
    tags=["Settings"],
    summary="Save the tax mappings",
    description="Each mapping is refused unless the host rate equals the Xero rate, compound rates included (F2.3).",
    responses=documented_responses(200, TaxMappingsView, 409, 502),
)
def put_tax_mappings(org_id: OrgId, body: Annotated[TaxMappingsUpdate, Body()]) -> TaxMappingsView:
    return services().org_settings.put_tax_mappings(org_id, body)
