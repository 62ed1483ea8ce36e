"""The OpenAPI checker every emulator test relies on: it must find real violations, pin the
documents by hash, and fail clearly when they cannot be had."""

from __future__ import annotations

import json
import shutil

import pytest
import requests

from tests.emulator import openapi_validation
from tests.emulator.openapi_validation import PINNED_FILES, OpenApiUnavailable, locate_documents


def test_openapi_checker_reports_violations(openapi_checker):
    checker = openapi_checker
    good = {
        "method": "GET",
        "path": "/connections",
        "query": "",
        "request_headers": {},
        "status": 200,
        "content_type": "application/json",
        "headers": {},
        "body": json.dumps(
            [
                {
                    "id": "7cb59f93-2964-421d-bb5e-a0f7a4572a44",
                    "tenantId": "fe79f7dd-b6d4-4a92-ba7b-538af6289c58",
                    "tenantName": "Demo",
                    "tenantType": "ORGANISATION",
                    "authEventId": "fe79f7dd-b6d4-4a92-ba7b-538af6289c58",
                    "createdDateUtc": "2019-12-07T18:46:19.5165400",
                    "updatedDateUtc": "2019-12-07T18:46:19.5187840",
                }
            ]
        ).encode(),
    }
    assert checker.check(good) == []
    bad_api = {
        "method": "GET",
        "path": "/api.xro/2.0/Contacts",
        "query": "",
        "request_headers": {},
        "status": 200,
        "content_type": "application/json",
        "headers": {},
        "body": json.dumps({"Contacts": [{"Name": "X", "Invented": 1}]}).encode(),
    }
    problems = checker.check(bad_api)
    assert any("X-MinLimit-Remaining" in p for p in problems)
    assert any("Invented" in p for p in problems)
    bad_problem = {**bad_api, "status": 403, "body": b'{"message": "forbidden"}'}
    assert any("401/403 body" in p for p in checker.check(bad_problem))
    bad_token = {
        **good,
        "path": "/connect/token",
        "body": json.dumps({"access_token": "x", "expires_in": 1800}).encode(),
    }
    assert any("AccessToken" in p for p in checker.check(bad_token))


def test_openapi_documents_are_pinned_by_hash(openapi_checker):
    directory = openapi_checker.directory
    assert set(PINNED_FILES) <= {p.name for p in directory.iterdir()}


def test_a_changed_document_fails_the_hash_check(openapi_checker, tmp_path, monkeypatch):
    source = openapi_checker.directory
    for name in PINNED_FILES:
        shutil.copy(source / name, tmp_path / name)
    with (tmp_path / "xero-identity.yaml").open("a") as handle:
        handle.write("\n# edited\n")
    monkeypatch.setenv("XERO_OPENAPI_DIR", str(tmp_path))
    with pytest.raises(AssertionError, match="SHA-256"):
        locate_documents()


def test_without_a_folder_the_pinned_release_is_downloaded_or_reported_unavailable(
    openapi_checker, tmp_path, monkeypatch
):
    source = openapi_checker.directory
    cache = tmp_path / "cache"
    monkeypatch.delenv("XERO_OPENAPI_DIR", raising=False)
    monkeypatch.setattr(openapi_validation, "CACHE_DIR", cache)
    asked: list[str] = []

    def offline(url, timeout):
        asked.append(url)
        raise requests.ConnectionError("offline")

    monkeypatch.setattr(requests, "get", offline)
    # offline and nothing cached: a clear "unavailable" (the fixtures turn it into a skip)
    with pytest.raises(OpenApiUnavailable, match="XERO_OPENAPI_DIR"):
        locate_documents()
    assert (
        asked[0]
        == f"https://raw.githubusercontent.com/XeroAPI/Xero-OpenAPI/{openapi_validation.PINNED_REF}/xero_accounting.yaml"
    )
    # a cache holding the pinned files is used without downloading anything
    asked.clear()
    cache.mkdir(parents=True)
    for name in PINNED_FILES:
        shutil.copy(source / name, cache / name)
    assert locate_documents() == cache and asked == []
