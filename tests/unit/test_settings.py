"""settings.py: each function's settings come from the environment variables of their names (in
capitals) or aliases, as template.yaml sets them; a missing or malformed one fails the cold start
naming the variable, never its value."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from xero_sync.settings import ConfigurationError, XeroSettings, get_settings, reset_settings_cache
from xero_sync.settings.notifier import NotifierSettings

TABLES = {
    name: f"{name}-t"
    for name in (
        "CONNECTIONS_TABLE",
        "ORG_CONFIG_TABLE",
        "OAUTH_STATES_TABLE",
        "API_KEYS_TABLE",
        "RATE_LIMITS_TABLE",
        "RECORDS_TABLE",
        "HISTORY_TABLE",
        "LINKS_TABLE",
        "INVOICE_VIEWS_TABLE",
        "IDEMPOTENCY_TABLE",
        "CONSOLE_SESSIONS_TABLE",
    )
}


def test_fields_come_from_their_variables_and_unset_ones_keep_their_defaults():
    environ = {
        **TABLES,
        "TOKEN_KEY_ID": "alias/tokens",
        "AWS_REGION": "ap-southeast-2",  # an alias
        "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:5001",
        "XERO_BATCH_SIZE": "40",  # an int, from its string
        "XERO_TIMEOUT_SECONDS": "12.5",
        "XERO_CLIENT_SECRET": "s3cret",
        "XERO_API_URL": "https://api.xero.example/",
        "SOMETHING_ELSE": "ignored",
    }

    settings = XeroSettings.from_environment(environ)

    assert (settings.records_table, settings.token_key_id) == ("RECORDS_TABLE-t", "alias/tokens")
    assert (settings.aws_region, settings.aws_endpoint_for("dynamodb")) == ("ap-southeast-2", "http://127.0.0.1:5001")
    assert (settings.xero_batch_size, settings.xero_timeout_seconds) == (40, 12.5)
    assert settings.xero_client_secret is not None and settings.xero_client_secret.get_secret_value() == "s3cret"
    assert settings.xero_api_url == "https://api.xero.example"  # the validators run
    assert (settings.xero_minute_limit, settings.aws_endpoint_url, settings.xero_client_id) == (60, None, None)


def test_a_lower_case_variable_is_not_a_setting():
    environ = {**TABLES, "TOKEN_KEY_ID": "alias/tokens", "xero_batch_size": "7"}
    assert XeroSettings.from_environment(environ).xero_batch_size == 50


@pytest.mark.parametrize(
    ("variable", "value"),
    [("XERO_BATCH_SIZE", "0"), ("XERO_BATCH_SIZE", "fifty"), ("SCHEDULE_SHARDS", "-1"), ("XERO_TIMEOUT_SECONDS", "")],
)
def test_a_malformed_variable_fails_the_start_naming_it_and_not_its_value(monkeypatch, variable, value):
    for name, table in {**TABLES, "TOKEN_KEY_ID": "alias/tokens", "XERO_CLIENT_SECRET": "s3cret"}.items():
        monkeypatch.setenv(name, table)
    monkeypatch.setenv(variable, value)
    reset_settings_cache()
    try:
        with pytest.raises(ConfigurationError) as info:
            get_settings(XeroSettings)
    finally:
        reset_settings_cache()
    assert str(info.value) == f"XeroSettings: missing or invalid environment: {variable}"
    assert "s3cret" not in str(info.value) and (not value or value not in str(info.value))


def test_every_missing_variable_is_named():
    with pytest.raises(ValidationError) as info:
        NotifierSettings.from_environment({})
    missing = {".".join(str(part) for part in error["loc"]) for error in info.value.errors()}
    assert {"records_table", "token_key_id", "notifications_queue_url", "email_sender"} <= missing
