"""The control plane under /_emulator/, and the OpenAPI checker the fixtures rely on."""

from __future__ import annotations

import requests


def test_health(emulator):
    body = requests.get(f"{emulator.base_url}/_emulator/health").json()
    assert body["status"] == "ok" and body["base_url"] == emulator.base_url and body["tenants"] == 2


def test_tenants_create_list_and_state(emulator):
    base = f"{emulator.base_url}/_emulator/tenants"
    created = requests.post(base, json={"name": "Acme Ltd", "base_currency": "AUD", "day_limit": 1000, "seed": "demo"})
    assert created.status_code == 201
    tenant_id = created.json()["tenant_id"]
    listed = requests.get(base).json()
    assert tenant_id in {t["tenant_id"] for t in listed["tenants"]}
    assert listed["start_tenant_ids"] == emulator.state.start_tenant_ids
    state = requests.get(f"{base}/{tenant_id}/state")
    assert state.status_code == 200 and isinstance(state.json(), dict)
    assert requests.get(f"{base}/00000000-0000-0000-0000-000000000000/state").status_code == 404
    assert requests.post(base, json={"base_currency": "AUD"}).status_code == 400
    assert requests.post(base, json={"name": "X", "seed": "no-such-seed"}).status_code == 400


def test_reset_forgets_tokens_connections_and_new_tenants_but_keeps_stable_ids(emulator, xero):
    start_ids = list(emulator.state.start_tenant_ids)
    requests.post(f"{emulator.base_url}/_emulator/tenants", json={"name": "Temporary"})
    reset = requests.post(f"{emulator.base_url}/_emulator/reset").json()
    assert [t["tenant_id"] for t in reset["tenants"]] == start_ids
    assert xero.get("/Organisation").status_code == 401
    assert requests.get(f"{emulator.base_url}/_emulator/connections").json()["connections"] == []


def test_stats_count_calls_refreshes_and_429s(emulator, oauth, xero):
    xero.get("/Organisation")
    emulator.state.faults.add("http_429")
    xero.get("/Organisation")
    oauth.refresh(xero.tokens["refresh_token"])
    stats = requests.get(f"{emulator.base_url}/_emulator/stats").json()
    assert stats["clients"]["demo-client-id"]["refreshes"] == 1
    assert stats["clients"]["demo-client-id"]["code_exchanges"] == 1
    tenant = stats["tenants"][xero.tenant_id]
    assert tenant["calls"] == 1 and tenant["rate_limited"] == 1  # a 429 is not a counted call


def test_control_plane_is_separate_from_xero_paths(emulator):
    assert requests.get(f"{emulator.base_url}/_emulator/nothing-here").status_code == 404
    assert requests.get(f"{emulator.base_url}/api.xro/2.0/_emulator/health").status_code == 401
