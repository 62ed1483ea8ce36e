"""Bodies of ``POST /v1/orgs/{org_id}/console-sessions`` (F8): the host asks for a single-use link
into the integration console for one org."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from xero_sync.models.api import ApiModel
from xero_sync.models.language import Language


class ConsoleSessionRequest(ApiModel):
    page: str | None = Field(
        default=None,
        max_length=300,
        description="The page the link opens: connection (default), settings, tax-mappings, field-mapping, "
        "history, or contacts/<contact id>/invoices (the invoices panel of one contact).",
        examples=["settings", "contacts/cus-17/invoices"],
    )
    language: Language | None = Field(
        default=None, description="en, de or fr for this session; default: the org's language setting."
    )
    return_url: str | None = Field(
        default=None,
        max_length=2000,
        description="The host page the console links back to ('Back to …'); it must be on one of the org's "
        "allowed_host_origins when the org lists any.",
        examples=["https://app.example.com/settings/integrations"],
    )


class ConsoleSessionResponse(ApiModel):
    url: str = Field(
        description="Open this once, in the admin's browser (a link, a new tab, or an iframe's src). It starts "
        "a console session for this org only; a second use is refused."
    )
    expires_at: datetime = Field(description="The link must be opened before this time.")
