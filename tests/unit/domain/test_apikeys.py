"""API key generation, parsing and verification (N4)."""

import pytest

from xero_sync.domain import apikeys


def test_generated_key_parses_back_and_matches_only_its_hash():
    generated = apikeys.generate_key()
    parsed = apikeys.parse_key(generated.api_key)
    assert parsed is not None
    assert parsed.key_id == generated.key_id
    assert apikeys.secret_matches(parsed.secret, generated.secret_hash)
    assert not apikeys.secret_matches(
        parsed.secret[:-1] + ("A" if parsed.secret[-1] != "A" else "B"), generated.secret_hash
    )
    assert parsed.secret not in generated.secret_hash


def test_keys_are_unique():
    keys = {apikeys.generate_key().api_key for _ in range(100)}
    assert len(keys) == 100


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Bearer",
        "xsk_short_abc",
        "xsk_0123456789abcdef_",
        "sk_0123456789abcdef_" + "a" * 43,
        "xsk_0123456789ABCDEF_" + "a" * 43,
    ],
)
def test_malformed_keys_do_not_parse(value):
    assert apikeys.parse_key(value) is None


def test_scope_rules():
    assert apikeys.may_access(all_orgs=True, org_ids=frozenset(), org_id="any")
    assert apikeys.may_access(all_orgs=False, org_ids=frozenset({"a", "b"}), org_id="a")
    assert not apikeys.may_access(all_orgs=False, org_ids=frozenset({"a"}), org_id="b")
