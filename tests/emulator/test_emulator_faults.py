"""Fault injection over real HTTP: each kind behaves on the wire as the real failure would."""

from __future__ import annotations

import time

import pytest
import requests


def _contacts(xero) -> list[str]:
    return [c["Name"] for c in xero.get("/Contacts").json()["Contacts"]]


def test_http_500_and_503_are_answered_before_anything_is_saved(emulator, xero):
    requests.post(f"{emulator.base_url}/_emulator/faults", json={"kind": "http_500", "count": 1, "method": "PUT"})
    emulator.state.faults.add("http_503", count=1, method="PUT")
    first = xero.put("/Contacts", {"Contacts": [{"Name": "Fault Ltd"}]})
    second = xero.put("/Contacts", {"Contacts": [{"Name": "Fault Ltd"}]})
    assert first.status_code == 500 and second.status_code == 503
    assert "offline" in second.text
    assert "Fault Ltd" not in _contacts(xero)
    third = xero.put("/Contacts", {"Contacts": [{"Name": "Fault Ltd"}]})
    assert third.status_code == 200  # the rules are used up


def test_http_429_fault_names_the_problem_and_retry_after(emulator, xero):
    emulator.state.faults.add("http_429", count=1, problem="day", delay_seconds=7)
    refused = xero.get("/Organisation")
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "day" and refused.headers["Retry-After"] == "7"
    default = emulator.state.faults.add("http_429")
    refused = xero.get("/Organisation")
    assert refused.headers["X-Rate-Limit-Problem"] == "minute" and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert default.fired == 1
    # like a real 429, an injected one is not counted against the limits
    assert refused.headers["X-MinLimit-Remaining"] == "60"
    assert xero.get("/Organisation").headers["X-MinLimit-Remaining"] == "59"


def test_slow_delays_the_answer(emulator, xero):
    emulator.state.faults.add("slow", delay_seconds=0.5)
    started = time.monotonic()
    response = xero.get("/Organisation")
    assert response.status_code == 200 and time.monotonic() - started >= 0.5
    with pytest.raises(requests.Timeout):
        emulator.state.faults.add("slow", delay_seconds=1.0)
        xero.get("/Organisation", timeout=0.3)


def test_drop_after_commit_saves_then_closes_the_connection_without_a_response(emulator, xero):
    emulator.state.faults.add("drop_after_commit", method="PUT", path_prefix="/Contacts")
    with pytest.raises(requests.ConnectionError):
        xero.put("/Contacts", {"Contacts": [{"Name": "Dropped But Saved Ltd"}]})
    assert "Dropped But Saved Ltd" in _contacts(xero)


def test_drop_after_commit_retry_with_the_same_key_gets_the_saved_answer(emulator, xero):
    emulator.state.faults.add("drop_after_commit", method="PUT")
    headers = xero.headers(**{"Idempotency-Key": "drop-key"})
    with pytest.raises(requests.ConnectionError):
        xero.put("/Contacts", {"Contacts": [{"Name": "Once Only Ltd"}]}, headers=headers)
    retry = xero.put("/Contacts", {"Contacts": [{"Name": "Once Only Ltd"}]}, headers=headers)
    assert retry.status_code == 200
    assert _contacts(xero).count("Once Only Ltd") == 1


def test_timeout_after_commit_saves_then_answers_too_late(emulator, xero):
    requests.post(
        f"{emulator.base_url}/_emulator/faults",
        json={"kind": "timeout_after_commit", "method": "PUT", "delay_seconds": 1.0},
    )
    with pytest.raises(requests.Timeout):
        xero.put("/Contacts", {"Contacts": [{"Name": "Slow Save Ltd"}]}, timeout=0.3)
    assert "Slow Save Ltd" in _contacts(xero)


def test_faults_match_method_path_and_tenant(emulator, oauth):
    first, second = emulator.state.start_tenant_ids
    session = oauth.connect(tenant_ids=[first, second])
    emulator.state.faults.add("http_503", count=5, method="GET", path_prefix="/contacts", tenant_id=second)
    assert session.get("/Contacts", tenant_id=first).status_code == 200
    assert session.get("/Organisation", tenant_id=second).status_code == 200
    assert session.put("/Contacts", {"Contacts": [{"Name": "Put Ltd"}]}, tenant_id=second).status_code == 200
    assert session.get("/Contacts", tenant_id=second).status_code == 503


def test_fault_control_plane_lists_validates_and_clears(emulator):
    base = f"{emulator.base_url}/_emulator/faults"
    assert requests.post(base, json={"kind": "explode"}).status_code == 400
    assert requests.post(base, json={"kind": "http_500", "count": 0}).status_code == 400
    created = requests.post(base, json={"kind": "slow", "count": 2, "delay_seconds": 0.1})
    assert created.status_code == 201 and created.json()["kind"] == "slow"
    assert len(requests.get(base).json()["faults"]) == 1
    assert requests.delete(base).status_code == 200
    assert requests.get(base).json()["faults"] == []


def test_faults_are_logged_in_the_request_log(emulator, xero):
    emulator.state.faults.add("http_500")
    xero.get("/Organisation")
    entry = requests.get(f"{emulator.base_url}/_emulator/requests", params={"path_prefix": "/api.xro"}).json()[
        "requests"
    ][-1]
    assert entry["status"] == 500 and entry["notes"]["fault"] == "http_500"
