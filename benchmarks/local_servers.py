"""What the benchmarks share: the Xero emulator and moto server, each in a process of its own
(so their CPU is not counted as the service's), on free loopback ports.

moto server is one Python process (one GIL) for whatever services it is asked for; with a big
table it uses a whole core, and then SQS waits behind DynamoDB. So the services a benchmark
leans on can each have a moto process of their own (``own_process_for``), which the functions
reach through boto3's per-service variables (``AWS_ENDPOINT_URL_DYNAMODB`` …); the rest (KMS,
Secrets Manager, SES) share the first one (``AWS_ENDPOINT_URL``)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Servers:
    xero: str  # the emulator's base URL
    aws: str  # moto server's endpoint URL (every service without one of its own)
    services: dict[str, str] = field(default_factory=dict)  # service -> its own moto server's URL


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def xero_and_aws(emulator_options: list[str], own_process_for: tuple[str, ...] = ()) -> Iterator[Servers]:
    """The emulator (``python -m local.xero_emulator --port … <emulator_options>``) and moto
    server — plus one more moto server for each service of ``own_process_for`` (e.g.
    ``("dynamodb", "sqs")``) — started, waited for, and stopped afterwards."""
    emulator_port = free_port()
    processes = [_start([sys.executable, "-m", "local.xero_emulator", "--port", str(emulator_port), *emulator_options])]
    motos: dict[str, str] = {}
    for name in ("*", *own_process_for):  # "*": the one for every other service
        port = free_port()
        processes.append(_start([sys.executable, "-m", "local.moto_server", "-H", "127.0.0.1", "-p", str(port)]))
        motos[name] = f"http://127.0.0.1:{port}"
    aws = motos.pop("*")
    servers = Servers(xero=f"http://127.0.0.1:{emulator_port}", aws=aws, services=motos)
    try:
        wait_for(f"{servers.xero}/_emulator/health")
        for url in (aws, *motos.values()):
            wait_for(f"{url}/moto-api/data.json")
        yield servers
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # busy (moto with a large table): no need to wait for it
                process.kill()
                process.wait(timeout=30)


def _start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit(f"a local server did not start ({url})")


def connect(api: requests.Session, base: str, org_id: str) -> None:
    """The admin's consent, as the emulator's --auto-consent gives it."""
    started = api.post(f"{base}/v1/orgs/{org_id}/connect", json={"return_url": f"{base}/host"}, timeout=60).json()
    consent = requests.get(started["authorize_url"], allow_redirects=False, timeout=60)
    callback = requests.get(consent.headers["Location"], allow_redirects=False, timeout=120)
    assert "xero_status=connected" in callback.headers["Location"], callback.headers["Location"]
