"""The change feed for the host (F4.2): ``GET /v1/orgs/{org_id}/changes?since=<cursor>&limit=``.

Oldest first, from after the cursor; ``next_cursor`` is the position after the last change
returned (or the cursor given, when nothing is new), so a host polls with it as long as it
likes; ``has_more`` says more is waiting now. Cursors are opaque and bound to the org."""

from __future__ import annotations

from dataclasses import dataclass

from xero_sync.domain.changes import Change, decode_cursor, encode_cursor
from xero_sync.domain.errors import InvalidCursor
from xero_sync.models.api_import import ChangesPageView, ChangeView, MatchView
from xero_sync.services.errors import InvalidInput
from xero_sync.services.ports import ChangeStore

MAX_LIMIT = 500


def change_view(change: Change) -> ChangeView:
    return ChangeView(
        id=change.change_id,
        kind=change.kind.value,
        resource=change.resource.value,
        xero_id=change.xero_id,
        host_id=change.host_id,
        match=MatchView(host_id=change.match.host_id, by=change.match.by) if change.match else None,
        occurred_at=change.occurred_at,
        recorded_at=change.recorded_at,
        state=change.state,
        conflict=change.conflict,
    )


@dataclass
class ChangeFeed:
    changes: ChangeStore

    def page(self, org_id: str, *, since: str | None, limit: int) -> ChangesPageView:
        after = None
        if since:
            try:
                after = decode_cursor(since, org_id)
            except InvalidCursor as error:
                raise InvalidInput.of_field(
                    "query.since", "use the next_cursor of a previous page of this org's changes"
                ) from error
        page = self.changes.page(org_id, after=after, limit=limit)
        last = page.last_id or after
        return ChangesPageView(
            changes=[change_view(change) for change in page.changes],
            next_cursor=encode_cursor(org_id, last) if last else None,
            has_more=page.has_more,
        )
