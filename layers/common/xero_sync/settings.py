"""Typed settings: the configuration contract of SPEC §2, read from the environment.

Settings are read when a handler starts (``get_settings()``), never at import time, so that
importing a module is free of side effects and tests can build ``Settings(...)`` directly.
Every function receives the same environment from ``template.yaml`` (``Globals``); what a
function may *do* with those names is limited by its IAM policies, not by what it can read.
"""

from __future__ import annotations

import functools

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from xero_sync.domain.families import Family

XERO_DEFAULT_SCOPES = (
    "openid profile email offline_access "
    "accounting.settings accounting.contacts accounting.invoices "
    "accounting.payments accounting.banktransactions"
)
"""Granular scopes (xero-facts §1.4): apps created since March 2026 cannot ask for the broad
``accounting.transactions``. ``openid profile email`` give the id_token with the admin's email."""


class Settings(BaseSettings):
    """Everything a function of this service may need to know about where things are."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    # --- AWS ---------------------------------------------------------------------------------
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")
    aws_endpoint_url: str | None = Field(
        default=None,
        validation_alias="AWS_ENDPOINT_URL",
        description="When set (local stack, tests), every boto3/PynamoDB client talks to it.",
    )

    # --- DynamoDB tables ---------------------------------------------------------------------
    connections_table: str
    org_config_table: str
    oauth_states_table: str
    api_keys_table: str
    rate_limits_table: str
    records_table: str
    history_table: str
    idempotency_table: str

    # --- KMS ---------------------------------------------------------------------------------
    token_key_id: str = Field(description="KMS key (id, ARN or alias) that encrypts Xero tokens.")

    # --- Xero --------------------------------------------------------------------------------
    xero_client_id: str | None = None
    xero_client_secret: SecretStr | None = None
    xero_credentials_secret: str | None = Field(
        default=None,
        description=(
            "Name or ARN of a Secrets Manager secret holding "
            '{"client_id": ..., "client_secret": ...}; used when XERO_CLIENT_ID/SECRET are unset.'
        ),
    )
    xero_redirect_uri: str | None = None
    xero_login_url: str = "https://login.xero.com"
    xero_identity_url: str = "https://identity.xero.com"
    xero_api_url: str = "https://api.xero.com"
    xero_scopes: str = XERO_DEFAULT_SCOPES
    xero_timeout_seconds: float = Field(default=30.0, gt=0)
    xero_day_limit: int = Field(
        default=5000, gt=0, description="Calls a tenant may make per day (Starter orgs: 1000)."
    )
    xero_minute_limit: int = Field(default=60, gt=0)
    xero_concurrency_limit: int = Field(default=5, gt=0)
    export_backoff_seconds: int = Field(
        default=30,
        ge=0,
        le=900,
        description="First delay before a record is tried again (doubling after): a retryable Xero failure, or a "
        "parent still on its way. The local demo shortens it.",
    )
    xero_batch_size: int = Field(
        default=50,
        ge=1,
        le=100,
        description="Records per Xero write call (xero-facts §3.2 recommends about 50); 1 = the benchmark's baseline.",
    )

    # --- Queues (one per entity family, each with a dead-letter queue) -----------------------
    contacts_queue_url: str | None = None
    invoices_queue_url: str | None = None
    invoice_payments_queue_url: str | None = None
    credit_notes_queue_url: str | None = None
    bills_queue_url: str | None = None
    bill_payments_queue_url: str | None = None
    vendor_credits_queue_url: str | None = None
    bank_charges_queue_url: str | None = None
    contacts_dlq_url: str | None = None
    invoices_dlq_url: str | None = None
    invoice_payments_dlq_url: str | None = None
    credit_notes_dlq_url: str | None = None
    bills_dlq_url: str | None = None
    bill_payments_dlq_url: str | None = None
    vendor_credits_dlq_url: str | None = None
    bank_charges_dlq_url: str | None = None
    notifications_queue_url: str | None = None

    # --- Admin emails (F6.2, F6.3): SES sender, links into the host, the digest window --------
    email_sender: str | None = Field(
        default=None,
        description="From address of the admin emails, e.g. 'Acme Xero sync <xero-sync@acme.example>'; "
        "its address or domain must be a verified SES identity.",
    )
    email_reply_to: str | None = Field(default=None, description="Reply-To of the admin emails (e.g. support).")
    email_product_name: str = Field(
        default="Xero integration", max_length=80, description="How the emails name the integration."
    )
    host_history_url_template: str | None = Field(
        default=None,
        description="The host's sync history page for an org; placeholder {org_id}. Linked from failure digests.",
    )
    host_reconnect_url_template: str | None = Field(
        default=None,
        description="The host's Xero integration page for an org (connect, Sync now); placeholder {org_id}. "
        "Linked from the needs-reauth, inactivity warning and disconnect emails.",
    )
    digest_window_seconds: int = Field(
        default=600,
        ge=0,
        le=900,
        description="How long failures of one org are collected before one digest email goes out "
        "(an SQS message delay, hence at most 900 s).",
    )
    local_email_dir: str | None = Field(
        default=None,
        description="Local stack only: every email SES accepts is also written here as an .eml file.",
    )

    # --- Behaviour ---------------------------------------------------------------------------
    oauth_state_ttl_seconds: int = Field(default=600, gt=0)
    schedule_shards: int = Field(
        default=16, gt=0, description="Partitions of the due-sync and inactivity indexes."
    )

    @field_validator("xero_login_url", "xero_identity_url", "xero_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def queue_url(self, family: Family) -> str:
        url = getattr(self, f"{family.value}_queue_url")
        if not url:
            raise RuntimeError(f"{family.env_prefix}_QUEUE_URL is not set")
        return url

    def dlq_url(self, family: Family) -> str:
        url = getattr(self, f"{family.value}_dlq_url")
        if not url:
            raise RuntimeError(f"{family.env_prefix}_DLQ_URL is not set")
        return url


@functools.cache
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()  # type: ignore[call-arg]  # values come from the environment


def reset_settings_cache() -> None:
    """For tests and the local runner, after they change the environment."""
    get_settings.cache_clear()
