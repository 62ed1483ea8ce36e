"""The Xero app's client credentials (SPEC §2).

Locally and in tests they come straight from settings (``XERO_CLIENT_ID``/``XERO_CLIENT_SECRET``);
in AWS from a Secrets Manager secret named by ``XERO_CREDENTIALS_SECRET`` holding
``{"client_id": ..., "client_secret": ...}``, read through Powertools parameters so that a warm
Lambda re-reads it at most every ``max_age`` seconds (a rotated secret is picked up without a
deploy). The secret is held as a ``SecretStr`` and never logged.
"""

from __future__ import annotations

import threading

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import (
    GetParameterError,
    TransformParameterError,
)
from pydantic import SecretStr

from xero_sync.aws.clients import aws_client
from xero_sync.models.credentials import XeroCredentials
from xero_sync.settings import CoreSettings, XeroSettings, XeroWebhookKeySettings

CREDENTIALS_MAX_AGE_SECONDS = 300


class CredentialsError(RuntimeError):
    """The Xero app credentials are missing or unreadable. Names what is missing, never values."""


_providers: dict[tuple[str | None, str], SecretsProvider] = {}
_providers_lock = threading.Lock()


def get_xero_credentials(
    settings: XeroSettings, *, max_age: int = CREDENTIALS_MAX_AGE_SECONDS, force_fetch: bool = False
) -> XeroCredentials:
    """The app's credentials. ``force_fetch`` skips the cache (e.g. after Xero answered
    ``invalid_client``: the secret may have been rotated)."""
    if settings.xero_client_id or settings.xero_client_secret:
        return _from_settings(settings)
    if settings.xero_credentials_secret:
        return _from_secrets_manager(settings, max_age, force_fetch)
    raise CredentialsError(
        "Xero app credentials are not configured: set XERO_CLIENT_ID and XERO_CLIENT_SECRET, "
        "or XERO_CREDENTIALS_SECRET (a Secrets Manager secret with client_id and client_secret)"
    )


def _from_settings(settings: XeroSettings) -> XeroCredentials:
    missing = [
        name
        for name, value in (
            ("XERO_CLIENT_ID", settings.xero_client_id),
            ("XERO_CLIENT_SECRET", settings.xero_client_secret),
        )
        if not value
    ]
    if missing:
        raise CredentialsError(f"Xero app credentials are incomplete: {' and '.join(missing)} is not set")
    assert settings.xero_client_id and settings.xero_client_secret
    return XeroCredentials(client_id=settings.xero_client_id, client_secret=settings.xero_client_secret)


def _from_secrets_manager(settings: XeroSettings, max_age: int, force_fetch: bool) -> XeroCredentials:
    secret_name = settings.xero_credentials_secret
    assert secret_name
    provider = _provider(settings)
    try:
        value = provider.get(secret_name, transform="json", max_age=max_age, force_fetch=force_fetch)
    except TransformParameterError:
        raise CredentialsError(f"secret {secret_name!r} is not a JSON object") from None
    except GetParameterError as error:
        # The Powertools message wraps the AWS error (e.g. ResourceNotFoundException); it does
        # not contain the secret value because reading it failed.
        raise CredentialsError(f"cannot read secret {secret_name!r}: {error}") from None
    if not isinstance(value, dict):
        raise CredentialsError(f"secret {secret_name!r} is not a JSON object")
    missing = [key for key in ("client_id", "client_secret") if not value.get(key)]
    if missing:
        raise CredentialsError(f"secret {secret_name!r} lacks {' and '.join(missing)}")
    return XeroCredentials(client_id=str(value["client_id"]), client_secret=SecretStr(str(value["client_secret"])))


def _provider(settings: CoreSettings) -> SecretsProvider:
    """One provider per boto3 client: the provider holds the max_age cache."""
    client = aws_client("secretsmanager", settings)
    key = (settings.aws_endpoint_for("secretsmanager"), settings.aws_region)
    with _providers_lock:
        provider = _providers.get(key)
        if provider is None or provider.client is not client:
            provider = SecretsProvider(boto3_client=client)
            _providers[key] = provider
        return provider


def clear_credentials_cache() -> None:
    """Forget cached secret values (tests, or after rotating the secret)."""
    with _providers_lock:
        for provider in _providers.values():
            provider.clear_cache()
        _providers.clear()


def get_xero_webhook_key(settings: XeroWebhookKeySettings, *, max_age: int = CREDENTIALS_MAX_AGE_SECONDS) -> SecretStr:
    """The signing key of the app's Xero webhook subscription: ``XERO_WEBHOOK_KEY`` (tests,
    local runs), else ``webhook_key`` in the app's secret (XERO_CREDENTIALS_SECRET), cached for
    ``max_age`` seconds like the credentials. Never logged."""
    if settings.xero_webhook_key is not None:
        return settings.xero_webhook_key
    secret_name = settings.xero_credentials_secret
    if not secret_name:
        raise CredentialsError(
            "the Xero webhook key is not configured: set XERO_WEBHOOK_KEY or XERO_CREDENTIALS_SECRET"
        )
    try:
        value = _provider(settings).get(secret_name, transform="json", max_age=max_age)
    except TransformParameterError:
        raise CredentialsError(f"secret {secret_name!r} is not a JSON object") from None
    except GetParameterError as error:
        raise CredentialsError(f"cannot read secret {secret_name!r}: {error}") from None
    key = value.get("webhook_key") if isinstance(value, dict) else None
    if not key:
        raise CredentialsError(f"secret {secret_name!r} lacks webhook_key (the Xero app's webhook signing key)")
    return SecretStr(str(key))
