"""``python -m local.xero_emulator --port 8765 [...]`` — run the emulator in the foreground.

Prints the base URL and the three settings to give the service (SPEC §2). Never prints the client
secret.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from .options import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_DAY_LIMIT, EmulatorOptions
from .server import start_in_thread


def parse_args(argv: list[str] | None = None) -> EmulatorOptions:
    parser = argparse.ArgumentParser(prog="python -m local.xero_emulator", description="Run the local Xero emulator.")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0 = a free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--auto-consent", action="store_true", help="authorize redirects at once, consenting to all start tenants"
    )
    parser.add_argument("--tenants", type=int, default=1, help="demo companies created at start")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--redirect-uri", action="append", default=[], help="register a redirect URI (repeatable)")
    parser.add_argument(
        "--day-limit", type=int, default=DEFAULT_DAY_LIMIT, help="calls per tenant per day (1000 = Starter)"
    )
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="emulated time runs F times faster than real time"
    )
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-key")
    parser.add_argument("--user-email", default="admin@demo.example")
    parser.add_argument("--base-currency", default="NZD")
    parser.add_argument(
        "--granular-only", action="store_true", help="refuse broad scopes (apps created after 2 Mar 2026)"
    )
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")
    args = parser.parse_args(argv)
    if (args.webhook_url is None) != (args.webhook_key is None):
        parser.error("--webhook-url and --webhook-key go together")
    return EmulatorOptions(
        port=args.port,
        host=args.host,
        auto_consent=args.auto_consent,
        tenants=args.tenants,
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uris=args.redirect_uri,
        day_limit=args.day_limit,
        time_scale=args.time_scale,
        webhook_url=args.webhook_url,
        webhook_key=args.webhook_key,
        user_email=args.user_email,
        base_currency=args.base_currency,
        granular_only=args.granular_only,
        log_requests=not args.quiet,
    )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = parse_args(argv)
    emu = start_in_thread(options)
    base = emu.base_url
    print(f"Xero emulator listening on {base} (started in {emu.startup_seconds:.2f} s)")
    print(f"  client id: {options.client_id}   tenants: {', '.join(emu.state.start_tenant_ids)}")
    print("Settings for the service:")
    for name in ("XERO_LOGIN_URL", "XERO_IDENTITY_URL", "XERO_API_URL"):
        print(f"  {name}={base}")
    print(f"Control plane: {base}/_emulator/health   (Ctrl-C to stop)")
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
