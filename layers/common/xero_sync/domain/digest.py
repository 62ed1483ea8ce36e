"""The failure digest (F6.2), as pure rules: which failures are new, how they are grouped, and
what the org's notification ledger remembers. No I/O; times are arguments.

*A failure* is a record in one form: (record, version, error code, message). The admin hears about
each form once. A record that fails again unchanged — re-queued by a settings change that did not
cure it, redriven from a DLQ — is not news; the same record failing for a new reason, or a new
version of it failing, is.

The *ledger* (one small JSON document per org) remembers, per record, the fingerprint of the form
last reported and when. Record keys are hashed to a fixed 12 characters, so the ledger's size
depends only on how many records it remembers (:data:`LEDGER_CAP`), not on the host's id lengths;
it stays far below DynamoDB's 400 KB item limit. When more distinct records have failed than it
can hold, the longest-reported ones are forgotten first: such a record is reported again only if
it fails again later, unchanged, after falling out — a rare, harmless repeat.

The ledger also keeps a *watermark*: the digest only reads records that entered ``failed`` after
it (minus :data:`WATERMARK_SLACK`, which covers the status index's replication lag and clock
skew between Lambdas), so an org with thousands of standing failures costs one small read per
digest, not thousands.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

LEDGER_CAP = 5_000
WATERMARK_SLACK = timedelta(minutes=5)
EXAMPLES_PER_GROUP = 5
FIXES_PER_GROUP = 3
DELIVERED_KEPT = 20  # window ids remembered, so a late duplicate of a delivered digest is ignored


@dataclass(frozen=True)
class FailedRecord:
    """A record as the digest shows it."""

    entity: str
    record_id: str
    label: str  # what the host calls it: the invoice number, else the host id
    version: int
    error_code: str
    message: str
    failed_at: datetime | None = None
    document_date: date | None = None

    @property
    def record_key(self) -> str:
        return f"{self.entity}#{self.record_id}"

    @property
    def fingerprint(self) -> str:
        return failure_fingerprint(self.version, self.error_code, self.message)

    @property
    def title(self) -> str:
        """The record named the way the worker names it in messages: "invoice INV-1042"."""
        return f"{self.entity.replace('_', ' ')} {self.label}"

    @property
    def advice(self) -> str:
        """The message without the record's own name in front, so that one fix shared by many
        records reads (and groups) as one."""
        return strip_record_prefix(self.message, self.title)


def failure_fingerprint(version: int, error_code: str | None, message: str | None) -> str:
    text = f"{version}\x1f{error_code or ''}\x1f{message or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def ledger_key(record_key: str) -> str:
    return hashlib.sha256(record_key.encode()).hexdigest()[:12]


def strip_record_prefix(message: str, title: str) -> str:
    """ "Invoice INV-7: Xero has no …" → "Xero has no …"; "Xero refused invoice INV-7: …" →
    "Xero refused the record: …". Other messages are returned unchanged."""
    capitalised = title[:1].upper() + title[1:]
    for prefix in (f"{capitalised}: ", f"{title}: "):
        if message.startswith(prefix):
            rest = message[len(prefix) :]
            return rest[:1].upper() + rest[1:]
    refused = f"Xero refused {title}: "
    if message.startswith(refused):
        return "Xero refused the record: " + message[len(refused) :]
    return message


# ----------------------------------------------------------------------------------------------
# The ledger
# ----------------------------------------------------------------------------------------------


@dataclass
class Ledger:
    entries: dict[str, tuple[str, int]] = field(default_factory=dict)  # hashed key → (fingerprint, epoch s)
    watermark: datetime | None = None
    delivered: list[str] = field(default_factory=list)  # window ids of the last digests

    @classmethod
    def from_body(cls, body: dict[str, Any] | None) -> Ledger:
        if not body:
            return cls()
        watermark = body.get("watermark")
        return cls(
            entries={key: (value[0], int(value[1])) for key, value in (body.get("entries") or {}).items()},
            watermark=datetime.fromisoformat(watermark) if watermark else None,
            delivered=list(body.get("delivered") or []),
        )

    def to_body(self) -> dict[str, Any]:
        return {
            "entries": {key: [fp, at] for key, (fp, at) in self.entries.items()},
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "delivered": self.delivered[-DELIVERED_KEPT:],
        }

    def read_since(self) -> datetime | None:
        """From when the digest must look at failed records (None: all of them)."""
        return self.watermark - WATERMARK_SLACK if self.watermark else None

    def is_new(self, failure: FailedRecord) -> bool:
        known = self.entries.get(ledger_key(failure.record_key))
        return known is None or known[0] != failure.fingerprint

    def remember(
        self, failures: list[FailedRecord], *, read_at: datetime, window_id: str | None, cap: int = LEDGER_CAP
    ) -> None:
        """Note the failures just reported, move the watermark to when their read started, and
        keep at most ``cap`` records (the most recently reported)."""
        stamp = int(read_at.timestamp())
        for failure in failures:
            self.entries[ledger_key(failure.record_key)] = (failure.fingerprint, stamp)
        if len(self.entries) > cap:
            newest = sorted(self.entries.items(), key=lambda item: item[1][1], reverse=True)[:cap]
            self.entries = dict(newest)
        if self.watermark is None or read_at > self.watermark:
            self.watermark = read_at
        if window_id and window_id not in self.delivered:
            self.delivered.append(window_id)
            self.delivered = self.delivered[-DELIVERED_KEPT:]

    def merge(self, other: Ledger) -> Ledger:
        """Two digests of one org finished at once (a retried one overlapping the next window):
        keep what both reported."""
        merged = Ledger(dict(other.entries), other.watermark, list(other.delivered))
        for key, (fp, at) in self.entries.items():
            if key not in merged.entries or merged.entries[key][1] <= at:
                merged.entries[key] = (fp, at)
        if self.watermark and (merged.watermark is None or self.watermark > merged.watermark):
            merged.watermark = self.watermark
        merged.delivered = list(dict.fromkeys([*merged.delivered, *self.delivered]))[-DELIVERED_KEPT:]
        return merged


def new_failures(failures: list[FailedRecord], ledger: Ledger) -> list[FailedRecord]:
    """The failures the admin has not been told about in their current form, oldest first."""
    fresh = [failure for failure in failures if ledger.is_new(failure)]
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(fresh, key=lambda f: (f.failed_at or epoch, f.entity, f.record_id))


# ----------------------------------------------------------------------------------------------
# The digest's content
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    advice: str
    count: int


@dataclass(frozen=True)
class ReasonGroup:
    """The failures that share one reason code."""

    code: str
    count: int
    by_entity: dict[str, int]
    fixes: list[Fix]  # the most common distinct messages, most frequent first
    other_fixes: int  # distinct messages not shown
    examples: list[FailedRecord]


@dataclass(frozen=True)
class Digest:
    new_count: int
    by_entity: dict[str, int]
    groups: list[ReasonGroup]
    still_failing: int  # every record of the org that is failed now, new or not
    first_failed_at: datetime | None
    last_failed_at: datetime | None

    @property
    def reasons(self) -> int:
        return len(self.groups)


def build_digest(
    failures: list[FailedRecord],
    *,
    still_failing: int,
    examples_per_group: int = EXAMPLES_PER_GROUP,
    fixes_per_group: int = FIXES_PER_GROUP,
) -> Digest:
    """Group new failures by reason code, largest group first; per group the counts per entity,
    the distinct fixes and the first few records."""
    by_code: dict[str, list[FailedRecord]] = defaultdict(list)
    for failure in failures:
        by_code[failure.error_code].append(failure)
    groups = []
    for code, members in by_code.items():
        advice = Counter(member.advice for member in members)
        ranked = sorted(advice.items(), key=lambda item: (-item[1], item[0]))
        groups.append(
            ReasonGroup(
                code=code,
                count=len(members),
                by_entity=_ranked(Counter(m.entity for m in members)),
                fixes=[Fix(text, count) for text, count in ranked[:fixes_per_group]],
                other_fixes=max(0, len(ranked) - fixes_per_group),
                examples=members[:examples_per_group],
            )
        )
    groups.sort(key=lambda group: (-group.count, group.code))
    times = [f.failed_at for f in failures if f.failed_at is not None]
    return Digest(
        new_count=len(failures),
        by_entity=_ranked(Counter(f.entity for f in failures)),
        groups=groups,
        still_failing=max(still_failing, len(failures)),
        first_failed_at=min(times) if times else None,
        last_failed_at=max(times) if times else None,
    )


def _ranked(counts: Counter[str]) -> dict[str, int]:
    """Largest count first; ties in name order (stable emails for the same failures)."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
