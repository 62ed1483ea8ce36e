"""Console links and sessions (F8): the host asks for a link with its API key
(:meth:`ConsoleSessionService.create_link`); the admin's browser opens it once
(:meth:`ConsoleSessionService.open`) and then carries only a session cookie, which every console
request presents (:meth:`ConsoleSessionService.resume`). The rules are in ``domain/console.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from xero_sync.clock import Clock
from xero_sync.domain import oauth
from xero_sync.domain.console import (
    ConsoleLink,
    ConsoleSession,
    PageError,
    check_page,
    new_secret,
    new_session,
    origin_of,
    secret_hash,
)
from xero_sync.models.console import ConsoleSessionRequest, ConsoleSessionResponse
from xero_sync.models.language import Language
from xero_sync.observability import logger
from xero_sync.services.errors import InvalidInput
from xero_sync.services.ports import ConsoleSessionStore

MAX_SECRET_LENGTH = 100  # new_secret() gives 43 characters; anything much longer is not ours


@dataclass(frozen=True)
class OpenedSession:
    """A session just started from a link: the session id goes to the browser (once, as a
    cookie), the page is where the link wanted to go."""

    session_id: str
    session: ConsoleSession
    page: str


@dataclass
class ConsoleSessionService:
    store: ConsoleSessionStore
    return_origins: Callable[[str], frozenset[str]]  # the deployment's and the org's host origins
    clock: Clock
    link_ttl: timedelta = timedelta(minutes=5)
    idle: timedelta = timedelta(hours=2)
    lifetime: timedelta = timedelta(hours=12)

    # --- the host asks for a link ------------------------------------------------------------

    def create_link(self, org_id: str, request: ConsoleSessionRequest, *, base_url: str) -> ConsoleSessionResponse:
        try:
            page = check_page(request.page or "connection")
        except PageError as error:
            raise InvalidInput.of_field("page", str(error)) from error
        return_url = self._checked_return_url(org_id, request.return_url) if request.return_url else None
        now = self.clock()
        token = new_secret()
        link = ConsoleLink(
            org_id=org_id,
            page=page,
            language=request.language.value if request.language else None,
            return_url=return_url,
            expires_at=now + self.link_ttl,
        )
        self.store.put_link(secret_hash(token), link, created_at=now)
        return ConsoleSessionResponse(url=f"{base_url}/console/start?token={token}", expires_at=link.expires_at)

    def _checked_return_url(self, org_id: str, return_url: str) -> str:
        try:
            oauth.check_return_url(return_url)
        except oauth.ReturnUrlError as error:
            raise InvalidInput.of_field("return_url", str(error)) from error
        allowed = self.return_origins(org_id)
        if origin_of(return_url) not in allowed:
            raise InvalidInput.of_field(
                "return_url",
                f"return_url must be on one of the host's allowed origins; {origin_of(return_url)} is not one. Add it "
                "to the org's settings (allowed_host_origins), or ask the operator to add it to HOST_APP_ORIGINS",
            )
        return return_url

    # --- the browser opens it ----------------------------------------------------------------

    def open(self, token: str | None, *, embedded: bool) -> OpenedSession | None:
        """Consume the link and start its session; None when the link is unknown, used or expired."""
        if not token or len(token) > MAX_SECRET_LENGTH:
            return None
        link = self.store.consume_link(secret_hash(token))
        now = self.clock()
        if link is None or link.expires_at <= now:
            logger.info("Console link unknown, already used or expired")
            return None
        session = new_session(link, embedded=embedded, now=now, idle=self.idle, lifetime=self.lifetime)
        session_id = new_secret()
        self.store.put_session(secret_hash(session_id), session)
        logger.info("Console session started", extra={"org_id": link.org_id, "embedded": embedded})
        return OpenedSession(session_id=session_id, session=session, page=link.page)

    # --- every later request -------------------------------------------------------------------

    def resume(self, session_id: str | None) -> ConsoleSession | None:
        """The live session behind a cookie, its idle deadline moved on; None when there is none."""
        if not session_id or len(session_id) > MAX_SECRET_LENGTH:
            return None
        key = secret_hash(session_id)
        session = self.store.get_session(key)
        now = self.clock()
        if session is None or not session.alive(now):
            return None
        touched = session.touched(now, self.idle)
        if touched is None:
            return session
        return touched if self.store.touch(key, touched) else None

    def set_language(self, session_id: str, session: ConsoleSession, language: Language) -> ConsoleSession:
        changed = replace(session, language=language.value)
        self.store.touch(secret_hash(session_id), changed)
        return changed

    def end(self, session_id: str) -> None:
        self.store.delete_session(secret_hash(session_id))
