"""Bodies of the host API (SPEC §5) that are not record schemas: requests the routes validate and
responses they return. These models also generate the published OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


# --- errors (SPEC §5) -----------------------------------------------------------------------


class ErrorDetail(ApiModel):
    field: str | None = Field(default=None, description="Dotted path of the input at fault, when there is one.")
    message: str


class ErrorInfo(ApiModel):
    code: str = Field(description="Stable machine-readable code, e.g. validation_error, forbidden.")
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)
    request_id: str | None = Field(
        default=None,
        description="On 500 only: the request's id, which every log line of the request carries. Quote it "
        "when you report the error.",
    )


class ErrorResponse(ApiModel):
    error: ErrorInfo


# --- connect (F1) ---------------------------------------------------------------------------


class ConnectRequest(ApiModel):
    return_url: str = Field(
        description="The host page the admin's browser returns to after Xero's consent; the outcome "
        "is appended as xero_status (connected | choose_tenant | denied | failed), xero_org_id and "
        "xero_error. An absolute https URL (http only for localhost) without a fragment, on one of the "
        "deployment's host origins (HOST_APP_ORIGINS) or the org's settings.allowed_host_origins.",
        examples=["https://app.example.com/settings/integrations/xero"],
        max_length=2000,
        json_schema_extra={"format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s#\\x00-\\x1f]+$"},
    )


class ConnectResponse(ApiModel):
    authorize_url: str
    expires_at: datetime = Field(description="The consent link stops working after this time.")


class TenantView(ApiModel):
    tenant_id: str
    tenant_name: str | None = None
    tenant_type: str | None = None


class ConnectionView(ApiModel):
    org_id: str
    status: str = Field(
        description="not_connected | pending_tenant | connected | disabled | needs_reauth | "
        "disconnected | disconnected_inactive"
    )
    tenant: TenantView | None = None
    tenants: list[TenantView] = Field(
        default_factory=list, description="Every tenant the admin's consent covered (choose one when several)."
    )
    connected_by_email: str | None = None
    connected_at: datetime | None = None
    last_activity_at: datetime | None = None
    last_sync_at: datetime | None = None
    next_sync_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    disconnected_at: datetime | None = None
    disconnect_reason: str | None = None
    warnings: list[str] = Field(default_factory=list, description="Things the admin should know about the last action.")
    shared_tenant: bool = Field(
        default=False,
        description="Another org is connected to the same Xero organisation (N7): the records of both reach the "
        "same Xero books, and disconnecting one leaves the other connected (the Xero connection and access are "
        "kept at Xero while another org uses them).",
    )


class ChooseTenantRequest(ApiModel):
    tenant_id: str = Field(min_length=1, max_length=100)


# --- misc ------------------------------------------------------------------------------------


class Accepted(ApiModel):
    accepted: bool = True
    details: dict[str, Any] = Field(default_factory=dict)


class OAuthCallbackQuery(BaseModel):
    """What Xero appends to the redirect URI (F1.2). Unknown extras (e.g. ``scope``,
    ``session_state``) are ignored: Xero may add parameters."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    # No length limits here on purpose: a forged or mangled value takes the normal path (an
    # unknown state, a refused code) and gets the same clear page or redirect.
    state: str | None = None
    code: str | None = None
    error: str | None = None
    error_description: str | None = None
