"""OAuth state, PKCE and return-URL rules (F1.1, F1.2, N4)."""

import base64
import hashlib
import re

import pytest

from xero_sync.domain import oauth


def test_state_is_long_random_and_only_its_hash_is_stored():
    states = {oauth.new_state() for _ in range(200)}
    assert len(states) == 200
    state = states.pop()
    assert len(state) >= 43
    assert oauth.state_hash(state) == hashlib.sha256(state.encode()).hexdigest()
    assert state not in oauth.state_hash(state)


def test_pkce_pair_follows_rfc7636_s256():
    pair = oauth.new_pkce_pair()
    assert 43 <= len(pair.verifier) <= 128
    assert re.fullmatch(r"[A-Za-z0-9\-._~]+", pair.verifier)
    expected = base64.urlsafe_b64encode(hashlib.sha256(pair.verifier.encode()).digest()).rstrip(b"=").decode()
    assert pair.challenge == expected


def test_pkce_challenge_matches_the_rfc7636_appendix_b_example():
    assert (
        oauth.pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example.com/settings/xero",
        "https://app.example.com/settings?tab=integrations",
        "http://localhost:3000/return",
        "http://127.0.0.1:8080/return",
    ],
)
def test_acceptable_return_urls(url):
    assert oauth.check_return_url(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://app.example.com/return", "https"),
        ("ftp://app.example.com/return", "absolute http"),
        ("/relative/path", "absolute http"),
        ("javascript:alert(1)", "absolute http"),
        ("https://app.example.com/return#frag", "fragment"),
    ],
)
def test_rejected_return_urls_say_why(url, reason):
    with pytest.raises(oauth.ReturnUrlError, match=reason):
        oauth.check_return_url(url)


def test_outcome_url_keeps_the_hosts_query_and_replaces_earlier_outcomes():
    url = oauth.outcome_url(
        "https://app.example.com/xero?tab=int&xero_status=old",
        org_id="org-1",
        outcome=oauth.ConnectOutcome.FAILED,
        error="state_expired",
    )
    assert url == ("https://app.example.com/xero?tab=int&xero_status=failed&xero_org_id=org-1&xero_error=state_expired")


def test_outcome_url_without_error():
    url = oauth.outcome_url("https://h.example/x", org_id="o", outcome=oauth.ConnectOutcome.CONNECTED)
    assert url == "https://h.example/x?xero_status=connected&xero_org_id=o"
