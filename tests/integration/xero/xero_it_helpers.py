"""Building blocks for the Xero client's integration tests: a tiny accounting engine for the
emulator (these tests exercise OAuth, tokens and limits, not accounting rules), the connect flow
over real HTTP, and the objects a Lambda would build."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from pydantic import SecretStr

from local.xero_emulator import EmulatorOptions, start_in_thread
from xero_sync.aws.kms import TokenCipher
from xero_sync.aws.secrets import get_xero_credentials
from xero_sync.dal.connections import ConnectionRepository
from xero_sync.domain.connection import TenantRef
from xero_sync.settings.everything import Settings
from xero_sync.xero.identity import TokenSet, XeroIdentity
from xero_sync.xero.tokens import TokenManager

REDIRECT_URI = "http://127.0.0.1:8765/oauth/callback"


class TinyBooks:
    """A stand-in accounting engine: answers every call with the organisation."""

    def __init__(self, tenant_id: str, name: str, base_currency: str, now: datetime) -> None:
        self.tenant_id = tenant_id
        self.name = name
        self.base_currency = base_currency

    def handle(self, request: Any) -> Any:
        from local.xero_emulator.interfaces import AccountingResponse  # the engine seam

        body = {
            "Status": "OK",
            "Organisations": [
                {"OrganisationID": self.tenant_id, "Name": self.name, "BaseCurrency": self.base_currency}
            ],
        }
        return AccountingResponse(status=200, body=body)

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name}


def tiny_books(tenant_id: str, name: str, base_currency: str, now: datetime) -> TinyBooks:
    return TinyBooks(tenant_id, name, base_currency, now)


def start_emulator(*, clock: Any = None, **options: Any) -> Any:
    """The Xero emulator on a free port, with fresh tenants (a unique seed gives unique tenant
    ids, so the governor's shared state never mixes between tests); ``clock`` replaces its clock.
    An emulator that does not start fails the test: these tests are about talking to it."""
    defaults: dict[str, Any] = dict(
        port=0, auto_consent=True, tenants=1, seed=f"it-{uuid.uuid4().hex[:8]}", books_factory=tiny_books
    )
    defaults.update(options)
    return start_in_thread(EmulatorOptions(**defaults), clock=clock)


def settings_for(aws_settings: Settings, base_url: str) -> Settings:
    """The AWS test settings pointed at an emulator, with its default app credentials."""
    return aws_settings.model_copy(
        update={
            "xero_client_id": "demo-client-id",
            "xero_client_secret": SecretStr("demo-client-secret"),
            "xero_redirect_uri": REDIRECT_URI,
            "xero_login_url": base_url,
            "xero_identity_url": base_url,
            "xero_api_url": base_url,
        }
    )


@dataclass
class Stack:
    """What a Lambda builds from settings: repository, cipher, identity, token manager."""

    settings: Settings
    repo: ConnectionRepository
    cipher: TokenCipher
    identity: XeroIdentity
    tokens: TokenManager


def build_stack(settings: Settings, **token_options: Any) -> Stack:
    repo = ConnectionRepository(shards=settings.schedule_shards)
    cipher = TokenCipher(settings)
    identity = XeroIdentity(settings, get_xero_credentials(settings))
    return Stack(settings, repo, cipher, identity, TokenManager(repo, cipher, identity, **token_options))


@dataclass
class Consent:
    tokenset: TokenSet
    tenant: TenantRef
    code: str
    code_verifier: str


def new_pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)  # 64 characters of A-Z a-z 0-9 - _
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def connect_org(stack: Stack, org_id: str, now: datetime) -> Consent:
    """The whole F1 flow against the emulator: consent URL → (auto-consent) redirect with the code
    → code exchange → /connections of this consent → tokens stored encrypted."""
    verifier, challenge = new_pkce_pair()
    state = secrets.token_urlsafe(24)
    url = stack.identity.authorize_url(state=state, code_challenge=challenge, redirect_uri=REDIRECT_URI)
    # The browser's part: do not follow the redirect (the callback is not running here).
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:200]
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == [state]
    code = query["code"][0]

    tokenset = stack.identity.exchange_code(code, verifier, REDIRECT_URI)
    connections = stack.identity.list_connections(tokenset.access_token, tokenset.authentication_event_id)
    assert connections, "the consent created no connection"
    tenants = [
        TenantRef(tenant_id=c.tenant_id, connection_id=c.id, tenant_name=c.tenant_name, tenant_type=c.tenant_type)
        for c in connections
    ]
    stack.tokens.store_consent_tokens(org_id, tokenset, tenants=tenants, chosen=tenants[0], now=now)
    return Consent(tokenset=tokenset, tenant=tenants[0], code=code, code_verifier=verifier)


def emulator_stats(base_url: str) -> dict[str, Any]:
    return requests.get(f"{base_url}/_emulator/stats", timeout=10).json()


def refreshes(base_url: str, client_id: str = "demo-client-id") -> int:
    return emulator_stats(base_url)["clients"][client_id]["refreshes"]


def advance_emulator(base_url: str, seconds: float) -> None:
    requests.post(f"{base_url}/_emulator/clock/advance", json={"seconds": seconds}, timeout=10).raise_for_status()
