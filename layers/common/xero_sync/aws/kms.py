"""Encrypting Xero tokens with KMS before they are stored (N4).

Tokens are small (a Xero access token is a JWT of 1–2 KB, well under KMS's 4 KB plaintext limit),
so KMS ``Encrypt``/``Decrypt`` are used directly, without envelope encryption. Every ciphertext is
bound to its org through the encryption context ``{"org_id": ...}``: KMS authenticates the context
with the ciphertext, so a blob copied into another org's item cannot be decrypted as that org's
token, and CloudTrail shows which org each decryption was for.

Errors name the operation, the org and KMS's error code — never the plaintext.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from xero_sync.aws.clients import aws_client
from xero_sync.settings import CoreSettings


class TokenCipherError(Exception):
    """KMS refused or failed an encryption or decryption. The message holds no secret."""

    def __init__(self, operation: str, org_id: str, code: str) -> None:
        super().__init__(f"KMS {operation} failed for org {org_id}: {code}")
        self.operation = operation
        self.org_id = org_id
        self.code = code


class TokenCipher:
    def __init__(self, settings: CoreSettings, *, client: Any | None = None) -> None:
        self._key_id = settings.token_key_id
        self._kms = client or aws_client("kms", settings)

    def encrypt(self, plaintext: str, *, org_id: str) -> bytes:
        try:
            response = self._kms.encrypt(
                KeyId=self._key_id,
                Plaintext=plaintext.encode("utf-8"),
                EncryptionContext=_context(org_id),
            )
        except (ClientError, BotoCoreError) as error:
            # ``from None``: botocore's parameter-validation errors may quote parameter values,
            # and the plaintext is one of them — do not chain the original exception.
            raise TokenCipherError("Encrypt", org_id, _code(error)) from None
        return response["CiphertextBlob"]

    def decrypt(self, blob: bytes, *, org_id: str) -> str:
        try:
            response = self._kms.decrypt(
                KeyId=self._key_id,
                CiphertextBlob=blob,
                EncryptionContext=_context(org_id),
            )
        except (ClientError, BotoCoreError) as error:
            # A wrong org id shows up here as InvalidCiphertextException.
            raise TokenCipherError("Decrypt", org_id, _code(error)) from None
        return response["Plaintext"].decode("utf-8")


def _context(org_id: str) -> dict[str, str]:
    if not org_id:
        raise ValueError("org_id is required: it is the ciphertext's encryption context")
    return {"org_id": org_id}


def _code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__
