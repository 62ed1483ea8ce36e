"""The host's signed change notifications as pure rules: the signature a host checks, the URL
rules (after DNS resolution), the retry schedule (F4.2)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from tests.fakes import T0
from xero_sync.domain.host_webhooks import (
    GIVE_UP_AFTER,
    UnsafeUrl,
    check_address,
    gives_up,
    parse_url,
    retry_delay,
    signature,
    verify_signature,
)

SECRET = "whsec_test-secret"
BODY = b'{"org_id":"org-a","change":{"id":"000000000001"}}'


def test_the_signature_is_stripes_scheme_over_time_and_raw_body():
    header = signature(SECRET, 1795521700, BODY)
    expected = hmac.new(SECRET.encode(), b"1795521700." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1795521700,v1={expected}"


def test_a_host_accepts_a_fresh_signature_and_refuses_the_rest():
    now = T0
    header = signature(SECRET, int(now.timestamp()), BODY)
    assert verify_signature(SECRET, header, BODY, now)
    assert verify_signature(SECRET, header, BODY, now + timedelta(minutes=4, seconds=59))
    assert not verify_signature(SECRET, header, BODY, now + timedelta(minutes=5, seconds=1))  # a replay
    assert not verify_signature(SECRET, header, BODY + b" ", now)  # the body changed
    assert not verify_signature("whsec_other", header, BODY, now)
    assert not verify_signature(SECRET, None, BODY, now)
    assert not verify_signature(SECRET, "t=abc,v1=00", BODY, now)
    # several v1 (a secret being rotated): any one that matches
    assert verify_signature(SECRET, f"{header},v1=deadbeef", BODY, now)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/x", "https"),
        ("ftp://hooks.example.com/x", "https"),
        ("https://user:pw@hooks.example.com/x", "password"),
        ("https:///x", "host"),
        ("https://hooks.example.com/x#frag", "fragment"),
        ("https://hooks.example.com:99999/x", "port"),
        ("https://hooks.example.com/" + "x" * 2000, "2000"),
    ],
)
def test_urls_the_service_will_not_call(url, reason):
    with pytest.raises(UnsafeUrl, match=reason):
        parse_url(url, allow_loopback_http=False)


def test_a_url_splits_into_what_the_connection_needs():
    target = parse_url("https://Hooks.Example.com:8443/in/xero?k=1", allow_loopback_http=False)
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "hooks.example.com",
        8443,
        "/in/xero?k=1",
    )
    assert parse_url("http://127.0.0.1:9000", allow_loopback_http=True).path == "/"


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",  # cloud metadata
        "fd00:ec2::254",
        "::1",
        "fe80::1",
        "0.0.0.0",
        "224.0.0.1",
        "100.64.0.1",  # carrier-grade NAT: not global
        "::ffff:10.0.0.1",  # an IPv4-mapped private address
    ],
)
def test_private_loopback_link_local_and_metadata_addresses_are_refused(address):
    with pytest.raises(UnsafeUrl):
        check_address(address, scheme="https", allow_loopback_http=False)


def test_public_addresses_pass_and_loopback_only_when_the_local_stack_allows_it():
    check_address("93.184.216.34", scheme="https", allow_loopback_http=False)
    check_address("2606:2800:220:1:248:1893:25c8:1946", scheme="https", allow_loopback_http=False)
    check_address("127.0.0.1", scheme="http", allow_loopback_http=True)
    with pytest.raises(UnsafeUrl, match="https"):
        check_address("93.184.216.34", scheme="http", allow_loopback_http=True)  # http is for loopback only
    with pytest.raises(UnsafeUrl):
        check_address("169.254.169.254", scheme="http", allow_loopback_http=True)


def test_retries_back_off_to_fifteen_minutes_and_give_up_after_24_hours():
    assert [retry_delay(n) for n in range(1, 8)] == [30, 60, 120, 240, 480, 900, 900]
    # at 15 minutes between attempts, 24 hours is about a hundred attempts
    assert not gives_up(None, T0)
    assert not gives_up(T0, T0 + GIVE_UP_AFTER - timedelta(seconds=1))
    assert gives_up(T0, T0 + GIVE_UP_AFTER)
