"""In-memory console links and sessions (``services/ports.py::ConsoleSessionStore``), keeping the
table's rules: a link is consumed once (a second consume finds nothing), writes never overwrite an
existing item, and touching a session that was ended does not bring it back."""

from __future__ import annotations

from datetime import datetime

from xero_sync.domain.console import ConsoleLink, ConsoleSession


class InMemoryConsoleSessions:
    def __init__(self) -> None:
        self.links: dict[str, ConsoleLink] = {}
        self.sessions: dict[str, ConsoleSession] = {}

    def put_link(self, token_hash: str, link: ConsoleLink, *, created_at: datetime) -> None:
        if token_hash in self.links or token_hash in self.sessions:
            raise ValueError("item exists")  # the conditional put
        self.links[token_hash] = link

    def consume_link(self, token_hash: str) -> ConsoleLink | None:
        return self.links.pop(token_hash, None)

    def put_session(self, session_hash: str, session: ConsoleSession) -> None:
        if session_hash in self.links or session_hash in self.sessions:
            raise ValueError("item exists")
        self.sessions[session_hash] = session

    def get_session(self, session_hash: str) -> ConsoleSession | None:
        return self.sessions.get(session_hash)

    def touch(self, session_hash: str, session: ConsoleSession) -> bool:
        if session_hash not in self.sessions:
            return False
        self.sessions[session_hash] = session
        return True

    def delete_session(self, session_hash: str) -> None:
        self.sessions.pop(session_hash, None)
