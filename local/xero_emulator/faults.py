"""Fault injection: make the next matching API calls fail the way Xero (or the network) can fail.

Pre-commit kinds act before the accounting engine sees the request (nothing is saved):
  http_429            — a rate-limit refusal at the rate-limit step (``X-Rate-Limit-Problem`` =
                        ``problem``, default minute); like a real 429 it is not counted;
  http_500, http_503  — Xero's unhandled error / outage (xero-facts §7);
  slow                — wait ``delay_seconds`` (real seconds), then process normally;
  hold                — wait until the test (``faults.release(rule_id)``) or the control plane
                        (``POST /_emulator/faults/{id}/release``) releases it, then process
                        normally; ``faults.wait_held(rule_id, n)`` returns once n calls are held.
                        A deterministic way to have calls in flight (``delay_seconds``, default
                        60, only guards against a test that never releases).
Post-commit kinds act after the engine applied the change (and after the idempotent response was
stored — Xero saved it, the client just never hears back):
  drop_after_commit    — the TCP connection is closed without any response;
  timeout_after_commit — the response is held back ``delay_seconds`` (real seconds), so a client
                         with a shorter timeout gives up.
A rule matches on method, path prefix (below /api.xro/2.0, case-insensitive) and tenant, each
optional, and fires ``count`` times.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

RATE_LIMIT_KINDS = frozenset({"http_429"})  # acts at the rate-limit step: refused, not counted
PRE_COMMIT_KINDS = frozenset({"http_500", "http_503", "slow", "hold"})
POST_COMMIT_KINDS = frozenset({"drop_after_commit", "timeout_after_commit"})
KINDS = RATE_LIMIT_KINDS | PRE_COMMIT_KINDS | POST_COMMIT_KINDS
RATE_LIMIT_PROBLEMS = frozenset({"minute", "day", "appminute", "concurrent"})
DEFAULT_DELAY_SECONDS = {"slow": 2.0, "timeout_after_commit": 30.0, "hold": 60.0}


@dataclass
class FaultRule:
    id: int
    kind: str
    count: int
    method: str | None = None
    path_prefix: str | None = None
    tenant_id: str | None = None
    delay_seconds: float | None = None
    problem: str | None = None  # http_429 only
    fired: int = 0
    held: int = 0  # hold only: calls waiting for the release right now
    released: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    def matches(self, method: str, path: str, tenant_id: str | None) -> bool:
        if self.count <= 0:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path_prefix and not path.lower().startswith(self.path_prefix.lower()):
            return False
        return not (self.tenant_id and self.tenant_id != tenant_id)

    @property
    def delay(self) -> float:
        if self.delay_seconds is not None:
            return self.delay_seconds
        return DEFAULT_DELAY_SECONDS.get(self.kind, 0.0)

    def to_dict(self) -> dict[str, object]:
        names = ("id", "kind", "count", "method", "path_prefix", "tenant_id", "delay_seconds", "problem", "fired")
        result: dict[str, object] = {name: getattr(self, name) for name in names}
        if self.kind == "hold":
            result.update(held=self.held, released=self.released.is_set())
        return result


class FaultInjector:
    """Thread-safe list of fault rules. ``emu.state.faults.add("http_503", count=2)`` in tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # a call started or stopped being held
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(
        self,
        kind: str,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        tenant_id: str | None = None,
        delay_seconds: float | None = None,
        problem: str | None = None,
    ) -> FaultRule:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(KINDS)}")
        if count < 1:
            raise ValueError("count must be >= 1")
        if delay_seconds is not None and delay_seconds < 0:
            raise ValueError("delay_seconds must be >= 0")
        if problem is not None and (kind != "http_429" or problem not in RATE_LIMIT_PROBLEMS):
            raise ValueError(f"problem is for http_429 only, one of {sorted(RATE_LIMIT_PROBLEMS)}")
        if path_prefix and not path_prefix.startswith("/"):
            path_prefix = "/" + path_prefix
        rule = FaultRule(next(self._ids), kind, count, method, path_prefix, tenant_id, delay_seconds, problem)
        with self._lock:
            self._rules.append(rule)
        return rule

    def _take(self, kinds: frozenset[str], method: str, path: str, tenant_id: str | None) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.kind in kinds and rule.matches(method, path, tenant_id):
                    rule.count -= 1
                    rule.fired += 1
                    return rule
        return None

    def take_rate_limit(self, method: str, path: str, tenant_id: str | None) -> FaultRule | None:
        return self._take(RATE_LIMIT_KINDS, method, path, tenant_id)

    def take_pre_commit(self, method: str, path: str, tenant_id: str | None) -> FaultRule | None:
        return self._take(PRE_COMMIT_KINDS, method, path, tenant_id)

    def take_post_commit(self, method: str, path: str, tenant_id: str | None) -> FaultRule | None:
        return self._take(POST_COMMIT_KINDS, method, path, tenant_id)

    # --- hold --------------------------------------------------------------------------------

    def hold(self, rule: FaultRule) -> None:
        """Called by the pipeline for a ``hold`` rule: block this call until the rule is released
        (or its safety timeout passes)."""
        with self._changed:
            rule.held += 1
            self._changed.notify_all()
        try:
            rule.released.wait(rule.delay)
        finally:
            with self._changed:
                rule.held -= 1
                self._changed.notify_all()

    def wait_held(self, rule_id: int, count: int, timeout: float = 30.0) -> bool:
        """Block until ``count`` calls are held by rule ``rule_id``; False if the timeout passes
        first (a failure, not a race: a test waits for an event, never for a guessed delay)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._held(rule_id) >= count, timeout)

    def _held(self, rule_id: int) -> int:
        return next((rule.held for rule in self._rules if rule.id == rule_id), 0)

    def release(self, rule_id: int | None = None) -> int:
        """Let the calls held by rule ``rule_id`` (every hold rule when None) go on; calls that
        match the rule later pass straight through. Returns how many rules were released."""
        with self._lock:
            rules = [r for r in self._rules if r.kind == "hold" and (rule_id is None or r.id == rule_id)]
        for rule in rules:
            rule.released.set()
        return len(rules)

    def clear(self) -> None:
        with self._lock:
            rules, self._rules = self._rules, []
        for rule in rules:  # nobody stays blocked on a rule that no longer exists
            rule.released.set()

    def list(self) -> list[dict[str, object]]:
        with self._lock:
            return [r.to_dict() for r in self._rules]
