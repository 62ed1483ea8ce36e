"""The rate governor's shared state in the RateLimits table (N2; see xero/governor.py for the rules).

One item per bucket — a Xero tenant id, or ``app`` for the app-wide limit — with ``kind`` =
``limits``. It holds everything the governor needs, so that a call costs few requests:

* ``tat``: the next free send time (GCRA "theoretical arrival time", epoch seconds). Each call
  reserves ``max(tat, now)`` and pushes ``tat`` one interval further. Reservations queue callers
  in order, so waiting for one's turn is a plain sleep — no polling.
* ``holders``: a string set with one entry per call in flight, ``"<lease end>|<permit id>"``.
  ``size(holders) < limit`` is the concurrency check; the lease end lets anyone remove the entry
  of a Lambda that died mid-call. A slot is held only from sending to Xero's answer.
* ``remaining_day``: the day allowance left, counted down by each reservation and corrected from
  Xero's ``X-DayLimit-Remaining``; ``remaining_minute`` from ``X-MinLimit-Remaining``.
* ``blocked_until`` / ``block_reason``: nothing may be sent before then (429, minute used up, day
  used up, or — on the ``app`` bucket — the app-wide minute running low).

DynamoDB requests per Xero call: an idle tenant (send at once) costs one ``UpdateItem`` to
reserve the send time *and* a slot, and one to release. A busy tenant (its send time is in the
future) costs one ``UpdateItem`` to reserve the send time, one to take a slot when that time
comes, and one to release. A write whose condition fails costs one consistent ``GetItem`` to
learn why, and usually one more ``UpdateItem``.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action

from xero_sync.dal.models import RateLimitModel
from xero_sync.domain.rate_limits import BucketState, Reservation, holder_lease, refusal_reason

STATE_KIND = "limits"
MAX_ATTEMPTS = 4  # reservation writes per reserve() call before reporting contention


# --- DynamoDB ---------------------------------------------------------------------------------------


class DynamoRateLimitStore:
    """``RateLimitStore`` on the RateLimits table; safe to share between threads."""

    def __init__(self) -> None:
        # The last ``tat`` seen per bucket: guesses whether the tenant is idle (``tat`` in the
        # past) or busy, which decides the shape of the reservation write (see ``reserve``).
        self._tat_hint: dict[str, float | None] = {}
        self._lock = threading.Lock()
        self.requests = {"update": 0, "update_conflict": 0, "get": 0}

    def reserve(
        self,
        bucket: str,
        *,
        holder: str,
        now: float,
        interval: float,
        concurrency: int,
        day_limit: int,
        latest_send_at: float,
        expires_at: float,
    ) -> Reservation:
        # DynamoDB update expressions have no max(), so "send at max(tat, now)" is one of two
        # conditional writes: *idle* (tat <= now: send now, tat = now + interval, and take a slot
        # if one is free) or *busy* (tat > now: send at tat, tat = tat + interval — an atomic
        # increment, so concurrent callers queue up behind each other without conflicts). We
        # guess from the last tat seen; a wrong guess costs one failed write and one read.
        hint = self._tat_hint.get(bucket)
        busy = hint is not None and hint > now
        with_slot = True
        state = BucketState()
        for _ in range(MAX_ATTEMPTS):
            try:
                item = self._reserve_write(
                    bucket,
                    busy=busy,
                    holder=holder if with_slot else None,
                    now=now,
                    interval=interval,
                    concurrency=concurrency,
                    day_limit=day_limit,
                    latest_send_at=latest_send_at,
                    expires_at=expires_at,
                )
            except _ConditionFailed:
                state = self.read(bucket) or BucketState()
                self._remember_tat(bucket, state.tat)
                if refusal_reason(state, now=now, latest_send_at=latest_send_at):
                    return Reservation(False, None, state)
                busy = state.tat is not None and state.tat > now
                if not busy and len(state.holders) >= concurrency:
                    expired = [token for token, end in state.holders.items() if end < now]
                    if expired:  # a Lambda died mid-call: free its slot
                        self._remove_holders(bucket, expired)
                    else:  # every slot is in use: reserve the send time alone
                        with_slot = False
                continue
            new_state = _state_of(item)
            self._remember_tat(bucket, new_state.tat)
            assert new_state.tat is not None
            holds_slot = not busy and with_slot
            return Reservation(True, new_state.tat - interval, new_state, holds_slot)
        return Reservation(False, None, state)  # heavy contention: the caller retries shortly

    def take_slot(self, bucket: str, *, holder: str, now: float, concurrency: int) -> bool:
        for _ in range(2):
            try:
                self._update(
                    bucket,
                    [RateLimitModel.holders.add({holder})],
                    RateLimitModel.holders.does_not_exist() | (size(RateLimitModel.holders) < concurrency),
                )
                return True
            except _ConditionFailed:
                state = self.read(bucket) or BucketState()
                expired = [token for token, end in state.holders.items() if end < now]
                if not expired:
                    return False
                self._remove_holders(bucket, expired)
        return False

    def release(
        self,
        bucket: str,
        *,
        holder: str,
        now: float,
        remaining_day: int | None,
        remaining_minute: int | None,
    ) -> None:
        actions = [RateLimitModel.holders.delete({holder}), RateLimitModel.observed_at.set(now)]
        if remaining_day is not None:
            actions.append(RateLimitModel.remaining_day.set(remaining_day))
        if remaining_minute is not None:
            actions.append(RateLimitModel.remaining_minute.set(remaining_minute))
        self._update(bucket, actions, None)

    def block(
        self,
        bucket: str,
        *,
        until: float,
        reason: str,
        expires_at: float,
        remaining_day: int | None = None,
    ) -> None:
        """Hold the bucket until ``until`` — unless it is already held for longer."""
        actions = [
            RateLimitModel.blocked_until.set(until),
            RateLimitModel.block_reason.set(reason),
            RateLimitModel.expires_at.set(utc_from_epoch(expires_at)),
        ]
        if remaining_day is not None:
            actions.append(RateLimitModel.remaining_day.set(remaining_day))
        condition = RateLimitModel.blocked_until.does_not_exist() | (RateLimitModel.blocked_until < until)
        with contextlib.suppress(_ConditionFailed):  # a longer block is already in place
            self._update(bucket, actions, condition)

    def read(self, bucket: str) -> BucketState | None:
        self._count("get")
        try:
            item = RateLimitModel.get(bucket, STATE_KIND, consistent_read=True)
        except DoesNotExist:
            return None
        return _state_of(item)

    # --- helpers ---

    def _reserve_write(
        self,
        bucket: str,
        *,
        busy: bool,
        holder: str | None,
        now: float,
        interval: float,
        concurrency: int,
        day_limit: int,
        latest_send_at: float,
        expires_at: float,
    ) -> RateLimitModel:
        model = RateLimitModel
        condition = (model.blocked_until.does_not_exist() | (model.blocked_until <= now)) & (
            model.remaining_day.does_not_exist() | (model.remaining_day > 0)
        )
        actions: list[Action] = [
            model.remaining_day.set((model.remaining_day | day_limit) - 1),
            model.expires_at.set(utc_from_epoch(expires_at)),
        ]
        if busy:
            condition &= (model.tat > now) & (model.tat <= latest_send_at)
            actions.append(model.tat.set(model.tat + interval))
        else:
            condition &= model.tat.does_not_exist() | (model.tat <= now)
            actions.append(model.tat.set(now + interval))
            if holder is not None:
                condition &= model.holders.does_not_exist() | (size(model.holders) < concurrency)
                actions.append(model.holders.add({holder}))
        return self._update(bucket, actions, condition)

    def _remove_holders(self, bucket: str, tokens: list[str]) -> None:
        if tokens:
            self._update(bucket, [RateLimitModel.holders.delete(set(tokens))], None)

    def _update(self, bucket: str, actions: list, condition: Condition | None) -> RateLimitModel:
        item = RateLimitModel(bucket, STATE_KIND)
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                self._count("update_conflict")
                raise _ConditionFailed() from error
            raise
        self._count("update")
        return item

    def _remember_tat(self, bucket: str, tat: float | None) -> None:
        with self._lock:
            self._tat_hint[bucket] = tat

    def _count(self, name: str) -> None:
        with self._lock:
            self.requests[name] += 1


class _ConditionFailed(Exception):
    pass


def _state_of(item: RateLimitModel) -> BucketState:
    holders = {token: holder_lease(token) for token in (item.holders or set())}
    return BucketState(
        tat=item.tat,
        holders=holders,
        remaining_day=item.remaining_day,
        remaining_minute=item.remaining_minute,
        blocked_until=item.blocked_until,
        block_reason=item.block_reason,
    )


def utc_from_epoch(epoch_seconds: float) -> datetime:
    """An epoch-seconds time as the TTL attribute takes it (also the app budget's, dal/app_budget.py)."""
    return datetime.fromtimestamp(epoch_seconds, tz=UTC)
