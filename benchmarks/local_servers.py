"""What the benchmarks share: the Xero emulator and moto server, each in a process of its own
(so their CPU is not counted as the service's), on free loopback ports."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Servers:
    xero: str  # the emulator's base URL
    aws: str  # moto server's endpoint URL


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def xero_and_aws(emulator_options: list[str]) -> Iterator[Servers]:
    """The emulator (``python -m local.xero_emulator --port … <emulator_options>``) and moto
    server, started, waited for, and stopped afterwards."""
    emulator_port, moto_port = free_port(), free_port()
    emulator = subprocess.Popen(
        [sys.executable, "-m", "local.xero_emulator", "--port", str(emulator_port), *emulator_options],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    servers = Servers(xero=f"http://127.0.0.1:{emulator_port}", aws=f"http://127.0.0.1:{moto_port}")
    try:
        wait_for(f"{servers.xero}/_emulator/health")
        wait_for(f"{servers.aws}/moto-api/data.json")
        yield servers
    finally:
        for process in (emulator, moto):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # busy (moto with a large table): no need to wait for it
                process.kill()
                process.wait(timeout=30)


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
