"""Start-up: the public API, the in-process server on a free port, and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from local.xero_emulator import EmulatorOptions, start_in_thread

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_start_in_thread_serves_every_path_on_one_origin_and_reports_startup_time():
    started = time.perf_counter()
    emu = start_in_thread(EmulatorOptions(port=0, tenants=1))
    try:
        ready = requests.get(f"{emu.base_url}/_emulator/health", timeout=5)
        elapsed = time.perf_counter() - started
        print(f"\nemulator start-up: {emu.startup_seconds:.3f} s to listen, {elapsed:.3f} s to first answer")
        assert ready.status_code == 200
        assert emu.base_url.startswith("http://127.0.0.1:") and emu.port > 0
        assert requests.get(f"{emu.base_url}/identity/connect/authorize", timeout=5).status_code == 400
        assert requests.get(f"{emu.base_url}/connections", timeout=5).status_code == 401
        assert requests.get(f"{emu.base_url}/api.xro/2.0/Organisation", timeout=5).status_code == 401
        assert emu.clock is emu.state.clock
    finally:
        emu.stop()


def test_cli_prints_base_url_and_settings_but_never_the_secret():
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local.xero_emulator",
            "--port",
            "0",
            "--quiet",
            "--client-secret",
            "cli-secret-value",
            "--tenants",
            "1",
            "--redirect-uri",
            "https://example.com/oauth/callback",
            "--day-limit",
            "1000",
            "--time-scale",
            "2",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120  # bounds a failure only: a loaded machine starts slowly
        while not any(line.startswith("Control plane") for line in lines):
            assert time.monotonic() < deadline, lines
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        output = "".join(lines)
        base = next(line.split()[-1] for line in lines if line.startswith("  XERO_API_URL="))
        base = base.split("=", 1)[1]
        for name in ("XERO_LOGIN_URL", "XERO_IDENTITY_URL", "XERO_API_URL"):
            assert f"{name}={base}" in output
        assert "cli-secret-value" not in output
        assert requests.get(f"{base}/_emulator/clock", timeout=5).json()["time_scale"] == 2
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=10)
    assert "cli-secret-value" not in rest
