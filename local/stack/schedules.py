"""EventBridge schedules for the local stack: ``rate(...)`` and ``cron(...)`` expressions, the
scheduled-event payload, and a background timer with a speed-up for demos.

Expressions follow EventBridge (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html):

- ``rate(1 minute)``, ``rate(5 minutes)``, ``rate(2 hours)``, ``rate(1 day)``: the first run one
  period after the schedule starts, then every period;
- ``cron(minutes hours day-of-month month day-of-week year)`` in UTC, with ``*``, ``?``, lists,
  ranges, ``/`` steps, month names ``JAN``-``DEC``, day names ``SUN``-``SAT`` (1 = Sunday),
  ``L`` (last day of the month) and ``#`` (``MON#1``: first Monday). ``W`` is not supported.

With ``speedup`` > 1, schedule time runs that many times faster than the wall clock (a
``rate(1 minute)`` schedule with speedup 60 fires every second); the event's ``time`` is the
scheduled time on that faster clock.
"""

from __future__ import annotations

import calendar
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

log = logging.getLogger("local.stack.schedules")

_MONTHS = {
    name: index
    for index, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1
    )
}
_DAYS = {name: index for index, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")


@dataclass(frozen=True)
class ScheduleSpec:
    """One schedule that starts one function."""

    function: str  # logical id
    name: str  # the event's name (or the standalone rule's logical id)
    expression: str
    input: Any | None  # the constant input, if the schedule has one
    enabled: bool
    rule_arn: str


def scheduled_event(spec: ScheduleSpec, at: datetime, *, account_id: str, region: str) -> Any:
    """The event the function receives: the schedule's Input when it has one, else the
    ``Scheduled Event`` payload EventBridge sends."""
    if spec.input is not None:
        return spec.input
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [spec.rule_arn],
        "detail": {},
    }


# --- expressions ------------------------------------------------------------------------------


class Expression:
    """A parsed schedule expression; ``next_after(t)`` is the first fire time after ``t``."""

    def __init__(self, text: str):
        self.text = text.strip()
        rate = _RATE.match(self.text)
        cron = _CRON.match(self.text)
        if rate:
            amount, unit = int(rate.group(1)), rate.group(2).rstrip("s")
            if amount <= 0:
                raise ValueError(f"{text}: the rate must be positive")
            self.period: timedelta | None = {
                "minute": timedelta(minutes=amount),
                "hour": timedelta(hours=amount),
                "day": timedelta(days=amount),
            }[unit]
            self._cron: _Cron | None = None
        elif cron:
            self.period = None
            self._cron = _Cron(cron.group(1))
        else:
            raise ValueError(f"{text!r} is neither rate(...) nor cron(...)")

    def next_after(self, moment: datetime, *, started: datetime) -> datetime:
        if self.period is not None:
            periods = (moment - started) // self.period + 1
            return started + periods * self.period
        assert self._cron is not None
        return self._cron.next_after(moment)


def _parse_field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            start_text, end_text = part.split("-", 1)
            start, end = _value(start_text, names), _value(end_text, names)
        else:
            start = _value(part, names)
            end = high if step != 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise ValueError(f"{part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    text = text.strip().upper()
    if names and text in names:
        return names[text]
    return int(text)


class _Cron:
    def __init__(self, text: str):
        fields = text.split()
        if len(fields) != 6:
            raise ValueError(f"cron({text}) needs 6 fields: minutes hours day-of-month month day-of-week year")
        minutes, hours, day_of_month, month, day_of_week, year = fields
        if "W" in day_of_month.upper():
            raise ValueError(f"cron({text}): W is not supported by the local stack")
        if day_of_month != "?" and day_of_week != "?":
            raise ValueError(f"cron({text}): one of day-of-month and day-of-week must be '?'")
        self.minutes = sorted(_parse_field(minutes, 0, 59))
        self.hours = sorted(_parse_field(hours, 0, 23))
        self.months = _parse_field(month, 1, 12, _MONTHS)
        self.years = None if year in ("*", "?") else _parse_field(year, 1970, 2199)
        self.last_day_of_month = day_of_month.upper() == "L"
        self.days_of_month = (
            None if day_of_month in ("*", "?") or self.last_day_of_month else _parse_field(day_of_month, 1, 31)
        )
        self.nth_weekday: tuple[int, int] | None = None
        self.days_of_week: set[int] | None = None
        if "#" in day_of_week:
            weekday, nth = day_of_week.split("#", 1)
            self.nth_weekday = (_value(weekday, _DAYS), int(nth))
        elif day_of_week not in ("*", "?"):
            if "L" in day_of_week.upper():
                raise ValueError(f"cron({text}): L in day-of-week is not supported by the local stack")
            self.days_of_week = _parse_field(day_of_week, 1, 7, _DAYS)

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.last_day_of_month:
            return day.day == calendar.monthrange(day.year, day.month)[1]
        if self.days_of_month is not None and day.day not in self.days_of_month:
            return False
        weekday = (day.weekday() + 1) % 7 + 1  # Python: Monday=0; EventBridge: Sunday=1
        if self.days_of_week is not None and weekday not in self.days_of_week:
            return False
        if self.nth_weekday is not None:
            wanted, nth = self.nth_weekday
            return weekday == wanted and (day.day - 1) // 7 + 1 == nth
        return True

    def next_after(self, moment: datetime) -> datetime:
        start = (moment + timedelta(minutes=1)).replace(second=0, microsecond=0)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 5):  # every schedule fires within five years, or never
            if self._day_matches(day):
                for hour in self.hours:
                    for minute in self.minutes:
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ValueError("this cron expression never fires")


# --- the timer --------------------------------------------------------------------------------


class ScheduleTimer:
    """Fires one schedule in a background thread until stopped.

    An invocation that is still running when the next fire is due delays it; fires missed that
    way are skipped (the next fire is computed from the time the invocation ended)."""

    def __init__(
        self,
        spec: ScheduleSpec,
        fire: Callable[[ScheduleSpec, datetime], Any],
        *,
        speedup: float = 1.0,
    ):
        if speedup <= 0:
            raise ValueError("speedup must be positive")
        self.spec = spec
        self.expression = Expression(spec.expression)
        self._fire = fire
        self._speedup = speedup
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"schedule-{spec.function}-{spec.name}", daemon=True)
        self._real_start = time.time()
        self._schedule_start = datetime.now(UTC)

    def _schedule_now(self) -> datetime:
        elapsed = (time.time() - self._real_start) * self._speedup
        return self._schedule_start + timedelta(seconds=elapsed)

    def _real_seconds_until(self, moment: datetime) -> float:
        return max(0.0, (moment - self._schedule_now()).total_seconds() / self._speedup)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            due = self.expression.next_after(self._schedule_now(), started=self._schedule_start)
            if self._stop.wait(self._real_seconds_until(due)):
                return
            try:
                self._fire(self.spec, due)
            except Exception:
                log.exception("scheduled invocation of %s (%s) failed", self.spec.function, self.spec.name)
