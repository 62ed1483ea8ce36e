"""The governor's single-writer guarantee where it can be tested without a stand-in that breaks
it (issue 9): many threads against a store that applies each write atomically, as DynamoDB does
per item — the in-memory store — on a virtual clock; and the conditional expressions
``dal/rate_limits.py`` sends, which are what makes each DynamoDB write safe. (On moto server the same
guarantee holds only because the local stack makes each of its requests atomic:
local/moto_patches.py.)"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
from typing import Any

import pytest
from pynamodb.expressions.condition import Condition

from tests.fakes import InMemoryRateLimitStore, VirtualTime
from xero_sync.dal.models import RateLimitModel
from xero_sync.dal.rate_limits import DynamoRateLimitStore
from xero_sync.xero.governor import RateGovernor

TENANT = "tenant-1"
INTERVAL = 60 / 59


# --- many threads, one serialising store, virtual time ------------------------------------------------


def test_virtual_time_moves_only_when_every_participant_sleeps():
    # Given two participants: one sleeps 5 s, the other works, then sleeps 2 s
    time = VirtualTime(participants=2, start=0.0)
    woke: list[tuple[str, float]] = []
    working = threading.Event()
    release = threading.Event()

    def sleeper() -> None:
        time.sleep(5)
        woke.append(("sleeper", time()))

    def worker() -> None:
        working.set()
        release.wait(30)  # real work that takes however long the machine needs
        time.sleep(2)
        woke.append(("worker", time()))

    threads = [threading.Thread(target=time.run(sleeper)), threading.Thread(target=time.run(worker))]
    for thread in threads:
        thread.start()
    working.wait(30)
    # Then no virtual time passes while the worker works
    assert time() == 0.0
    release.set()
    for thread in threads:
        thread.join(30)
    # And each wakes at exactly the virtual time it asked for, the earliest first
    assert woke == [("worker", 2.0), ("sleeper", 5.0)]


def test_many_callers_on_one_tenant_never_exceed_five_in_flight_nor_the_pace():
    # Given 24 callers ("Lambdas") with their own governors on one shared store, each making calls
    # that take a while (virtual time), for 3 virtual minutes
    callers, calls_each = 24, 8
    time = VirtualTime(participants=callers)
    store = InMemoryRateLimitStore()
    in_flight, most_in_flight, sends = 0, 0, []
    lock = threading.Lock()

    def caller(n: int) -> None:
        nonlocal in_flight, most_in_flight
        governor = RateGovernor(store, clock=time, sleep=time.sleep, rng=lambda: 0.5)
        for k in range(calls_each):
            permit = governor.acquire(TENANT, max_wait_seconds=600)
            with lock:
                in_flight += 1
                most_in_flight = max(most_in_flight, in_flight)
                sends.append(permit.send_at)
            time.sleep(0.5 + (n * 7 + k * 3) % 11)  # the call: 0.5 to 10.5 s, some overlapping
            with lock:
                in_flight -= 1
            governor.release(permit)

    threads = [threading.Thread(target=time.run(lambda n=n: caller(n))) for n in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # Then every call went, never more than five at once, one paced turn each
    assert len(sends) == callers * calls_each
    assert most_in_flight == 5
    turns = sorted(sends)
    assert all(b - a >= INTERVAL - 1e-9 for a, b in itertools.pairwise(turns))
    assert _max_in_any_window(turns) <= 59


def _max_in_any_window(times: list[float], window: float = 60.0) -> int:
    return max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)


# --- the conditional expressions sent to DynamoDB ------------------------------------------------------


class CapturingStore(DynamoRateLimitStore):
    """The DynamoDB store with the write captured instead of sent (no I/O)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[list[Any], Condition | None]] = []

    def _update(self, bucket: str, actions: list, condition: Condition | None) -> RateLimitModel:
        self.sent.append((actions, condition))
        item = RateLimitModel(bucket, "limits")
        item.tat = 100.0 + INTERVAL
        item.holders = {"161.0|p1"}
        return item


def readable(condition: Condition | None, actions: list[Any] = ()) -> tuple[str, list[str]]:
    """The condition and actions as DynamoDB receives them, with names and values filled in."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    text = condition.serialize(names, values) if condition is not None else ""
    updates = [action.serialize(names, values) for action in actions]
    by_placeholder = {placeholder: name for name, placeholder in names.items()}

    def fill(expression: str) -> str:
        expression = re.sub(r"#\d+", lambda m: by_placeholder[m.group(0)], expression)
        return re.sub(r":\d+", lambda m: _value(values[m.group(0)]), expression)

    return fill(text), [fill(update) for update in updates]


def _value(attribute: dict[str, Any]) -> str:
    ((kind, value),) = attribute.items()
    return repr(sorted(value)) if kind == "SS" else str(value)


RESERVATION: dict[str, Any] = dict(
    now=100.0, interval=INTERVAL, concurrency=5, day_limit=5000, latest_send_at=120.0, expires_at=999.0
)
"""A reservation at 100.0, the last turn given at 120.0."""


def reservation_sent(*, busy: bool, holder: str | None) -> tuple[str, list[str]]:
    """The one request a reservation at 100.0 sends (the last turn given: 120.0)."""
    store = CapturingStore()
    store._reserve_write(TENANT, busy=busy, holder=holder, **RESERVATION)
    [(actions, condition)] = store.sent
    return readable(condition, actions)


def test_an_idle_reservation_takes_the_send_time_and_a_slot_in_one_conditional_write():
    text, updates = reservation_sent(busy=False, holder="161.0|p1")
    # Only if nobody holds the tenant, the day is not used up, nobody reserved a later send time,
    # and fewer than five calls are out — checked and written as one request
    assert text == (
        "((((attribute_not_exists (blocked_until) OR blocked_until <= 100.0) AND "
        "(attribute_not_exists (remaining_day) OR remaining_day > 0)) AND "
        "(attribute_not_exists (tat) OR tat <= 100.0)) AND "
        "(attribute_not_exists (holders) OR size (holders) < 5))"
    )
    assert updates == [
        "remaining_day = if_not_exists (remaining_day, 5000) - 1",
        "expires_at = 999",
        f"tat = {100.0 + INTERVAL}",
        "holders ['161.0|p1']",
    ]


def test_a_busy_reservation_queues_behind_the_last_one_by_an_atomic_increment():
    text, updates = reservation_sent(busy=True, holder=None)
    # The send time is read and moved on in the write itself (tat = tat + interval), so two
    # callers can never be given the same turn; no slot is taken before the turn comes
    assert text.endswith("AND (tat > 100.0 AND tat <= 120.0))")
    assert f"tat = tat + {INTERVAL}" in updates
    assert not any(update.startswith("holders") for update in updates)


def test_taking_a_slot_is_conditional_on_fewer_than_five_holders():
    store = CapturingStore()
    assert store.take_slot(TENANT, holder="170.0|p2", now=110.0, concurrency=5) is True
    [(actions, condition)] = store.sent
    assert readable(condition, actions) == (
        "(attribute_not_exists (holders) OR size (holders) < 5)",
        ["holders ['170.0|p2']"],
    )


@pytest.mark.parametrize("busy", [False, True])
def test_a_reservation_never_writes_without_a_condition(busy):
    store = CapturingStore()
    store._tat_hint[TENANT] = 200.0 if busy else None  # what decides the shape of the write
    store.reserve(TENANT, holder="161.0|p1", **RESERVATION)
    assert store.sent and all(condition is not None for _actions, condition in store.sent)
