"""Schedules: rate()/cron() expressions, the scheduled-event payload, on-demand and timed firing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from local_stack_helpers import make_runner

from local.stack.schedules import Expression

T0 = datetime(2026, 11, 21, 10, 30, 15, tzinfo=UTC)  # a Saturday


def test_fire_schedule_sends_the_scheduled_event_payload(runner, recorder):
    result = runner.fire_schedule("TickFunction", "EveryMinute")

    event = result["received"]
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["account"] == "123456789012" and event["region"] == "us-east-1"
    assert event["detail"] == {}
    assert event["resources"][0].startswith("arn:aws:events:us-east-1:123456789012:rule/")
    assert event["time"].endswith("Z")


def test_a_schedule_with_input_sends_the_input(runner, recorder):
    assert runner.fire_schedule("TickFunction", "Nightly") == {"received": {"job": "nightly"}}


def test_fire_schedule_needs_a_name_when_a_function_has_several(runner):
    with pytest.raises(KeyError, match="several schedules"):
        runner.fire_schedule("TickFunction")
    with pytest.raises(KeyError, match="no schedule"):
        runner.fire_schedule("EchoFunction")


def test_timers_fire_at_the_cadence_with_a_speedup(fixture_resolver, moto_endpoint):
    # Given rate(1 minute) at 120x: a fire every half second
    with make_runner(fixture_resolver, moto_endpoint, http=False, schedules=True, schedule_speedup=120) as runner:
        import fixture_recorder

        fixture_recorder.reset()

        def fired() -> list[dict]:
            return [event for event in fixture_recorder.calls_of("TickFunction") if "detail-type" in event]

        # When three fires have come (waited for; the bound is for a failure only)
        assert fixture_recorder.wait_until(lambda: len(fired()) >= 3), "the timer did not fire three times"
        times = [datetime.fromisoformat(event["time"].replace("Z", "+00:00")) for event in fired()[:3]]

    # Then they came one schedule minute apart — or, when the machine was too busy to fire on time,
    # whole minutes apart (a late fire skips what it missed, as a Lambda still running would)
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 60 and gap % 60 == 0 for gap in gaps), gaps
    assert runner.schedules  # both schedules were read from the template


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 minute)", datetime(2026, 11, 21, 10, 31, 15, tzinfo=UTC)),
        ("rate(2 hours)", datetime(2026, 11, 21, 12, 30, 15, tzinfo=UTC)),
        ("cron(0 3 * * ? *)", datetime(2026, 11, 22, 3, 0, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", datetime(2026, 11, 21, 10, 45, tzinfo=UTC)),
        ("cron(0 9 ? * MON-FRI *)", datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
        ("cron(0 0 L * ? *)", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),
        ("cron(30 8 ? * MON#1 *)", datetime(2026, 12, 7, 8, 30, tzinfo=UTC)),
        ("cron(0 12 1 JAN ? 2027)", datetime(2027, 1, 1, 12, 0, tzinfo=UTC)),
        ("cron(5,35 10 21 11 ? *)", datetime(2026, 11, 21, 10, 35, tzinfo=UTC)),
    ],
)
def test_next_fire_times(expression, expected):
    assert Expression(expression).next_after(T0, started=T0) == expected


@pytest.mark.parametrize(
    "expression",
    ["every minute", "cron(0 3 * * *)", "cron(0 3 1 * MON *)", "cron(0 3 15W * ? *)", "rate(0 minutes)"],
)
def test_expressions_the_runner_cannot_run_are_refused(expression):
    with pytest.raises(ValueError):
        Expression(expression)
