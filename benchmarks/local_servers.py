"""What the benchmarks share: the Xero emulator and moto server, each in a process of its own
(so their CPU is not counted as the service's), each on a loopback port it picks itself.

moto server is one Python process (one GIL) for whatever services it is asked for; with a big
table it uses a whole core, and then SQS waits behind DynamoDB. So the services a benchmark
leans on can each have a moto process of their own (``own_process_for``), which the functions
reach through boto3's per-service variables (``AWS_ENDPOINT_URL_DYNAMODB`` …); the rest (KMS,
Secrets Manager, SES) share the first one (``AWS_ENDPOINT_URL``)."""

from __future__ import annotations

import re
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID, CLIENT_SECRET = "demo-client-id", "demo-client-secret"  # the emulator's default app


@dataclass(frozen=True)
class Servers:
    xero: str  # the emulator's base URL
    aws: str  # moto server's endpoint URL (every service without one of its own)
    services: dict[str, str] = field(default_factory=dict)  # service -> its own moto server's URL


@contextmanager
def xero_and_aws(emulator_options: list[str], own_process_for: tuple[str, ...] = ()) -> Iterator[Servers]:
    """The emulator (``python -m local.xero_emulator --port 0 <emulator_options>``) and moto
    server — plus one more moto server for each service of ``own_process_for`` (e.g.
    ``("dynamodb", "sqs")``) — started, and stopped afterwards. Each binds a port of its own
    choosing and prints its URL first: no port is probed as free and bound later (on a busy
    machine another process can take it in between)."""
    processes: list[subprocess.Popen] = []
    try:
        emulator = _start([sys.executable, "-m", "local.xero_emulator", "--port", "0", *emulator_options], processes)
        motos = {
            name: _start([sys.executable, "-m", "local.moto_server", "-H", "127.0.0.1", "-p", "0"], processes)
            for name in ("*", *own_process_for)  # "*": the one for every other service
        }
        aws = motos.pop("*")
        yield Servers(xero=emulator, aws=aws, services=motos)
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # busy (moto with a large table): no need to wait for it
                process.kill()
                process.wait(timeout=30)


def _start(command: list[str], processes: list[subprocess.Popen], seconds: float = 60.0) -> str:
    """Start ``command`` (added to ``processes``) and return the URL of its first line of output,
    which it prints once it listens."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    processes.append(process)
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], seconds)
    first_line = process.stdout.readline() if readable else ""
    listening = re.search(r"http://[^\s()]+", first_line)
    if listening is None:
        raise SystemExit(f"a local server did not start ({' '.join(command[1:3])}: {first_line.strip()!r})")
    return listening.group(0).rstrip("/")


def emulated_xero(xero_url: str) -> Any:
    """The emulator of ``xero_and_aws`` as the local stack's Xero (``LocalStack.start(xero=…)``):
    its default app and its URLs; the redirect URI is the stack's own callback, whatever port
    the stack listens on (the emulator accepts any callback on loopback)."""
    from local.stack.stack import XeroApp

    return XeroApp(CLIENT_ID, CLIENT_SECRET, "", login_url=xero_url, identity_url=xero_url, api_url=xero_url)


def connect(api: requests.Session, base: str, org_id: str) -> None:
    """The admin's consent, as the emulator's --auto-consent gives it."""
    started = api.post(f"{base}/v1/orgs/{org_id}/connect", json={"return_url": f"{base}/host"}, timeout=60).json()
    consent = requests.get(started["authorize_url"], allow_redirects=False, timeout=60)
    callback = requests.get(consent.headers["Location"], allow_redirects=False, timeout=120)
    assert "xero_status=connected" in callback.headers["Location"], callback.headers["Location"]
