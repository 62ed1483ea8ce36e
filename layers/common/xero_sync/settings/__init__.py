"""Typed settings: the configuration contract of SPEC §2, read from the environment.

Each function has its own settings class (``ApiSettings``, ``ExportWorkerSettings`` …) holding
just what it needs, in a module named after its folder (``settings/api.py`` for ``functions/api``),
made of the parts defined here; a function imports only its own (each pydantic class costs ~1 ms
at import; N6). Its handler reads it when it starts (``get_settings(kind)``),
never at import time: a missing queue URL fails the cold start with the variable's name, not the
first message. Each field is the environment variable of its name in capitals (``RECORDS_TABLE``)
or of its alias (``AWS_REGION``), validated by pydantic. Every value here is one string, so
pydantic-settings' sources (dotenv files, JSON in variables, secrets directories, a CLI) would
add nothing but time to every function's cold start (it imports asyncio and python-dotenv; N6).
``Settings`` (``settings/everything.py``) unites them for the local stack, the tools and the
tests. Every function receives the same environment from ``template.yaml`` (``Globals``); what a
function may *do* with those names is limited by its IAM policies.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from xero_sync.domain.families import Family

XERO_DEFAULT_SCOPES = (
    "openid profile email offline_access "
    "accounting.settings accounting.contacts accounting.invoices "
    "accounting.payments accounting.banktransactions accounting.manualjournals"
)
"""Granular scopes (xero-facts §1.4): apps created since March 2026 cannot ask for the broad
``accounting.transactions``. ``openid profile email`` give the id_token with the admin's email;
``accounting.manualjournals`` is for the daily inventory journal (F3.9): an org connected before
it was asked for reconnects once to journal."""


class ConfigurationError(RuntimeError):
    """The function's environment lacks something it needs (raised when the handler starts)."""


S = TypeVar("S", bound="CoreSettings")


class CoreSettings(BaseModel):
    """What every function needs: where AWS is, the tables, the token key, the schedule shards."""

    # defer_build: a class is built when first read, and a function reads one of the ~25 (N6)
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True, validate_by_name=True)

    @classmethod
    def from_environment(cls: type[S], environ: Mapping[str, str] | None = None) -> S:
        """The settings in ``environ`` (the process's environment): each field from the variable
        of its alias or its name, in capitals; a variable that is not set leaves the default."""
        environ = os.environ if environ is None else environ
        values = {}
        for name, field in cls.model_fields.items():
            key = field.validation_alias if isinstance(field.validation_alias, str) else name
            if key.upper() in environ:
                values[key] = environ[key.upper()]
        return cls.model_validate(values)

    # --- AWS ---------------------------------------------------------------------------------
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")
    aws_endpoint_url: str | None = Field(
        default=None,
        validation_alias="AWS_ENDPOINT_URL",
        description="When set (local stack, tests), every boto3/PynamoDB client talks to it.",
    )
    # boto3's per-service variables, which win over AWS_ENDPOINT_URL for their service: the
    # benchmarks run DynamoDB and SQS each in a moto server process of its own, so that one
    # Python process serving every service is not what they measure. Only these two are read
    # here (every client is made through aws_client() or dal.base, which pass the endpoint
    # explicitly, and an explicit endpoint overrides boto3's own reading of the variables).
    aws_endpoint_url_dynamodb: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL_DYNAMODB")
    aws_endpoint_url_sqs: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL_SQS")

    # --- DynamoDB tables ---------------------------------------------------------------------
    connections_table: str
    org_config_table: str
    oauth_states_table: str
    api_keys_table: str
    rate_limits_table: str
    records_table: str
    history_table: str
    links_table: str
    invoice_views_table: str
    idempotency_table: str
    console_sessions_table: str

    # --- KMS ---------------------------------------------------------------------------------
    token_key_id: str = Field(description="KMS key (id, ARN or alias) that encrypts Xero tokens.")

    # --- Behaviour ---------------------------------------------------------------------------
    oauth_state_ttl_seconds: int = Field(default=600, gt=0)
    schedule_shards: int = Field(default=16, gt=0, description="Partitions of the due-sync and inactivity indexes.")

    def aws_endpoint_for(self, service: str) -> str | None:
        """Where the boto3/PynamoDB client of ``service`` (``"dynamodb"``, ``"sqs"``, ``"kms"`` …)
        goes: the service's own variable when it has one and it is set, else AWS_ENDPOINT_URL
        (unset in AWS: the region's endpoint)."""
        own = {"dynamodb": self.aws_endpoint_url_dynamodb, "sqs": self.aws_endpoint_url_sqs}.get(service)
        return own or self.aws_endpoint_url


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
    xero_app_minute_limit: int = Field(
        default=10_000, gt=0, description="Calls the Xero app may make per minute across all tenants (N2)."
    )
    export_backoff_seconds: int = Field(
        default=30,
        ge=0,
        le=900,
        description="First delay before a record is tried again (doubling after): a retryable Xero failure, or a "
        "parent still on its way. The local demo shortens it.",
    )
    missing_parent_hours: int = Field(
        default=24,
        ge=1,
        le=720,
        description="How long a record waits for a record it refers to that the host has not pushed yet (F3.4: "
        "out-of-order pushes) before it fails and reaches the admin's failure digest.",
    )
    xero_batch_size: int = Field(
        default=50,
        ge=1,
        le=100,
        description="Records per Xero write call (xero-facts §3.2 recommends about 50); 1 = the benchmark's baseline.",
    )

    xero_interactive_max_wait_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How long a call a person waits for (the read view) may wait for its turn under the tenant's "
        "rate limits; past that the caller serves its cached data.",
    )
    xero_interactive_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long such a call waits for Xero's answer."
    )

    @field_validator("xero_login_url", "xero_identity_url", "xero_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class ExportQueueSettings(CoreSettings):
    """Functions that send record keys to the export queues (one queue and one DLQ per family,
    and the backfill queue with its DLQ for the records of backfills)."""

    contacts_queue_url: str
    invoices_queue_url: str
    invoice_payments_queue_url: str
    credit_notes_queue_url: str
    bills_queue_url: str
    bill_payments_queue_url: str
    vendor_credits_queue_url: str
    bank_charges_queue_url: str
    items_queue_url: str
    contacts_dlq_url: str
    invoices_dlq_url: str
    invoice_payments_dlq_url: str
    credit_notes_dlq_url: str
    bills_dlq_url: str
    bill_payments_dlq_url: str
    vendor_credits_dlq_url: str
    bank_charges_dlq_url: str
    items_dlq_url: str
    backfill_queue_url: str | None = Field(
        default=None,
        description="The backfill queue (N2): a backfill's records wait here, worked by their own function, instead of "
        "in front of the family queues' real-time exports. Unset: they go to their family's queue.",
    )
    backfill_dlq_url: str | None = None

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


class ReadViewSettings(CoreSettings):
    """The read view of a contact's Xero invoices (F5), served by the host API."""

    read_view_cache_ttl_seconds: int = Field(
        default=60,
        ge=0,
        le=3600,
        description="How long a contact's invoices read from Xero are served from the cache when no webhook "
        "said they changed (Xero's INVOICE and CREDITNOTE webhooks make them stale at once).",
    )


class ConsoleSessionSettings(CoreSettings):
    """Functions that open or serve integration console sessions (F8): the host API creates the
    single-use links, the console function turns them into sessions."""

    console_base_url: str | None = Field(
        default=None,
        description="Public address of this deployment's HTTP API (e.g. https://xero.example.com) used in "
        "console links; unset: derived from the request the host made, as the OAuth callback is.",
    )
    console_link_ttl_seconds: int = Field(
        default=300, ge=30, le=900, description="How long a console link may wait before it is opened (single use)."
    )
    console_idle_minutes: int = Field(
        default=120, ge=5, le=720, description="A console session ends after this long without a request."
    )
    console_max_hours: int = Field(
        default=12, ge=1, le=24, description="A console session ends this long after it was opened, in use or not."
    )

    @field_validator("console_base_url")
    @classmethod
    def _no_trailing_slash_on_base(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None


class HostOriginSettings(CoreSettings):
    """The host product's own origins: the API (connect, console links) and the console (its
    frame-ancestors) trust them."""

    host_app_origins: str = Field(
        default="",
        description="Comma-separated origins of the host product (https://app.example.com): where a connect "
        "or a console link may send the admin's browser back (return_url), and which may embed the console. Each "
        "org may add its own (allowed_host_origins).",
    )

    @field_validator("host_app_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        from xero_sync.models.origins import check_origin

        return ",".join(check_origin(origin.strip()) for origin in value.split(",") if origin.strip())

    @property
    def host_origins(self) -> frozenset[str]:
        return frozenset(origin for origin in self.host_app_origins.split(",") if origin)


class ImportStoresSettings(CoreSettings):
    """Functions that read or write the import side's tables: the change feed (F4.2), what the
    service last knew of each Xero object (echo and duplicate checks, payment status, F4.3), and
    the host's webhook subscriptions."""

    changes_table: str
    xero_objects_table: str
    host_webhooks_table: str


class ImportQueueSettings(CoreSettings):
    """Functions that queue imports (Xero → host): webhook events, polls, historical imports."""

    import_queue_url: str


class HostWebhookQueueSettings(CoreSettings):
    """Functions that nudge (or deliver) the host's signed change notifications (F4.2)."""

    host_webhooks_queue_url: str
    host_webhook_allow_loopback: bool = Field(
        default=False,
        description="Local stack only: host webhook URLs may be http:// on a loopback address. In AWS "
        "every URL must be https:// and resolve to public addresses only.",
    )


class XeroWebhookKeySettings(CoreSettings):
    """The Xero webhook receiver: the signing key of the app's webhook subscription (F4.4)."""

    xero_webhook_key: SecretStr | None = Field(
        default=None, description="Tests and local runs; in AWS the key is read from XERO_CREDENTIALS_SECRET."
    )
    xero_credentials_secret: str | None = Field(
        default=None,
        description='The Secrets Manager secret of the Xero app; its "webhook_key" is the webhook signing key.',
    )


@functools.cache
def get_settings(kind: type[S]) -> S:
    """The settings of this process for one function family, read from the environment on first
    use. A missing or malformed value fails here, naming the variable, before any work starts."""
    try:
        return kind.from_environment()
    except ValidationError as error:
        names = ", ".join("_".join(str(part) for part in item["loc"]).upper() or item["msg"] for item in error.errors())
        raise ConfigurationError(f"{kind.__name__}: missing or invalid environment: {names}") from error


def reset_settings_cache() -> None:
    """For tests and the local runner, after they change the environment."""
    get_settings.cache_clear()
