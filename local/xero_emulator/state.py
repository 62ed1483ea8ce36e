"""Everything the emulator knows, in memory: registered apps (clients), users, tenants (each with
its accounting engine and the lock that serialises it), token sets, connections, rate-limit
counters, idempotency keys, faults, the request log, webhooks and statistics.

``reset()`` brings it back to the start-up state (the tenants of the options, freshly seeded; no
tokens or connections). Ids are derived from ``options.seed`` so they are the same after a reset
and across runs. The emulated clock is not rewound: time never goes backwards.
"""

from __future__ import annotations

import importlib
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import Clock
from .faults import FaultInjector
from .idempotency import IdempotencyStore
from .limits import RateLimiter
from .options import BooksFactory, EmulatorOptions
from .requestlog import RequestLog
from .tokens import JwtSigner, TokenService, User
from .webhooks import WebhookDispatcher

_ID_NAMESPACE = uuid.UUID("6d0c3c5e-8f7a-4c43-9a3e-0b1d7f3a2c11")

# Redirect URIs accepted for every client without registration (local development).
_LOCAL_CALLBACK = re.compile(r"^http://(localhost|127\.0\.0\.1):\d{1,5}/oauth/callback$")


# Xero's demo companies are named after their region; the start tenants follow that pattern.
_DEMO_REGIONS = {"NZD": "NZ", "AUD": "AU", "GBP": "UK", "USD": "US"}


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, "/".join(str(p) for p in parts)))


@dataclass
class Client:
    """A registered Xero app."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    name: str = "xero-sync (emulated app)"

    def accepts_redirect(self, uri: str) -> bool:
        return uri in self.redirect_uris or bool(_LOCAL_CALLBACK.match(uri))


@dataclass
class Tenant:
    tenant_id: str
    name: str
    base_currency: str
    day_limit: int
    books: Any  # local.xero_emulator.accounting.Books (or a test stand-in)
    created_at: datetime
    tenant_type: str = "ORGANISATION"
    # The engine is not thread-safe: every books.handle() and books.snapshot() holds this lock.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "name": self.name,
            "tenant_type": self.tenant_type,
            "base_currency": self.base_currency,
            "day_limit": self.day_limit,
            "created_at": self.created_at.isoformat(),
        }


@dataclass
class Connection:
    """One row of GET /connections: a user's app connected to a tenant (xero-facts §1.5)."""

    id: str
    client_id: str
    user_id: str
    tenant_id: str
    auth_event_id: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Stats:
    refreshes: dict[str, int] = field(default_factory=dict)  # client id → successful refreshes
    refreshes_by_user: dict[tuple[str, str], int] = field(default_factory=dict)  # (client, user) → n
    code_exchanges: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)  # tenant id → calls counted by the limiter
    rate_limited: dict[str, int] = field(default_factory=dict)  # tenant id → 429s (limits + faults)


def default_books_factory(seed: str) -> BooksFactory:
    """The real accounting engine: ``local.xero_emulator.accounting.seed_<seed>_company``."""

    def make(tenant_id: str, name: str, base_currency: str, now: datetime) -> Any:
        accounting = importlib.import_module("local.xero_emulator.accounting")
        seeder = getattr(accounting, f"seed_{seed}_company", None)
        if seeder is None:
            raise LookupError(f"the accounting engine has no seed_{seed}_company()")
        return seeder(tenant_id=tenant_id, name=name, base_currency=base_currency, now=now)

    return make


class EmulatorState:
    def __init__(self, options: EmulatorOptions, clock: Clock | None = None) -> None:
        self.options = options
        self.clock = clock or Clock(options.start_time, options.time_scale)
        self.lock = threading.RLock()  # guards clients, users, tenants, connections, stats
        self.base_url = f"http://{options.host}:{options.port}"  # set by the server once bound
        self.signer = JwtSigner()  # kept across resets
        self.faults = FaultInjector()
        self.webhooks = WebhookDispatcher(self.clock.now, lambda: self.base_url)
        # Optional hook for tests (tests/emulator/openapi_validation.py): called with every
        # request/response pair the server produces.
        self.response_recorder: Callable[[dict[str, Any]], None] | None = None
        self.reset()

    # --- reset ----------------------------------------------------------------------------

    def reset(self) -> None:
        options = self.options
        with self.lock:
            self.clients: dict[str, Client] = {
                options.client_id: Client(options.client_id, options.client_secret, list(options.redirect_uris))
            }
            self.users: dict[str, User] = {}
            self.default_user = self.add_user(options.user_email)
            self.tenants: dict[str, Tenant] = {}
            self.connections: dict[str, Connection] = {}
            # Authorize requests waiting for the user's answer on the consent page (identity.py).
            self.pending_authorizations: dict[str, Any] = {}
            self.tokens = TokenService(self.signer, self.base_url)
            self.limits = RateLimiter(options.day_limit)
            self.idempotency = IdempotencyStore()
            self.request_log = RequestLog(options.request_log_size)
            self.stats = Stats()
            self.faults.clear()
            self.webhooks.reset(options.webhook_url, options.webhook_key)
            self.start_tenant_ids: list[str] = []
            for index in range(1, options.tenants + 1):
                region = _DEMO_REGIONS.get(options.base_currency, "Global")
                name = f"Demo Company ({region})" + ("" if index == 1 else f" {index}")
                tenant = self.add_tenant(
                    name,
                    options.base_currency,
                    seed=options.seed,
                    tenant_id=stable_id(options.seed, "tenant", index),
                )
                self.start_tenant_ids.append(tenant.tenant_id)

    def set_base_url(self, base_url: str) -> None:
        self.base_url = base_url
        self.tokens.issuer = base_url

    # --- users, clients, tenants ----------------------------------------------------------

    def add_user(self, email: str) -> User:
        local_part = email.split("@")[0]
        words = [w for w in re.split(r"[._-]+", local_part) if w] or ["demo"]
        user = User(
            xero_userid=stable_id("user", email),
            sub=uuid.UUID(stable_id("sub", email)).hex,
            email=email,
            given_name=words[0].capitalize(),
            family_name=words[1].capitalize() if len(words) > 1 else "User",
        )
        with self.lock:
            self.users[user.xero_userid] = user
        return user

    def user(self, user_id: str) -> User:
        with self.lock:
            return self.users[user_id]

    def add_tenant(
        self,
        name: str,
        base_currency: str,
        seed: str = "demo",
        day_limit: int | None = None,
        tenant_id: str | None = None,
    ) -> Tenant:
        tenant_id = tenant_id or str(uuid.uuid4())
        now = self.clock.now()
        factory = self.options.books_factory or default_books_factory(seed)
        books = factory(tenant_id, name, base_currency, now)
        tenant = Tenant(tenant_id, name, base_currency, day_limit or self.options.day_limit, books, now)
        with self.lock:
            self.tenants[tenant_id] = tenant
        return tenant

    def tenant(self, tenant_id: str) -> Tenant | None:
        with self.lock:
            return self.tenants.get(tenant_id)

    def snapshot(self, tenant_id: str) -> dict[str, Any] | None:
        tenant = self.tenant(tenant_id)
        if tenant is None:
            return None
        with tenant.lock:
            return tenant.books.snapshot()

    # --- connections ----------------------------------------------------------------------

    def connect(self, client_id: str, user_id: str, tenant_ids: list[str], auth_event_id: str) -> list[Connection]:
        """Record a consent: one connection per tenant, sharing ``auth_event_id``. A tenant that is
        already connected keeps its connection id and created date; its authEventId and updated
        date change (ID-SPEC ``Connection.updatedDateUtc``)."""
        now = self.clock.now()
        result = []
        with self.lock:
            for tenant_id in tenant_ids:
                existing = self._find_connection(client_id, user_id, tenant_id)
                if existing is not None:
                    existing.auth_event_id = auth_event_id
                    existing.updated_at = now
                    result.append(existing)
                    continue
                connection = Connection(str(uuid.uuid4()), client_id, user_id, tenant_id, auth_event_id, now, now)
                self.connections[connection.id] = connection
                result.append(connection)
        return result

    def _find_connection(self, client_id: str, user_id: str, tenant_id: str) -> Connection | None:
        for connection in self.connections.values():
            if (connection.client_id, connection.user_id, connection.tenant_id) == (client_id, user_id, tenant_id):
                return connection
        return None

    def is_connected(self, client_id: str, user_id: str, tenant_id: str) -> bool:
        with self.lock:
            return self._find_connection(client_id, user_id, tenant_id) is not None

    def connections_of(self, client_id: str, user_id: str) -> list[Connection]:
        with self.lock:
            found = [c for c in self.connections.values() if c.client_id == client_id and c.user_id == user_id]
        return sorted(found, key=lambda c: (c.created_at, c.id))

    def delete_connection(self, connection_id: str, client_id: str, user_id: str) -> bool:
        with self.lock:
            connection = self.connections.get(connection_id)
            if connection is None or connection.client_id != client_id or connection.user_id != user_id:
                return False
            del self.connections[connection_id]
            return True

    def remove_user_connections(self, client_id: str, user_id: str) -> int:
        with self.lock:
            doomed = [c.id for c in self.connections.values() if c.client_id == client_id and c.user_id == user_id]
            for connection_id in doomed:
                del self.connections[connection_id]
            return len(doomed)

    def remove_tenant_connections(self, tenant_id: str) -> int:
        """The user removed the app from the organisation in Xero (all apps, all users)."""
        with self.lock:
            doomed = [c.id for c in self.connections.values() if c.tenant_id == tenant_id]
            for connection_id in doomed:
                del self.connections[connection_id]
            return len(doomed)

    # --- statistics -----------------------------------------------------------------------

    def count_refresh(self, client_id: str, user_id: str) -> None:
        with self.lock:
            self.stats.refreshes[client_id] = self.stats.refreshes.get(client_id, 0) + 1
            key = (client_id, user_id)
            self.stats.refreshes_by_user[key] = self.stats.refreshes_by_user.get(key, 0) + 1

    def count_code_exchange(self, client_id: str) -> None:
        with self.lock:
            self.stats.code_exchanges[client_id] = self.stats.code_exchanges.get(client_id, 0) + 1

    def count_call(self, tenant_id: str, rate_limited: bool) -> None:
        with self.lock:
            if rate_limited:
                self.stats.rate_limited[tenant_id] = self.stats.rate_limited.get(tenant_id, 0) + 1
            else:
                self.stats.calls[tenant_id] = self.stats.calls.get(tenant_id, 0) + 1

    def stats_report(self) -> dict[str, Any]:
        with self.lock:
            clients = {}
            for client_id in self.clients:
                clients[client_id] = {
                    "refreshes": self.stats.refreshes.get(client_id, 0),
                    "code_exchanges": self.stats.code_exchanges.get(client_id, 0),
                    "refreshes_by_user": {
                        user_id: n for (c, user_id), n in self.stats.refreshes_by_user.items() if c == client_id
                    },
                }
            tenants = {
                tenant_id: {
                    "name": tenant.name,
                    "calls": self.stats.calls.get(tenant_id, 0),
                    "rate_limited": self.stats.rate_limited.get(tenant_id, 0),
                }
                for tenant_id, tenant in self.tenants.items()
            }
        return {"clients": clients, "tenants": tenants}
