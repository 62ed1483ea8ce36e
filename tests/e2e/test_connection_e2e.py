"""F1 end to end over HTTP: connect → status → disable → enable → delete, against the emulated
Xero, checking what Xero saw."""

import requests


def _xero_requests(stack, path_prefix: str) -> list[dict]:
    body = requests.get(
        f"{stack.emulator.base_url}/_emulator/requests", params={"path_prefix": path_prefix}, timeout=30
    ).json()
    return body["requests"] if isinstance(body, dict) else body


def test_connect_status_disable_enable_delete(stack, host):
    # Given a host org that connects through Xero's consent (auto-consent in the emulator)
    outcome = host.connect()
    assert outcome["xero_status"] == "connected" and outcome["xero_org_id"] == host.org_id

    # Then its status shows the tenant, who connected, and a first sync scheduled at once
    status = host.call("GET", "/connection")
    assert status["status"] == "connected"
    assert status["tenant"]["tenant_name"] == "Demo Company (NZ)"
    assert status["connected_by_email"] == "admin@demo.example"
    assert status["next_sync_at"] is not None
    # and Xero's chart of accounts was imported on connect
    accounts = host.call("GET", "/xero/accounts")["accounts"]
    assert any(a["code"] == "200" for a in accounts)

    # When the admin disables, nothing syncs and nothing is scheduled
    disabled = host.call("POST", "/connection/disable")
    assert disabled["status"] == "disabled" and disabled["next_sync_at"] is None
    # and a second disable is refused with a reason
    assert "only a connected integration" in host.call("POST", "/connection/disable", expect=409)["error"]["message"]

    # When the admin enables again, it is connected and scheduled without reconfiguring
    enabled = host.call("POST", "/connection/enable")
    assert enabled["status"] == "connected" and enabled["next_sync_at"] is not None

    # When the admin deletes the integration
    connection_id = _xero_connection_id(stack)
    deleted = host.call("DELETE", "/connection")
    assert deleted["status"] == "disconnected" and deleted["warnings"] == []

    # Then Xero's connection was deleted and the token revoked at Xero
    assert any(
        r["method"] == "DELETE" and r["path"] == f"/connections/{connection_id}"
        for r in _xero_requests(stack, "/connections")
    )
    assert any(r["method"] == "POST" for r in _xero_requests(stack, "/connect/revocation"))
    # and the history keeps every step
    actions = [e["action"] for e in host.call("GET", "/history?limit=50")["events"]]
    for action in ("connect", "disable", "enable", "delete"):
        assert action in actions


def test_denied_consent_stores_nothing(stack, host):
    # Given the admin presses Cancel on Xero's consent page
    started = host.call("POST", "/connect", {"return_url": f"{host.base}/host/xero"})
    state = dict(p.split("=", 1) for p in started["authorize_url"].split("?", 1)[1].split("&"))["state"]
    answer = requests.get(
        f"{host.base}/oauth/callback",
        params={"error": "access_denied", "state": state},
        allow_redirects=False,
        timeout=30,
    )
    # Then the browser returns to the host with "denied", and the org is not connected
    assert answer.status_code == 302 and "xero_status=denied" in answer.headers["Location"]
    assert host.call("GET", "/connection")["status"] == "not_connected"
    # and replaying the same state is refused with a clear page
    replay = requests.get(
        f"{host.base}/oauth/callback", params={"code": "x", "state": state}, allow_redirects=False, timeout=30
    )
    assert replay.status_code == 400 and "already been used" in replay.text


def _xero_connection_id(stack) -> str:
    connections = requests.get(f"{stack.emulator.base_url}/_emulator/connections", timeout=30).json()
    rows = connections["connections"] if isinstance(connections, dict) else connections
    return rows[-1].get("id") or rows[-1].get("connection_id")
