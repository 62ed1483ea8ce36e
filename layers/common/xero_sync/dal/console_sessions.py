"""The console sessions table (F8): single-use console links and the sessions they start.

Both are keyed by the SHA-256 of their secret. A link is consumed with a conditional delete, so
exactly one request can open it (the OAuth states' pattern); a session's idle deadline moves on
with a conditional update, so a session that was ended meanwhile is not brought back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.items import entity_from
from xero_sync.dal.models import ConsoleSessionModel
from xero_sync.domain.console import ConsoleLink, ConsoleSession

LINK = "link"
SESSION = "session"
_SESSION_FIELDS = (
    "org_id",
    "language",
    "return_url",
    "csrf_token",
    "embedded",
    "created_at",
    "last_seen_at",
    "ends_at",
)


def _put(secret_hash: str, **attributes: Any) -> None:
    """A new item; never over an existing one (a secret is used for one item only)."""
    ConsoleSessionModel(secret_hash, **attributes).save(condition=ConsoleSessionModel.secret_hash.does_not_exist())


class ConsoleSessionRepository:
    def put_link(self, token_hash: str, link: ConsoleLink, *, created_at: datetime) -> None:
        _put(
            token_hash,
            kind=LINK,
            org_id=link.org_id,
            page=link.page,
            language=link.language,
            return_url=link.return_url,
            created_at=created_at,
            expires_at=link.expires_at,
        )

    def consume_link(self, token_hash: str) -> ConsoleLink | None:
        """Take the link out of the table: exactly one caller gets it (conditional delete).
        Expiry is the caller's check (DynamoDB's TTL removes items lazily)."""
        item = self._get(token_hash, LINK)
        if item is None:
            return None
        try:
            item.delete(condition=ConsoleSessionModel.secret_hash.exists() & (ConsoleSessionModel.kind == LINK))
        except DeleteError as error:
            if is_condition_failure(error):
                return None  # opened by a concurrent request a moment ago
            raise
        return ConsoleLink(
            org_id=item.org_id,
            page=item.page or "connection",
            language=item.language,
            return_url=item.return_url,
            expires_at=item.expires_at,
        )

    def put_session(self, session_hash: str, session: ConsoleSession) -> None:
        _put(
            session_hash,
            kind=SESSION,
            **{name: getattr(session, name) for name in _SESSION_FIELDS},
            expires_at=session.idle_until,
        )

    def get_session(self, session_hash: str) -> ConsoleSession | None:
        item = self._get(session_hash, SESSION)
        if item is None or item.csrf_token is None or item.last_seen_at is None or item.ends_at is None:
            return None
        return entity_from(item, ConsoleSession, idle_until=item.expires_at, embedded=bool(item.embedded))

    def touch(self, session_hash: str, session: ConsoleSession) -> bool:
        """Store the session's new idle deadline (and language) if it still exists."""
        try:
            ConsoleSessionModel(session_hash).update(
                actions=[
                    ConsoleSessionModel.last_seen_at.set(session.last_seen_at),
                    ConsoleSessionModel.expires_at.set(session.idle_until),
                    ConsoleSessionModel.language.set(session.language)
                    if session.language
                    else ConsoleSessionModel.language.remove(),
                ],
                condition=ConsoleSessionModel.secret_hash.exists() & (ConsoleSessionModel.kind == SESSION),
            )
        except UpdateError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def delete_session(self, session_hash: str) -> None:
        ConsoleSessionModel(session_hash).delete()

    @staticmethod
    def _get(secret_hash: str, kind: str) -> ConsoleSessionModel | None:
        try:
            item = ConsoleSessionModel.get(secret_hash, consistent_read=True)
        except DoesNotExist:
            return None
        return item if item.kind == kind else None
