"""Operator commands: ``python -m xero_sync.admin api-keys create|list|revoke``.

Runs wherever the service's settings are in the environment: against the deployed tables with
AWS credentials (set the *_TABLE variables from the stack outputs), or against the local stack.
"""

from __future__ import annotations

import argparse
import json
import sys

from xero_sync.observability import logger
from xero_sync.services.api_keys import ApiKeyInputError, create_api_key
from xero_sync.settings import CoreSettings
from xero_sync.wiring import container


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xero_sync.admin", description=__doc__)
    commands = parser.add_subparsers(dest="group", required=True)
    keys = commands.add_parser("api-keys", help="manage host API keys (N4)").add_subparsers(
        dest="command", required=True
    )

    create = keys.add_parser("create", help="create a key; prints it once — store it in the host's secrets")
    create.add_argument("--name", required=True, help="who uses the key and what for")
    scope = create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--org", dest="org_ids", action="append", help="an org the key may act on (repeatable)")
    scope.add_argument("--all-orgs", action="store_true", help="a platform key that may act on every org")

    keys.add_parser("list", help="list keys (never their secrets)")
    revoke = keys.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id")

    args = parser.parse_args(argv)
    # The command's output is JSON for scripts to read; the service's INFO logs (also on stdout)
    # must not interleave with it.
    logger.setLevel("WARNING")
    services = container(CoreSettings)  # the operator's tool needs only the tables
    if args.command == "create":
        try:
            created = create_api_key(
                services.api_keys,
                name=args.name,
                org_ids=args.org_ids or [],
                all_orgs=args.all_orgs,
                now=services.clock(),
            )
        except ApiKeyInputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(json.dumps({"key_id": created.key_id, "api_key": created.api_key}))
        return 0
    if args.command == "list":
        for key in services.api_keys.list():
            print(
                json.dumps(
                    {
                        "key_id": key.key_id,
                        "name": key.name,
                        "orgs": "all" if key.all_orgs else sorted(key.org_ids),
                        "created_at": key.created_at.isoformat(),
                        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
                    }
                )
            )
        return 0
    if services.api_keys.revoke(args.key_id, services.clock()):
        print(f"revoked {args.key_id}")
        return 0
    print(f"error: no active key {args.key_id}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
