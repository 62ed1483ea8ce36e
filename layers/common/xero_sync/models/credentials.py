"""The Xero app's credentials, as the identity client needs them (read by ``aws/secrets.py`` from
the settings or Secrets Manager). The secret is a ``SecretStr``: it never shows in a repr or log."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr


class XeroCredentials(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    client_id: str
    client_secret: SecretStr
