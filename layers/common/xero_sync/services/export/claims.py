"""Making Xero calls for claimed records.

Before every call each record in it is *claimed with its operation written down* (a conditional
write per record, those of one call in one request: dal/record_claims.py): another worker cannot
send it meanwhile, and if the call's outcome is unknown the next attempt looks in Xero first
(recovery.py). Records whose claim fails are someone else's now and are left alone (outcome
``lost``). A failure of a whole call becomes an outcome per record, except an auth error, which
pauses the whole org: Xero refused the call before applying anything, so the records are given
back at once (a reconnect sends them without waiting for the claims to run out).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from xero_sync.domain.records import ClaimRequest
from xero_sync.services.export.calls import BATCH_SIZE, XeroCalls, chunks, idempotency_key
from xero_sync.services.export.outcome import Outcome, capitalised, failed
from xero_sync.services.export.plan import Work
from xero_sync.services.ports import RecordStore
from xero_sync.xero.errors import (
    ReauthRequired,
    XeroAuthError,
    XeroBadRequest,
    XeroNotFound,
    XeroRetryableError,
)
from xero_sync.xero.governor import GovernorWait

Handler = Callable[[list[Work]], list[Outcome]]
"""Carries out one operation for a group of works."""
Act = Callable[[Work, str], Outcome]
"""One Xero step for one claimed record, given the claim's idempotency key."""


@dataclass(kw_only=True)
class ClaimedCalls:
    calls: XeroCalls
    records: RecordStore
    owner: str
    now: datetime
    claim_until: datetime
    batch_size: int = BATCH_SIZE

    def key(self, operation: str, works: Iterable[Work]) -> str:
        """One Idempotency-Key per distinct request: the same records and versions sent again
        give the same key, different bodies never share one (Xero answers 400 to that).

        The key also carries when each record last became pending. Xero keeps a key's answer for
        6 minutes, refusals included, and replays it (xero-facts §4): a record that Xero refused
        and that the admin retries after fixing the cause in Xero must go with a new key, or it
        is refused again from Xero's store. A re-send after an unknown outcome keeps its key (the
        record stayed pending, so the time is unchanged) — that is the replay we want. The payload's
        fingerprint is in it too: a record sent again with another body in the same pending spell
        (its contact merged in Xero meanwhile, so it now names the contact kept) must not reuse the
        key of the body Xero refused."""
        return idempotency_key(
            self.calls.tenant_id,
            operation,
            ((f"{w.view.key}~{_pending_since(w)}~{w.fingerprint or ''}", w.view.version) for w in works),
        )

    def claim(self, works: list[Work], operation: str) -> tuple[list[Work], list[Outcome], str]:
        """Claim ``works`` for ``operation``: (claimed, outcomes of the lost ones, idempotency key)."""
        key = self.key(operation, works)
        taken = self.records.claim_all_for_operation(
            [ClaimRequest(work.view.key, work.view.version, work.view.item.exported_version) for work in works],
            owner=self.owner,
            operation=operation,
            idempotency_key=key,
            now=self.now,
            until=self.claim_until,
        )
        claimed = [work for work, ok in zip(works, taken, strict=True) if ok]
        lost = [Outcome(work, "lost") for work, ok in zip(works, taken, strict=True) if not ok]
        return claimed, lost, key

    def guarded(self, works: list[Work], call: Callable[[], list[Outcome]]) -> list[Outcome]:
        """Run a Xero call for ``works``; turn a failure of the whole call into outcomes."""
        try:
            return call()
        except (XeroAuthError, ReauthRequired):
            for work in works:  # refused before anything was applied: nothing is unknown
                self.records.release(work.view.key, owner=self.owner, outcome_unknown=False, message=None, now=self.now)
            raise
        except GovernorWait as error:
            # Nothing was sent (the tenant's or the app's budget is spent for now): the records
            # go back for later without spending one of their attempts, or a busy tenant's
            # backfill would fail records Xero never saw.
            message = f"Waiting for Xero's rate limits ({error})."
            return [Outcome(w, "retry", message=message, retry_after=error.retry_after, not_sent=True) for w in works]
        except XeroRetryableError as error:
            return [
                Outcome(
                    w,
                    "retry",
                    message=f"Xero was not available ({error}); trying again.",
                    outcome_unknown=error.outcome_unknown,
                    retry_after=error.retry_after,
                )
                for w in works
            ]
        except XeroNotFound as error:
            return [
                Outcome(
                    w,
                    "failed",
                    code="not_found_in_xero",
                    needs_admin=True,
                    message=f"{capitalised(w.view.title)} is no longer in Xero ({error}). "
                    "It may have been deleted there.",
                )
                for w in works
            ]
        except XeroBadRequest as error:
            return [failed(w, messages_of(error)) for w in works]

    def in_batches(
        self, works: list[Work], operation: str, send: Callable[[list[Work], str], list[Outcome]]
    ) -> list[Outcome]:
        """Claim ``works`` batch by batch and make one Xero call per batch: ``send(claimed, key)``."""
        outcomes: list[Outcome] = []
        for chunk in chunks(works, self.batch_size):
            claimed, lost, key = self.claim(list(chunk), operation)
            outcomes.extend(lost)
            if claimed:
                outcomes.extend(self.guarded(claimed, partial(send, claimed, key)))
        return outcomes

    def one_by_one(self, works: list[Work], operation: str, act: Act) -> list[Outcome]:
        """Claim each record on its own and carry out ``act`` for it."""
        outcomes: list[Outcome] = []
        for work in works:
            claimed, lost, key = self.claim([work], operation)
            outcomes.extend(lost)
            if claimed:
                outcomes.extend(self.guarded(claimed, partial(_as_list, act, work, key)))
        return outcomes

    def remove_then_create(
        self,
        works: list[Work],
        *,
        remove: Act,
        kept_refs: Callable[[Work], dict | None],
        create: Handler,
    ) -> list[Outcome]:
        """A re-creation, record by record: claim it, remove what is in Xero, forget the link
        (keeping ``kept_refs``), then create the new versions together. A record whose removal
        did not go through keeps that outcome and is not created."""

        def remove_and_forget(work: Work, key: str) -> Outcome:
            removed = remove(work, key)
            if removed.kind == "synced":
                self.records.forget_link(work.view.key, owner=self.owner, xero_refs=kept_refs(work), now=self.now)
            return removed

        removals = self.one_by_one(works, "recreate", remove_and_forget)
        ready = [outcome.work for outcome in removals if outcome.kind == "synced"]
        return [outcome for outcome in removals if outcome.kind != "synced"] + create(ready)


def messages_of(error: XeroBadRequest) -> list[str]:
    """Xero's validation messages of a refused request (its text when it gave none)."""
    return list(getattr(error, "messages", None) or [str(error)])


def _as_list(act: Act, work: Work, key: str) -> list[Outcome]:
    return [act(work, key)]


def _pending_since(work: Work) -> str:
    """When the record last changed status (to pending, on a push, a retry or a wake-up)."""
    at = work.view.item.status_at
    return at.isoformat() if at is not None else ""
