"""Binding the PynamoDB models to real tables at run time.

Table names and the endpoint come from settings, which are read when a handler starts, so the
models are declared without a table name and ``configure(settings)`` fills it in. PynamoDB
caches one connection per model class and only notices a changed *table name*, so a changed
endpoint (a new moto server in a test) needs the cache cleared too — and only then: a new
connection is a new botocore client (1.8 ms of CPU; 45 ms when PynamoDB also starts a new botocore
session for it, which loads DynamoDB's service model) and new TCP connections. Where several
functions share a process (the local stack), each configures with its own settings in turn, and
clearing on every change of function made the workers build clients inside their invocations.
"""

from __future__ import annotations

import threading

from pynamodb.connection import Connection
from pynamodb.models import Model

from xero_sync.settings import CoreSettings

_lock = threading.Lock()
_configured_for: tuple | None = None
_transaction_connections: dict[tuple[str | None, str | None], Connection] = {}


def table_models() -> dict[str, type[Model]]:
    """Every PynamoDB model, keyed by the settings field that names its table."""
    from xero_sync.dal import import_models, models

    return {
        "connections_table": models.ConnectionModel,
        "org_config_table": models.OrgConfigModel,
        "oauth_states_table": models.OAuthStateModel,
        "api_keys_table": models.ApiKeyModel,
        "rate_limits_table": models.RateLimitModel,
        "records_table": models.RecordModel,
        "history_table": models.HistoryModel,
        "links_table": models.LinkModel,
        "invoice_views_table": models.InvoiceViewModel,
        "console_sessions_table": models.ConsoleSessionModel,
        "changes_table": import_models.ChangeModel,
        "xero_objects_table": import_models.XeroObjectModel,
        "host_webhooks_table": import_models.HostWebhookModel,
    }


def configure(settings: CoreSettings) -> None:
    """Point every model at its table and endpoint. Cheap to call on every invocation."""
    global _configured_for
    fingerprint = (
        settings.aws_region,
        settings.aws_endpoint_for("dynamodb"),
        *(getattr(settings, field, None) for field in table_models()),
    )
    if fingerprint == _configured_for:
        return
    endpoint = (settings.aws_region, settings.aws_endpoint_for("dynamodb"))  # AWS_ENDPOINT_URL_DYNAMODB first
    with _lock:
        for field, model in table_models().items():
            # A function family without a table (e.g. the tick has no change feed) leaves that
            # model's table as it is: unbound in its own Lambda (using it fails at once), and
            # bound by the families that have it where several run in one process (local stack).
            table_name = getattr(settings, field, None)
            if table_name is not None:
                model.Meta.table_name = table_name  # PynamoDB connects afresh when the name changes
            if (getattr(model.Meta, "region", None), getattr(model.Meta, "host", None)) != endpoint:
                model.Meta.region, model.Meta.host = endpoint
                model._connection = None  # drop the cached client: it points at the old endpoint
        _configured_for = fingerprint


def transactions_for(model: type[Model]) -> Connection:
    """A connection for PynamoDB's ``TransactWrite`` on ``model``'s region and endpoint, as
    :func:`configure` set them (a transaction is not a model's method, so it needs its own)."""
    region, host = getattr(model.Meta, "region", None), getattr(model.Meta, "host", None)
    with _lock:
        connection = _transaction_connections.get((region, host))
        if connection is None:
            connection = _transaction_connections[(region, host)] = Connection(region=region, host=host)
        return connection
