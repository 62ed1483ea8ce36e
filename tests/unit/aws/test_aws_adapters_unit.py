"""AWS adapters without AWS: client cache, KMS error hygiene, credentials from settings."""

from __future__ import annotations

import logging

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from xero_sync.aws import clients
from xero_sync.aws.clients import aws_client, clear_client_cache
from xero_sync.aws.kms import TokenCipher, TokenCipherError
from xero_sync.aws.secrets import CredentialsError, get_xero_credentials
from xero_sync.domain.families import Family
from xero_sync.settings import (
    ConfigurationError,
    ImportStoresSettings,
    XeroSettings,
    get_settings,
    reset_settings_cache,
)
from xero_sync.settings.export_worker import ExportWorkerSettings
from xero_sync.settings.notifier import NotifierSettings

TABLES = dict(
    connections_table="c",
    org_config_table="o",
    oauth_states_table="s",
    api_keys_table="a",
    rate_limits_table="r",
    records_table="rec",
    history_table="h",
    links_table="l",
    invoice_views_table="iv",
    console_sessions_table="cs",
    idempotency_table="i",
    token_key_id="alias/tokens",
)


def _settings(**overrides) -> XeroSettings:
    return XeroSettings(**{**TABLES, **overrides})


def test_one_client_per_service_endpoint_and_region():
    clear_client_cache()
    local = _settings(AWS_ENDPOINT_URL="http://127.0.0.1:1", AWS_REGION="us-east-1")
    same = _settings(AWS_ENDPOINT_URL="http://127.0.0.1:1", AWS_REGION="us-east-1")
    other_port = _settings(AWS_ENDPOINT_URL="http://127.0.0.1:2", AWS_REGION="us-east-1")
    other_region = _settings(AWS_ENDPOINT_URL="http://127.0.0.1:1", AWS_REGION="eu-west-1")
    kms = aws_client("kms", local)
    assert aws_client("kms", same) is kms
    assert aws_client("kms", other_port) is not kms
    assert aws_client("kms", other_region) is not kms
    assert aws_client("sqs", local) is not kms
    assert kms.meta.endpoint_url == "http://127.0.0.1:1"
    assert kms.meta.region_name == "us-east-1"
    assert kms.meta.config.connect_timeout == 3
    assert kms.meta.config.retries["mode"] == "standard"
    clear_client_cache()


def test_dynamodb_and_sqs_honour_their_own_endpoint_variables_before_the_generic_one():
    from xero_sync.dal import base
    from xero_sync.dal.models import RecordModel

    clear_client_cache()
    split = _settings(
        AWS_ENDPOINT_URL="http://127.0.0.1:1",
        AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:2",
        AWS_ENDPOINT_URL_SQS="http://127.0.0.1:3",
    )
    assert aws_client("dynamodb", split).meta.endpoint_url == "http://127.0.0.1:2"
    assert aws_client("sqs", split).meta.endpoint_url == "http://127.0.0.1:3"
    assert aws_client("kms", split).meta.endpoint_url == "http://127.0.0.1:1"  # no variable of its own
    base.configure(split)
    assert RecordModel.Meta.host == "http://127.0.0.1:2"  # PynamoDB's models: DynamoDB's endpoint

    generic = _settings(AWS_ENDPOINT_URL="http://127.0.0.1:1")  # the fallback for every service
    assert aws_client("dynamodb", generic).meta.endpoint_url == "http://127.0.0.1:1"
    assert aws_client("sqs", generic).meta.endpoint_url == "http://127.0.0.1:1"
    base.configure(generic)
    assert RecordModel.Meta.host == "http://127.0.0.1:1"
    assert _settings().aws_endpoint_for("dynamodb") is None  # in AWS: the region's endpoint
    clear_client_cache()


def test_models_keep_their_connection_when_only_the_function_changes():
    """Functions sharing a process (the local stack) configure the models in turn, each with
    its own settings: the cached connection (a botocore client, its TCP connections) is kept
    until the endpoint changes, so no invocation builds a client of its own."""
    from xero_sync.dal import base
    from xero_sync.dal.import_models import ChangeModel
    from xero_sync.dal.models import RecordModel

    class ImportSide(XeroSettings, ImportStoresSettings):
        pass

    worker = ImportSide(
        **TABLES,
        AWS_ENDPOINT_URL="http://127.0.0.1:1",
        changes_table="ch",
        xero_objects_table="x",
        host_webhooks_table="w",
    )
    tick = _settings(AWS_ENDPOINT_URL="http://127.0.0.1:1")  # no change feed of its own
    base.configure(worker)
    records, changes = RecordModel._get_connection(), ChangeModel._get_connection()
    base.configure(tick)
    base.configure(worker)
    assert RecordModel._get_connection() is records
    assert ChangeModel._get_connection() is changes
    assert ChangeModel.Meta.table_name == "ch"  # the tick left the table it does not name alone

    base.configure(_settings(AWS_ENDPOINT_URL="http://127.0.0.1:1", records_table="rec2"))
    assert RecordModel._get_connection() is not records  # a new table: PynamoDB connects afresh
    assert RecordModel._get_connection().table_name == "rec2"

    moved = _settings(AWS_ENDPOINT_URL="http://127.0.0.1:2", records_table="rec2")
    records = RecordModel._get_connection()
    base.configure(moved)
    assert RecordModel._get_connection() is not records
    assert RecordModel._get_connection().connection.host == "http://127.0.0.1:2"
    clear_client_cache()


def test_botocore_debug_records_with_secrets_are_redacted():
    clients._install_secret_redaction()
    record = logging.LogRecord(
        "botocore.parsers", logging.DEBUG, __file__, 1, "Response body:\n%r", (b'{"Plaintext":"c2VjcmV0"}',), None
    )
    for flt in logging.getLogger("botocore.parsers").filters:
        flt.filter(record)
    assert "c2VjcmV0" not in record.getMessage()
    assert "redacted" in record.getMessage()


class _FailingKms:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def encrypt(self, **kwargs):
        raise self.error

    def decrypt(self, **kwargs):
        raise self.error


def test_kms_errors_name_the_org_and_code_but_never_the_plaintext():
    plaintext = "eyJ-very-secret-access-token"
    # botocore's validation errors quote parameter values: make sure nothing of it survives
    error = ParamValidationError(report=f"Invalid length for parameter Plaintext, value: {plaintext}")
    cipher = TokenCipher(_settings(), client=_FailingKms(error))
    with pytest.raises(TokenCipherError) as info:
        cipher.encrypt(plaintext, org_id="org-7")
    assert plaintext not in str(info.value) and plaintext not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert "org-7" in str(info.value) and "ParamValidationError" in str(info.value)


def test_kms_decrypt_with_the_wrong_context_is_a_cipher_error():
    denied = ClientError({"Error": {"Code": "InvalidCiphertextException", "Message": ""}}, "Decrypt")
    cipher = TokenCipher(_settings(), client=_FailingKms(denied))
    with pytest.raises(TokenCipherError) as info:
        cipher.decrypt(b"blob", org_id="org-8")
    assert info.value.code == "InvalidCiphertextException"


def test_kms_requires_an_org():
    cipher = TokenCipher(_settings(), client=_FailingKms(RuntimeError()))
    with pytest.raises(ValueError):
        cipher.encrypt("x", org_id="")


def test_credentials_from_settings():
    credentials = get_xero_credentials(_settings(xero_client_id="id-1", xero_client_secret="secret-1"))
    assert credentials.client_id == "id-1"
    assert credentials.client_secret.get_secret_value() == "secret-1"
    assert "secret-1" not in repr(credentials)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({}, "XERO_CREDENTIALS_SECRET"),
        ({"xero_client_id": "id-1"}, "XERO_CLIENT_SECRET"),
        ({"xero_client_secret": "secret-1"}, "XERO_CLIENT_ID"),
    ],
)
def test_missing_credentials_say_what_is_missing(overrides, named):
    with pytest.raises(CredentialsError) as info:
        get_xero_credentials(_settings(**overrides))
    assert named in str(info.value)
    assert "secret-1" not in str(info.value)


def test_each_function_family_reads_what_it_needs_and_a_missing_queue_fails_the_cold_start(monkeypatch):
    # Given the environment of a worker whose template lost one queue URL
    for name, value in {
        **{f.upper(): "t" for f in TABLES},
        "TOKEN_KEY_ID": "alias/k",
        "NOTIFICATIONS_QUEUE_URL": "q",
    }.items():
        monkeypatch.setenv(name, value)
    for family in Family:
        monkeypatch.setenv(f"{family.env_prefix}_QUEUE_URL", f"https://sqs/{family.value}")
        monkeypatch.setenv(f"{family.env_prefix}_DLQ_URL", f"https://sqs/{family.value}-dlq")
    monkeypatch.delenv("BILLS_QUEUE_URL")
    reset_settings_cache()
    # When the worker's handler starts, it fails at once, naming the variable
    with pytest.raises(ConfigurationError, match=r"ExportWorkerSettings: .*BILLS_QUEUE_URL"):
        get_settings(ExportWorkerSettings)
    # Then the notifier, which sends no export, starts without it (it needs its sender instead)
    with pytest.raises(ConfigurationError, match=r"NotifierSettings: missing or invalid environment: EMAIL_SENDER$"):
        get_settings(NotifierSettings)
    monkeypatch.setenv("EMAIL_SENDER", "xero-sync@acme.example")
    assert get_settings(NotifierSettings).email_sender == "xero-sync@acme.example"
    reset_settings_cache()


def test_the_models_connections_read_service_models_through_one_loader():
    """Each PynamoDB connection starts a botocore session of its own; they share the first one's
    data loader, so DynamoDB's service model is read and parsed once per process, not once per
    model (dal/base.py)."""
    from pynamodb.connection import base as pynamodb_connection

    from xero_sync.dal import base
    from xero_sync.dal.models import HistoryModel, RecordModel

    assert pynamodb_connection.get_session is base.session_sharing_one_loader
    base.configure(_settings(AWS_ENDPOINT_URL="http://127.0.0.1:1"))
    records, history = RecordModel._get_connection().connection, HistoryModel._get_connection().connection
    transactions = base.transactions_for(RecordModel)
    sessions = [connection.session for connection in (records, history, transactions)]
    assert len({id(session) for session in sessions}) == 3  # a session each: they are not thread-safe
    loaders = {id(session.get_component("data_loader")) for session in sessions}
    assert loaders == {id(base.session_sharing_one_loader().get_component("data_loader"))}
    assert records.client.meta.service_model.service_name == "dynamodb"  # made through the shared loader
    clear_client_cache()
