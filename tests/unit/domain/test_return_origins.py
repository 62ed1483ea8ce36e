"""Issue 9: a connect's return_url must be on an allowed origin — the deployment's host app
(HOST_APP_ORIGINS) or the org's own (settings.allowed_host_origins) — so that an API key cannot
send the admin's browser anywhere after consent. Pure rules: ``models/origins.py``,
``domain/oauth.py``; the setting and the org setting that hold them."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from xero_sync.domain import oauth
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.origins import ORIGIN_PATTERN, OriginError, check_origin, origin_of
from xero_sync.settings import HostOriginSettings

ALLOWED = frozenset({"https://app.example.com", "http://localhost:3000"})


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://app.example.com/settings?x=1", "https://app.example.com"),
        ("HTTPS://App.Example.COM:443/a", "https://app.example.com"),
        ("https://app.example.com:8443/a", "https://app.example.com:8443"),
        ("http://localhost:3000/host/xero", "http://localhost:3000"),
        ("http://[::1]:80/", "http://[::1]"),
    ],
)
def test_the_origin_of_a_url_is_scheme_host_and_port(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    "url",
    ["https://app.example.com/settings/integrations/xero", "https://APP.example.com/x", "http://localhost:3000/a"],
)
def test_a_return_url_on_an_allowed_origin_is_accepted(url):
    assert oauth.check_return_url(url, ALLOWED) == url


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("https://evil.example/phish", "https://evil.example is not one"),
        ("https://app.example.com.evil.example/x", "is not one"),
        ("https://app.example.com:8443/x", "https://app.example.com:8443 is not one"),
        ("http://localhost:4000/x", "http://localhost:4000 is not one"),
        ("https://user@app.example.com/x", "user name"),
        ("https://app.example.com/a b", "spaces"),
        ("https://app.example.com:99999/x", "not a valid URL"),
        ("http://[bad/x", "not a valid URL"),
    ],
)
def test_a_return_url_elsewhere_is_refused_saying_what_to_do(url, fragment):
    with pytest.raises(oauth.ReturnUrlError, match=fragment.replace(".", r"\.")):
        oauth.check_return_url(url, ALLOWED)


def test_the_refusal_says_where_origins_are_configured():
    with pytest.raises(oauth.ReturnUrlError) as refused:
        oauth.check_return_url("https://evil.example/x", ALLOWED)
    assert "allowed_host_origins" in str(refused.value) and "HOST_APP_ORIGINS" in str(refused.value)


def test_no_allowed_origin_refuses_every_return_url():
    with pytest.raises(oauth.ReturnUrlError, match="allowed origins"):
        oauth.check_return_url("https://app.example.com/x", frozenset())


NORMALISED = {  # as configured → as compared
    "https://app.example.com": "https://app.example.com",
    "https://App.example.com/": "https://app.example.com",
    "https://app.example.com:443": "https://app.example.com",
    "http://localhost:3000": "http://localhost:3000",
}


@pytest.mark.parametrize("text", sorted(NORMALISED))
def test_configured_origins_are_normalised(text):
    assert check_origin(text) == NORMALISED[text]


@pytest.mark.parametrize(
    "text",
    [
        "app.example.com",
        "https://app.example.com/path",
        "https://app.example.com?x",
        "http://app.example.com",
        "ftp://a",
        " https://app.example.com",
        "HTTPS://app.example.com",
        "https://app.example.com:65536",
        "https://user@app.example.com",
        "https://-bad.example",
    ],
)
def test_a_configured_origin_must_be_an_https_origin_only(text):
    with pytest.raises(OriginError):
        check_origin(text)
    assert not re.fullmatch(ORIGIN_PATTERN, text)  # the published pattern says the same


def test_the_org_setting_holds_normalised_unique_origins_and_names_a_wrong_one():
    settings = OrgSettings.model_validate({"allowed_host_origins": ["https://A.example/", "https://a.example"]})
    assert settings.allowed_host_origins == ["https://a.example"]
    with pytest.raises(ValidationError) as invalid:
        OrgSettings.model_validate({"allowed_host_origins": ["https://a.example/return"]})
    assert invalid.value.errors()[0]["loc"] == ("allowed_host_origins", 0)


def test_the_deployment_setting_fails_the_cold_start_on_a_wrong_origin():
    tables = {name: "t" for name in HostOriginSettings.model_fields if name.endswith("_table")}
    tables |= {"token_key_id": "k"}
    queues = {f"{family}_{kind}_url": "q" for family in _families() for kind in ("queue", "dlq")}
    settings = HostOriginSettings(
        **tables, **queues, host_app_origins=" https://app.example.com , http://localhost:3000"
    )
    assert settings.host_origins == ALLOWED
    with pytest.raises(ValidationError, match="host_app_origins"):
        HostOriginSettings(**tables, **queues, host_app_origins="https://app.example.com/path")


def _families() -> list[str]:
    from xero_sync.domain.families import Family

    return [family.value for family in Family]


@pytest.mark.parametrize("value", [5, None, True, {"origin": "https://a.example"}, ["https://a.example"]])
def test_an_origin_that_is_not_a_text_is_a_validation_error_not_a_crash(value):
    # The fuzzer's find: a number in allowed_host_origins raised TypeError inside the validator (a 500)
    with pytest.raises(ValidationError) as invalid:
        OrgSettings.model_validate({"allowed_host_origins": [value]})
    assert invalid.value.errors()[0]["type"] == "string_type"
