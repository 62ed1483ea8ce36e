"""Connection lifecycle rules (F1.5, F6.1)."""

import pytest

from xero_sync.domain.connection import (
    WATCHED_FOR_INACTIVITY,
    ConnectionActionError,
    ConnectionStatus,
    all_shards,
    check_can_disable,
    check_can_enable,
    shard_of,
)


def test_only_connected_can_be_disabled_and_only_disabled_enabled():
    check_can_disable(ConnectionStatus.CONNECTED)
    check_can_enable(ConnectionStatus.DISABLED)
    for status in ConnectionStatus:
        if status is not ConnectionStatus.CONNECTED:
            with pytest.raises(ConnectionActionError, match="disable"):
                check_can_disable(status)
        if status is not ConnectionStatus.DISABLED:
            with pytest.raises(ConnectionActionError, match="enable"):
                check_can_enable(status)


def test_needs_reauth_and_disconnected_are_not_watched_for_inactivity():
    assert ConnectionStatus.NEEDS_REAUTH not in WATCHED_FOR_INACTIVITY
    assert ConnectionStatus.DISCONNECTED not in WATCHED_FOR_INACTIVITY
    assert ConnectionStatus.CONNECTED in WATCHED_FOR_INACTIVITY


def test_shards_are_stable_and_spread():
    shards = [shard_of(f"org-{n}", 16) for n in range(4000)]
    assert shard_of("org-1", 16) == shard_of("org-1", 16)
    assert set(shards) == set(all_shards(16))
    counts = {s: shards.count(s) for s in set(shards)}
    assert max(counts.values()) < 2 * min(counts.values())
