"""Start-up options of the emulator (the CLI flags map one to one onto these fields)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DEFAULT_CLIENT_ID = "demo-client-id"
DEFAULT_CLIENT_SECRET = "demo-client-secret"

# Xero's published limits (xero-facts §2). The day limit is per tenant and can be lowered to
# 1,000 for a Starter-tier organisation (``--day-limit 1000``).
DEFAULT_DAY_LIMIT = 5000
MINUTE_LIMIT = 60
CONCURRENT_LIMIT = 5
APP_MINUTE_LIMIT = 10_000

# (tenant_id, name, base_currency, now) -> a Books-like object with .handle() and .snapshot().
BooksFactory = Callable[[str, str, str, datetime], Any]


@dataclass
class EmulatorOptions:
    port: int = 0  # 0 = pick a free port
    host: str = "127.0.0.1"
    auto_consent: bool = False  # the authorize GET redirects at once, consenting to the start tenants
    tenants: int = 1  # tenants (demo companies) created at start and after every reset
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    # Registered redirect URIs. http://localhost:<port>/oauth/callback and
    # http://127.0.0.1:<port>/oauth/callback are always accepted for local development.
    redirect_uris: list[str] = field(default_factory=list)
    day_limit: int = DEFAULT_DAY_LIMIT
    time_scale: float = 1.0  # emulated time runs this many times faster than real time; 0 = frozen
    webhook_url: str | None = None
    webhook_key: str | None = None
    user_email: str = "admin@demo.example"
    seed: str = "demo"  # seed of the start tenants (see accounting.seed_<seed>_company); also makes ids stable
    base_currency: str = "NZD"  # base currency of the start tenants
    start_time: datetime | None = None  # emulated time at start (default: real now)
    # When true, the broad accounting.transactions / accounting.reports.read scopes are refused
    # with invalid_scope, as for Xero apps created on or after 2 March 2026 (xero-facts §1.4).
    granular_only: bool = False
    log_requests: bool = False  # Werkzeug's one-line-per-request log on stderr (the CLI turns it on)
    request_log_size: int = 20_000  # entries kept by GET /_emulator/requests
    # Injection point for tests: builds the accounting engine of a new tenant. None = the real
    # engine, ``local.xero_emulator.accounting.seed_<seed>_company``.
    books_factory: BooksFactory | None = None
