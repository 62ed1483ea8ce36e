"""KMS token encryption bound to the org, and Xero credentials from Secrets Manager (moto server)."""

from __future__ import annotations

import json
import uuid

import pytest

from xero_sync.aws.clients import aws_client
from xero_sync.aws.kms import TokenCipher, TokenCipherError
from xero_sync.aws.secrets import CredentialsError, clear_credentials_cache, get_xero_credentials

TOKEN = "eyJhbGciOiJSUzI1NiJ9." + "x" * 1500 + ".signature"  # about the size of a Xero access token


def test_round_trip_and_ciphertext_hides_the_token(aws_moto_settings):
    cipher = TokenCipher(aws_moto_settings)
    blob = cipher.encrypt(TOKEN, org_id="org-1")
    assert TOKEN.encode() not in blob
    assert cipher.decrypt(blob, org_id="org-1") == TOKEN


def test_a_ciphertext_is_bound_to_its_org(aws_moto_settings):
    cipher = TokenCipher(aws_moto_settings)
    blob = cipher.encrypt(TOKEN, org_id="org-1")
    with pytest.raises(TokenCipherError) as info:
        cipher.decrypt(blob, org_id="org-2")
    assert info.value.code == "InvalidCiphertextException"
    assert TOKEN not in str(info.value)


def test_unknown_key_is_a_clear_error(aws_moto_settings):
    cipher = TokenCipher(aws_moto_settings.model_copy(update={"token_key_id": "alias/does-not-exist"}))
    with pytest.raises(TokenCipherError) as info:
        cipher.encrypt(TOKEN, org_id="org-1")
    assert "NotFoundException" in str(info.value) and TOKEN not in str(info.value)


def _secret(settings, value) -> str:
    name = f"xero-app-{uuid.uuid4().hex[:8]}"
    body = value if isinstance(value, str) else json.dumps(value)
    aws_client("secretsmanager", settings).create_secret(Name=name, SecretString=body)
    return name


def test_credentials_from_secrets_manager_are_cached(aws_moto_settings):
    clear_credentials_cache()
    name = _secret(aws_moto_settings, {"client_id": "app-id", "client_secret": "app-secret-1"})
    settings = aws_moto_settings.model_copy(update={"xero_credentials_secret": name})
    credentials = get_xero_credentials(settings)
    assert credentials.client_id == "app-id"
    assert credentials.client_secret.get_secret_value() == "app-secret-1"
    # rotated in Secrets Manager: the cached value is used until max_age passes (or forced)
    aws_client("secretsmanager", settings).put_secret_value(
        SecretId=name, SecretString=json.dumps({"client_id": "app-id", "client_secret": "app-secret-2"})
    )
    assert get_xero_credentials(settings).client_secret.get_secret_value() == "app-secret-1"
    assert get_xero_credentials(settings, force_fetch=True).client_secret.get_secret_value() == "app-secret-2"


def test_settings_win_over_the_secret(aws_moto_settings):
    settings = aws_moto_settings.model_copy(
        update={"xero_credentials_secret": "never-read", "xero_client_id": "env-id"}
    )
    with pytest.raises(CredentialsError, match="XERO_CLIENT_SECRET"):
        get_xero_credentials(settings)  # one half in settings is an error, not a silent fallback


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"client_id": "app-id"}, "lacks client_secret"),
        ({"client_secret": "hidden-value"}, "lacks client_id"),
        ("not json at all", "not a JSON object"),
        ('["a", "b"]', "not a JSON object"),
    ],
)
def test_bad_secrets_say_what_is_wrong(aws_moto_settings, value, message):
    clear_credentials_cache()
    settings = aws_moto_settings.model_copy(update={"xero_credentials_secret": _secret(aws_moto_settings, value)})
    with pytest.raises(CredentialsError) as info:
        get_xero_credentials(settings)
    assert message in str(info.value)
    assert "hidden-value" not in str(info.value)


def test_missing_secret(aws_moto_settings):
    clear_credentials_cache()
    settings = aws_moto_settings.model_copy(update={"xero_credentials_secret": "no-such-secret"})
    with pytest.raises(CredentialsError, match="no-such-secret"):
        get_xero_credentials(settings)
