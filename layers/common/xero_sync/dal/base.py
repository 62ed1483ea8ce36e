"""Binding the PynamoDB models to real tables at run time.

Table names and the endpoint come from settings, which are read when a handler starts, so the
models are declared without a table name and ``configure(settings)`` fills it in. PynamoDB
caches one connection per model class and only notices a changed *table name*, so a changed
endpoint (a new moto server in a test) needs the cache cleared too — and only then: a new
connection is a new botocore session and client (~3 ms of CPU once DynamoDB's service model is
loaded: ``session_sharing_one_loader``) and new TCP connections. Where several
functions share a process (the local stack), each configures with its own settings in turn, and
clearing on every change of function made the workers build clients inside their invocations.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
from pynamodb.connection import Connection
from pynamodb.connection import base as pynamodb_connection
from pynamodb.models import Model

from xero_sync.settings import CoreSettings

_lock = threading.Lock()
_configured_for: tuple | None = None
_transaction_connections: dict[tuple[str | None, str | None], Connection] = {}
_shared_loader: Any = None  # botocore's data loader, with the service models it has read
_loader_lock = threading.Lock()


def session_sharing_one_loader() -> botocore.session.Session:
    """A new botocore session, as PynamoDB starts one for each connection, that reads service
    models through the loader of the first one. PynamoDB keeps a connection per model class and
    a session per connection, and each new session's loader read and parsed DynamoDB's service
    model again: 41-63 ms of CPU per model on a function's first invocation, against ~3 ms with
    the model already loaded. A session is still one per connection (botocore sessions are not
    thread-safe); the loader only caches what it has read."""
    global _shared_loader
    session = botocore.session.get_session()
    with _loader_lock:
        if _shared_loader is None:
            _shared_loader = session.get_component("data_loader")
        else:
            session.register_component("data_loader", _shared_loader)
    return session


# PynamoDB 6 offers no option for the session it makes; it calls the ``get_session`` it imported.
pynamodb_connection.get_session = session_sharing_one_loader


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
