"""``python -m local.stack``: start the local stack and keep it running until Ctrl-C.

python -m local.stack                 # moto + Xero emulator + runner on http://127.0.0.1:3000
python -m local.stack --real-xero     # the real Xero, with XERO_CLIENT_ID/SECRET/REDIRECT_URI
python -m local.stack --speedup 60    # schedules run 60 times faster (the tick every second)
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from local.stack.stack import LocalStack, LocalStackError
from local.stack.template import DEFAULT_TEMPLATE


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.stack", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3000, help="port of the HTTP API (default 3000; 0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--real-xero",
        action="store_true",
        help="use the real Xero with XERO_CLIENT_ID, XERO_CLIENT_SECRET and XERO_REDIRECT_URI from the environment",
    )
    parser.add_argument("--no-schedules", action="store_true", help="do not fire the template's schedules")
    parser.add_argument("--speedup", type=float, default=1.0, help="run schedules this many times faster")
    parser.add_argument(
        "--retry-delay",
        type=float,
        default=None,
        help="failed SQS messages return after this many seconds instead of the queue's visibility timeout",
    )
    parser.add_argument("--no-api-key", action="store_true", help="do not create a local all-orgs API key")
    parser.add_argument("--template", default=str(DEFAULT_TEMPLATE), help="the SAM template (default template.yaml)")
    parser.add_argument("--verbose", action="store_true", help="log every SQS delivery and AWS call")
    return parser.parse_args(argv)


def describe(stack: LocalStack) -> str:
    runner = stack.runner
    lines = [
        "",
        "xero-sync local stack is running (Ctrl-C stops it)",
        f"  HTTP API        {stack.api_url}",
        f"  OAuth callback  {stack.callback_url}",
        f"  AWS (moto)      {stack.aws_endpoint_url}   (AWS_ENDPOINT_URL for the aws CLI / boto3)",
        f"  Xero            {stack.emulator.base_url if stack.emulator else 'the real Xero (--real-xero)'}",
        "",
        "  Routes:",
    ]
    lines += [f"    {route.route_key:<32} -> {route.function}" for route in runner.routes.routes]
    if runner.sqs_sources:
        lines.append("  Queues:")
        lines += [f"    {source.queue_logical_id:<32} -> {source.function}" for source in runner.sqs_sources]
    if runner.schedules:
        lines.append("  Schedules:")
        lines += [f"    {schedule.expression:<32} -> {schedule.function}" for schedule in runner.schedules]
    return "\n".join(lines)


CONSOLE_ORG = "local-org"


def console_link_text(api_url: str, api_key: str, org_id: str) -> str:
    """A single-use link into the integration console for ``org_id``, asked for through the host
    API as a host would (POST /v1/orgs/{org_id}/console-sessions), and how to get another."""
    import requests

    answer = requests.post(
        f"{api_url}/v1/orgs/{org_id}/console-sessions",
        json={"page": "connection"},
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=60,
    )
    if answer.status_code != 201:
        return f"  Integration console: could not open a session ({answer.status_code}: {answer.text[:200]})"
    return (
        f"  Integration console for org {org_id!r} (open within 5 minutes, once):\n    {answer.json()['url']}\n"
        f"  Another link: curl -X POST -H 'Authorization: Bearer {api_key}' {api_url}/v1/orgs/{org_id}/console-sessions"
    )


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    # The stack's own lines at INFO; libraries (botocore, pynamodb) only when something is wrong.
    # The functions log through Powertools (JSON on stdout), at the template's LogLevel.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("local.stack").setLevel(logging.INFO)
    # moto's server logs every request (the SQS pollers make one a second per queue).
    logging.getLogger("werkzeug").setLevel(logging.INFO if arguments.verbose else logging.WARNING)
    logging.getLogger("local.stack.runner").setLevel(logging.DEBUG if arguments.verbose else logging.INFO)
    try:
        stack = LocalStack.start(
            port=arguments.port,
            host=arguments.host,
            real_xero=arguments.real_xero,
            schedules=not arguments.no_schedules,
            schedule_speedup=arguments.speedup,
            retry_delay_seconds=arguments.retry_delay,
            template_path=arguments.template,
        )
    except LocalStackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # most often: the port is taken
        print(f"error: cannot listen on {arguments.host}:{arguments.port} ({error}); try --port 0", file=sys.stderr)
        return 2
    with stack:
        print(describe(stack), flush=True)
        if not arguments.no_api_key:
            try:
                key = stack.create_api_key(name="local stack (all orgs)", all_orgs=True)
            except ImportError:
                pass  # no key management in this version of the service yet
            else:
                # A key for the local moto tables only, printed so that you can call the API.
                print(f"\n  Local API key (all orgs): Authorization: Bearer {key.api_key}", flush=True)
                print(console_link_text(stack.api_url, key.api_key, CONSOLE_ORG), flush=True)
        # Ctrl-C and SIGTERM both stop the stack cleanly (a SIGINT handler of our own also works
        # when a non-interactive shell started us in the background with SIGINT ignored).
        stopped = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stopped.set())
        while not stopped.wait(timeout=1):
            pass
        print("\nstopping…", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
