"""Typed settings: the configuration contract of SPEC §2, read from the environment.

Each function family has its own settings class (``ApiSettings``, ``ExportWorkerSettings`` …)
holding just what it needs, and its handler reads it when it starts (``get_settings(kind)``),
never at import time: a missing queue URL fails the cold start with the variable's name, not the
first message. ``Settings`` unites them for the local stack, the tools and the tests. Every
function receives the same environment from ``template.yaml`` (``Globals``); what a function may
*do* with those names is limited by its IAM policies.
"""

from __future__ import annotations

import functools
from typing import TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from xero_sync.domain.families import Family

XERO_DEFAULT_SCOPES = (
    "openid profile email offline_access "
    "accounting.settings accounting.contacts accounting.invoices "
    "accounting.payments accounting.banktransactions"
)
"""Granular scopes (xero-facts §1.4): apps created since March 2026 cannot ask for the broad
``accounting.transactions``. ``openid profile email`` give the id_token with the admin's email."""


class ConfigurationError(RuntimeError):
    """The function's environment lacks something it needs (raised when the handler starts)."""


S = TypeVar("S", bound="CoreSettings")


class CoreSettings(BaseSettings):
    """What every function needs: where AWS is, the tables, the token key, the schedule shards."""

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
    links_table: str
    idempotency_table: str

    # --- KMS ---------------------------------------------------------------------------------
    token_key_id: str = Field(description="KMS key (id, ARN or alias) that encrypts Xero tokens.")

    # --- Behaviour ---------------------------------------------------------------------------
    oauth_state_ttl_seconds: int = Field(default=600, gt=0)
    schedule_shards: int = Field(default=16, gt=0, description="Partitions of the due-sync and inactivity indexes.")


class XeroSettings(CoreSettings):
    """Functions that call Xero: the app's credentials, Xero's addresses, limits and batching."""

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
    xero_day_limit: int = Field(default=5000, gt=0, description="Calls a tenant may make per day (Starter orgs: 1000).")
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

    @field_validator("xero_login_url", "xero_identity_url", "xero_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class ExportQueueSettings(CoreSettings):
    """Functions that send record keys to the export queues (one queue and one DLQ per family)."""

    contacts_queue_url: str
    invoices_queue_url: str
    invoice_payments_queue_url: str
    credit_notes_queue_url: str
    bills_queue_url: str
    bill_payments_queue_url: str
    vendor_credits_queue_url: str
    bank_charges_queue_url: str
    contacts_dlq_url: str
    invoices_dlq_url: str
    invoice_payments_dlq_url: str
    credit_notes_dlq_url: str
    bills_dlq_url: str
    bill_payments_dlq_url: str
    vendor_credits_dlq_url: str
    bank_charges_dlq_url: str

    def queue_url(self, family: Family) -> str:
        url: str = getattr(self, f"{family.value}_queue_url")
        return url

    def dlq_url(self, family: Family) -> str:
        url: str = getattr(self, f"{family.value}_dlq_url")
        return url


class NotificationQueueSettings(CoreSettings):
    """Functions that queue admin emails (failure digests, reconnect, inactivity)."""

    notifications_queue_url: str
    digest_window_seconds: int = Field(
        default=600,
        ge=0,
        le=900,
        description="How long failures of one org are collected before one digest email goes out "
        "(an SQS message delay, hence at most 900 s).",
    )


class EmailSettings(CoreSettings):
    """The notifier: SES sender, links into the host (F6.2, F6.3)."""

    email_sender: str = Field(
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
    local_email_dir: str | None = Field(
        default=None,
        description="Local stack only: every email SES accepts is also written here as an .eml file.",
    )


# --- one settings class per function family: validated when the handler starts ------------------


class ApiSettings(XeroSettings, ExportQueueSettings, NotificationQueueSettings):
    """The host HTTP API (connect, settings, records, history, Sync now); it queues the reconnect
    email when a call to Xero finds the org's connection gone."""


class OAuthCallbackSettings(XeroSettings, ExportQueueSettings):
    """The OAuth callback: completes a connect, imports reference data, re-queues what it cures."""


class SyncTickSettings(XeroSettings, ExportQueueSettings):
    """The scheduled tick: starts due syncs (and refreshes Xero's reference data)."""


class ExportWorkerSettings(XeroSettings, ExportQueueSettings, NotificationQueueSettings):
    """The per-family export workers: Xero, the export queues, and failure digests."""


class InactivitySettings(XeroSettings, NotificationQueueSettings):
    """The daily 60-day inactivity checker: revokes at Xero, emails the admin."""


class NotifierSettings(EmailSettings, NotificationQueueSettings):
    """The notifier: sends the queued emails through SES."""


class ReprocessSettings(ExportQueueSettings):
    """The operator's reprocess function: re-queues records."""


class Settings(
    ApiSettings,
    OAuthCallbackSettings,
    SyncTickSettings,
    ExportWorkerSettings,
    InactivitySettings,
    NotifierSettings,
    ReprocessSettings,
):
    """Everything at once: for the local stack (every function in one process), the operator's
    tools and the tests. Each Lambda reads only its own family's class."""


@functools.cache
def get_settings(kind: type[S]) -> S:
    """The settings of this process for one function family, read from the environment on first
    use. A missing or malformed value fails here, naming the variable, before any work starts."""
    try:
        return kind()  # values come from the environment
    except ValidationError as error:
        names = ", ".join("_".join(str(part) for part in item["loc"]).upper() or item["msg"] for item in error.errors())
        raise ConfigurationError(f"{kind.__name__}: missing or invalid environment: {names}") from error


def reset_settings_cache() -> None:
    """For tests and the local runner, after they change the environment."""
    get_settings.cache_clear()
