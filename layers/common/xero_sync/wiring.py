"""The composition root: builds the services and their adapters from settings, once per Lambda
instance (warm invocations reuse clients and connections), and lets tests swap it.

Handlers call ``container()`` when an invocation starts — never at import — so that settings
are read from the environment only then. Each adapter is built on first use, so a function pays
only for what it touches (cold start, N6).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

import requests

from xero_sync.clock import Clock, utcnow
from xero_sync.dal.api_keys import ApiKeyRepository
from xero_sync.dal.base import configure
from xero_sync.dal.connections import ConnectionRepository
from xero_sync.dal.history import HistoryRepository
from xero_sync.dal.oauth_states import OAuthStateRepository
from xero_sync.dal.org_config import OrgConfigRepository
from xero_sync.settings import Settings, get_settings


@dataclass
class Container:
    settings: Settings
    clock: Clock = utcnow
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        configure(self.settings)

    # --- repositories ----------------------------------------------------------------------

    @functools.cached_property
    def connections(self) -> ConnectionRepository:
        return ConnectionRepository(self.settings.schedule_shards)

    @functools.cached_property
    def oauth_states(self) -> OAuthStateRepository:
        return OAuthStateRepository()

    @functools.cached_property
    def api_keys(self) -> ApiKeyRepository:
        return ApiKeyRepository()

    @functools.cached_property
    def history(self) -> HistoryRepository:
        return HistoryRepository()

    @functools.cached_property
    def org_config(self) -> OrgConfigRepository:
        return OrgConfigRepository()

    # --- AWS and Xero adapters ----------------------------------------------------------------

    @functools.cached_property
    def cipher(self):
        from xero_sync.aws.kms import TokenCipher

        return TokenCipher(self.settings)

    @functools.cached_property
    def identity(self):
        from xero_sync.aws.secrets import get_xero_credentials
        from xero_sync.xero.identity import XeroIdentity

        return XeroIdentity(self.settings, get_xero_credentials(self.settings), self.http)

    @functools.cached_property
    def tokens(self):
        from xero_sync.xero.tokens import TokenManager

        return TokenManager(self.connections, self.cipher, self.identity, self.clock)

    # --- services -----------------------------------------------------------------------------

    @functools.cached_property
    def connect(self):
        from xero_sync.services.connect import ConnectService

        return ConnectService(
            connections=self.connections,
            states=self.oauth_states,
            history=self.history,
            cipher=self.cipher,
            identity=self.identity,
            tokens=self.tokens,
            clock=self.clock,
            scopes=self.settings.xero_scopes,
            on_connected=self.after_connect_hooks(),
        )

    def after_connect_hooks(self) -> list:
        """What happens once an org is connected to a tenant: later features add to this."""
        return []


_lock = threading.Lock()
_container: Container | None = None


def container() -> Container:
    """The process's container, built from the environment on first use."""
    global _container
    with _lock:
        if _container is None:
            _container = Container(get_settings())
        return _container


def set_container(value: Container | None) -> None:
    """For tests and the local runner: use this container (or rebuild from env with None)."""
    global _container
    with _lock:
        _container = value
