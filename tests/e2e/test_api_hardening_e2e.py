"""Issue 9 through the local stack over HTTP, as a host (or an attacker) sends it: the gateway
base64-encodes what is not text, so the bytes arrive exactly as sent. Malformed bodies, unknown
methods and the oversize batch get the API's error shape — never ``{"message": "Internal Server
Error"}``."""

from __future__ import annotations

import hashlib
import json

import pytest
import requests


def send(host, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
    headers = {"Content-Type": content_type} if content_type else {}
    return host.session.request(
        method, f"{host.base}/v1/orgs/{host.org_id}{path}", data=body, headers=headers, timeout=120
    )


def error_of(response: requests.Response) -> dict:
    assert response.headers["Content-Type"] == "application/json", response.text[:300]
    return response.json()["error"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"records": [{"id": "\xff\xfe"}]}', "application/json", 400, "invalid_encoding"),
        (b'--x\r\n\r\n{"records": []}', "multipart/form-data", 415, "unsupported_media_type"),
        (
            ('{"records": [{"data": {"custom_fields": ' + "[" * 10_000 + "]" * 10_000 + "}}]}").encode(),
            "application/json",
            400,
            "too_deeply_nested",
        ),
        (b"records=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (json.dumps({"records": ["x" * (5 * 1024 * 1024)]}).encode(), "application/json", 413, "payload_too_large"),
    ],
    ids=["not-utf8", "multipart-no-boundary", "10000-deep", "form", "5-MiB"],
)
def test_malformed_bodies_over_http_are_4xx_in_the_error_shape(host, body, content_type, status, code):
    response = send(host, "POST", "/records", body, content_type)
    assert response.status_code == status, response.text[:300]
    assert error_of(response)["code"] == code


def test_trace_is_405_with_allow(host):
    response = send(host, "TRACE", "/records")
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert error_of(response)["code"] == "method_not_allowed"


def test_the_issues_oversize_batch_over_http(host):
    # Given [good contact, contact whose custom field cannot be compressed under the limit, good contact]
    noise = "".join(hashlib.sha512(str(n).encode()).hexdigest() for n in range(6_000))  # 768 KB of hex
    records = [
        {"entity": "contact", "id": "c-1", "version": 1, "action": "upsert", "data": {"display_name": "One"}},
        {
            "entity": "contact",
            "id": "c-2",
            "version": 1,
            "action": "upsert",
            "data": {"display_name": "Two", "custom_fields": {"scan": noise}},
        },
        {"entity": "contact", "id": "c-3", "version": 1, "action": "upsert", "data": {"display_name": "Three"}},
    ]
    answer = host.call("POST", "/records", {"records": records}, expect=202)
    # Then every record has its result and only the oversize one is left out
    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected", "accepted"]
    assert answer["results"][1]["error"]["code"] == "record_too_large"
    assert host.call("GET", "/records/contact/c-3")["version"] == 1
    missing = send(host, "GET", "/records/contact/c-2")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_ids_with_a_slash_or_nul_cannot_be_pushed_and_their_paths_are_refused(host):
    records = [
        {"entity": "contact", "id": "a/b", "version": 1, "action": "upsert", "data": {"display_name": "Slash"}},
        {"entity": "contact", "id": "a\u0000b", "version": 1, "action": "upsert", "data": {"display_name": "Nul"}},
    ]
    answer = host.call("POST", "/records", {"records": records}, expect=202)
    assert [r["status"] for r in answer["results"]] == ["rejected", "rejected"]
    # The gateway decodes %2F and %00: a/b is two path segments, NUL matches no route
    for encoded in ("a%2Fb", "a%00b"):
        response = send(host, "GET", f"/records/contact/{encoded}")
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    too_long = send(host, "GET", "/records/contact/" + "x" * 300)
    assert too_long.status_code == 400 and error_of(too_long)["details"][0]["field"] == "path.record_id"


def test_a_return_url_off_the_stacks_origins_is_refused(host):
    response = send(
        host, "POST", "/connect", json.dumps({"return_url": "https://evil.example/"}).encode(), "application/json"
    )
    assert response.status_code == 400 and error_of(response)["details"][0]["field"] == "return_url"
