"""Idempotency-Key (xero-facts §4; checklist §9 item 4): replay, mismatch, length, 6-minute
retention, per app, errors cached, replays still count against the rate limits."""

from __future__ import annotations

import threading

import requests


def _put_contact(xero, name: str, key: str | None, **extra):
    headers = xero.headers(**({"Idempotency-Key": key} if key else {}))
    return xero.put("/Contacts", {"Contacts": [{"Name": name}]}, headers=headers, **extra)


def _contact_count(emulator, xero) -> int:
    return len(xero.get("/Contacts").json()["Contacts"])


def test_same_key_and_request_replays_the_stored_response_without_a_second_write(emulator, xero):
    before = _contact_count(emulator, xero)
    first = _put_contact(xero, "Idem Ltd", "key-1")
    second = _put_contact(xero, "Idem Ltd", "key-1")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert _contact_count(emulator, xero) == before + 1
    replayed = requests.get(f"{emulator.base_url}/_emulator/requests", params={"method": "PUT"}).json()["requests"]
    assert [e["notes"].get("replayed", False) for e in replayed] == [False, True]


def test_same_key_with_a_different_request_is_400(xero):
    assert _put_contact(xero, "First Ltd", "key-2").status_code == 200
    different = _put_contact(xero, "Second Ltd", "key-2")
    assert different.status_code == 400
    assert different.json()["Type"] == "ValidationException"
    other_query = xero.put(
        "/Contacts",
        {"Contacts": [{"Name": "First Ltd"}]},
        params={"summarizeErrors": "false"},
        headers=xero.headers(**{"Idempotency-Key": "key-2"}),
    )
    assert other_query.status_code == 400


def test_key_longer_than_128_characters_is_400(xero):
    assert _put_contact(xero, "Long Key Ltd", "k" * 128).status_code == 200
    too_long = _put_contact(xero, "Long Key Ltd", "k" * 129)
    assert too_long.status_code == 400 and "128" in too_long.json()["Message"]


def test_keys_expire_after_six_minutes(emulator, xero):
    before = _contact_count(emulator, xero)
    _put_contact(xero, "Expiring Ltd", "key-3")
    emulator.clock.advance(5 * 60 + 59)
    _put_contact(xero, "Expiring Ltd", "key-3")
    assert _contact_count(emulator, xero) == before + 1
    emulator.clock.advance(2)
    # processed as a brand-new request (the engine decides whether a duplicate name is allowed)
    assert _put_contact(xero, "Expiring Ltd", "key-3").status_code in (200, 400)
    replays = requests.get(f"{emulator.base_url}/_emulator/requests", params={"method": "PUT"}).json()["requests"]
    assert [e["notes"].get("replayed", False) for e in replays] == [False, True, False]


def test_errors_are_stored_and_replayed_too(emulator, xero):
    first = xero.put(
        "/Contacts",
        {"Contacts": [{"EmailAddress": "no-name@example.com"}]},
        headers=xero.headers(**{"Idempotency-Key": "bad-1"}),
    )
    assert first.status_code == 400
    second = xero.put(
        "/Contacts",
        {"Contacts": [{"EmailAddress": "no-name@example.com"}]},
        headers=xero.headers(**{"Idempotency-Key": "bad-1"}),
    )
    assert second.status_code == 400 and second.content == first.content


def test_replays_count_against_the_rate_limits(xero):
    first = _put_contact(xero, "Counted Ltd", "key-4")
    replay = _put_contact(xero, "Counted Ltd", "key-4")
    assert int(replay.headers["X-MinLimit-Remaining"]) == int(first.headers["X-MinLimit-Remaining"]) - 1


def test_keys_are_per_app(emulator, oauth, xero):
    emulator.state.clients["second-app"] = type(emulator.state.clients["demo-client-id"])("second-app", "s2", [])
    other_app = type(oauth)(emulator.base_url, "second-app", "s2").connect(tenant_ids=[xero.tenant_id])
    before = _contact_count(emulator, xero)
    assert _put_contact(xero, "App One Ltd", "shared-key").status_code == 200
    assert _put_contact(other_app, "App Two Ltd", "shared-key").status_code == 200
    assert _contact_count(emulator, xero) == before + 2


def test_get_requests_ignore_the_key(emulator, xero):
    xero.get("/Contacts", headers=xero.headers(**{"Idempotency-Key": "get-key"}))
    _put_contact(xero, "After Get Ltd", None)
    second = xero.get("/Contacts", headers=xero.headers(**{"Idempotency-Key": "get-key"}))
    assert any(c["Name"] == "After Get Ltd" for c in second.json()["Contacts"])


def test_racing_retries_with_one_key_reach_the_engine_once(emulator, xero):
    before = _contact_count(emulator, xero)
    emulator.state.faults.add("slow", count=1, method="PUT", delay_seconds=0.3)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(_put_contact(xero, "Race Ltd", "race-key"))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200, 200, 200]
    assert len({r.content for r in results}) == 1
    assert _contact_count(emulator, xero) == before + 1
