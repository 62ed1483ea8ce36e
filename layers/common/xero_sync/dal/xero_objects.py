"""What the service last knew of each Xero object of an org, and the poll cursors
(domain/xero_objects.py). dal/changes.py writes an object together with its change; this module
reads them, and writes the states that make no change (the export's own writes, F4 "no echo")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition

from xero_sync.dal.conditional_updates import ConditionalUpdate, update_all, update_one
from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.import_models import XeroObjectModel
from xero_sync.dal.items import optional_int
from xero_sync.domain.changes import Resource
from xero_sync.domain.xero_objects import ObjectKey, ObjectWrite, Origin, PollCursor, XeroObject

CURSOR_PREFIX = "cursor#"
BATCH_GET = 100


def _to_object(item: XeroObjectModel) -> XeroObject:
    resource, _, xero_id = item.object_key.partition("#")
    return XeroObject(
        key=ObjectKey(item.org_id, Resource(resource), xero_id),
        fingerprint=item.fingerprint,
        payment_fingerprint=item.payment_fingerprint,
        xero_updated=item.xero_updated,
        origin=Origin(item.origin) if item.origin else None,
        host_entity=item.host_entity,
        host_id=item.host_id,
        payment=item.payment,
        match_basis=item.match_basis,
        last_change_id=item.last_change_id,
        revision=optional_int(item.revision) or 0,
        updated_at=item.updated_at,
    )


def object_actions(write: ObjectWrite, now: datetime, *, last_change_id: str | None = None) -> list[Any]:
    """The update that records ``write`` (a null is a REMOVE). The host link is kept when the
    write does not name one (an import does not know what the export linked)."""
    model = XeroObjectModel
    # An object the service exported stays "export" when the import records a newer state of it.
    origin = write.origin.value if write.origin is Origin.EXPORT else model.origin | write.origin.value
    actions: list[Any] = [
        model.fingerprint.set(write.fingerprint),
        model.origin.set(origin),
        model.revision.add(1),
        model.updated_at.set(now),
    ]
    optional: list[tuple[Any, Any]] = [
        (model.payment_fingerprint, write.payment_fingerprint),
        (model.xero_updated, write.xero_updated),
        (model.payment, write.payment),
        (model.match_basis, write.match_basis),
        (model.host_entity, write.host_entity),
        (model.host_id, write.host_id),
        (model.last_change_id, last_change_id),
    ]
    actions += [attribute.set(value) for attribute, value in optional if value is not None]
    return actions


def revision_condition(write: ObjectWrite) -> Condition:
    """The import's compare-and-set (the revision it read), or — for the export's own write — "not
    older than what is stored": a late export must not hide a newer change made in Xero."""
    model = XeroObjectModel
    if write.expected_revision is not None:
        if write.expected_revision == 0:
            return model.object_key.does_not_exist()
        return model.revision == write.expected_revision
    condition: Condition = model.object_key.does_not_exist() | model.xero_updated.does_not_exist()
    if write.xero_updated:
        condition = condition | (model.xero_updated <= write.xero_updated)
    return condition


def _recorded(write: ObjectWrite, now: datetime) -> ConditionalUpdate:
    """A state that makes no change for the host, written under its condition (revision_condition)."""
    return ConditionalUpdate(
        write.key,
        XeroObjectModel(write.key.org_id, write.key.object_key),
        object_actions(write, now),
        revision_condition(write),
    )


class XeroObjectRepository:
    def get_many(self, keys: Iterable[ObjectKey]) -> dict[ObjectKey, XeroObject]:
        """BatchGetItem, 100 keys a request, consistent reads (the import decides on them)."""
        wanted = {(key.org_id, key.object_key): key for key in keys}
        found: dict[ObjectKey, XeroObject] = {}
        pairs = list(wanted)
        for start in range(0, len(pairs), BATCH_GET):
            for item in XeroObjectModel.batch_get(pairs[start : start + BATCH_GET], consistent_read=True):
                found[wanted[(item.org_id, item.object_key)]] = _to_object(item)
        return found

    def get(self, key: ObjectKey) -> XeroObject | None:
        try:
            return _to_object(XeroObjectModel.get(key.org_id, key.object_key, consistent_read=True))
        except DoesNotExist:
            return None

    def record(self, write: ObjectWrite, now: datetime) -> bool:
        """Record a state that makes no change for the host (the export's own write, a match
        basis). False when the condition failed (a newer state is stored, or it moved)."""
        return update_one(_recorded(write, now))

    def record_all(self, writes: Sequence[ObjectWrite], now: datetime) -> list[bool]:
        """:meth:`record` for each write, answered in the same order, in transactions of up to
        100 (conditional_updates.py): the export notes the objects of a whole Xero call at once."""
        return update_all([_recorded(write, now) for write in writes])

    # --- poll cursors -------------------------------------------------------------------------

    def cursor(self, org_id: str, resource: str) -> PollCursor | None:
        try:
            item = XeroObjectModel.get(org_id, f"{CURSOR_PREFIX}{resource}", consistent_read=True)
        except DoesNotExist:
            return None
        return PollCursor(org_id=org_id, resource=resource, since=item.cursor, options=item.options)

    def save_cursor(self, cursor: PollCursor, now: datetime) -> None:
        """Moves forward only: a late poll never takes the cursor back (Xero's times are ISO-8601
        UTC, so they compare as text)."""
        item = XeroObjectModel(cursor.org_id, f"{CURSOR_PREFIX}{cursor.resource}")
        actions: list[Any] = [XeroObjectModel.updated_at.set(now)]
        actions.append(
            XeroObjectModel.options.set(cursor.options) if cursor.options else XeroObjectModel.options.remove()
        )
        condition: Condition | None = None
        if cursor.since:
            actions.append(XeroObjectModel.cursor.set(cursor.since))
            condition = (
                XeroObjectModel.cursor.does_not_exist()
                | (XeroObjectModel.cursor <= cursor.since)
                | (XeroObjectModel.options != cursor.options)
            )
        else:
            actions.append(XeroObjectModel.cursor.remove())
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as error:
            if not is_condition_failure(error):
                raise
