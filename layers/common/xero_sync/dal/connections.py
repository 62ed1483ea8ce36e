"""The connections table: one item per org (see dal/models.py::ConnectionModel).

Every change is a single conditional ``UpdateItem``, so concurrent Lambdas never overwrite
each other's fields, and the sparse index attributes (``schedule_shard``, ``activity_shard``)
always follow the status in the same write.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import GlobalSecondaryIndex

from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.items import entity_from
from xero_sync.dal.models import ConnectionModel, TenantAttribute
from xero_sync.domain.connection import (
    SYNCS,
    WATCHED_FOR_INACTIVITY,
    Connection,
    ConnectionStatus,
    EncryptedTokens,
    TenantRef,
    shard_of,
)
from xero_sync.domain.errors import ConditionFailed
from xero_sync.domain.schedule import DueSync


def _to_connection(item: ConnectionModel) -> Connection:
    return entity_from(
        item,
        Connection,
        status=ConnectionStatus(item.status),
        tenants=tuple(
            TenantRef(t.tenant_id, t.connection_id, t.tenant_name, t.tenant_type) for t in item.tenants or []
        ),
        access_token_enc=bytes(item.access_token_enc) if item.access_token_enc else None,
        refresh_token_enc=bytes(item.refresh_token_enc) if item.refresh_token_enc else None,
        token_version=int(item.token_version or 0),
    )


class ConnectionRepository:
    def __init__(self, shards: int) -> None:
        self._shards = shards

    # --- reads -------------------------------------------------------------------------------

    def get(self, org_id: str) -> Connection | None:
        try:
            return _to_connection(ConnectionModel.get(org_id, consistent_read=True))
        except DoesNotExist:
            return None

    def due_orgs(self, shard: str, now: datetime, limit: int | None = None) -> Iterator[DueSync]:
        """Orgs in one shard whose next sync time has come (F3.7), oldest first, with that time
        (a key of the index, so it comes with the org) — an index query, not a scan."""
        for item in ConnectionModel.due_index.query(shard, ConnectionModel.next_sync_at <= now, limit=limit):
            yield DueSync(item.org_id, item.next_sync_at)

    def on_tenant(self, tenant_id: str) -> list[Connection]:
        """Every org whose connection names ``tenant_id`` (whatever its status; callers keep the
        ones that sync), read consistently after the index query."""
        return _read_index(ConnectionModel.tenant_index, tenant_id, lambda row: row.tenant_id == tenant_id)

    def of_xero_user(self, user_id: str) -> list[Connection]:
        """Every org connected by the Xero user ``user_id`` (whatever its status), read
        consistently after the index query (N7: revoking one of them revokes them all)."""
        return _read_index(ConnectionModel.xero_user_index, user_id, lambda row: row.connected_by_user_id == user_id)

    def idle_org_ids(self, shard: str, idle_since: datetime) -> Iterator[str]:
        """Orgs in one shard with no activity since ``idle_since`` (F6.1)."""
        for item in ConnectionModel.activity_index.query(shard, ConnectionModel.last_activity_at <= idle_since):
            yield item.org_id

    # --- connect -----------------------------------------------------------------------------

    def save_consent(
        self,
        org_id: str,
        *,
        tenants: list[TenantRef],
        chosen: TenantRef | None,
        auth_event_id: str | None,
        scopes: str | None,
        connected_by_email: str | None,
        connected_by_user_id: str | None,
        tokens: EncryptedTokens,
        now: datetime,
    ) -> Connection:
        """Store a completed consent (F1.2). With ``chosen`` the org is connected to that tenant;
        without it the host must choose one (F1.3). Record links live in the records table and
        are untouched, so reconnecting to the same tenant resumes without duplicates (F1.5)."""
        status = ConnectionStatus.CONNECTED if chosen else ConnectionStatus.PENDING_TENANT
        item = ConnectionModel(org_id)
        actions = [
            ConnectionModel.status.set(status.value),
            ConnectionModel.tenants.set([_tenant_attr(t) for t in tenants]),
            _set_or_remove(ConnectionModel.auth_event_id, auth_event_id),
            _set_or_remove(ConnectionModel.scopes, scopes),
            _set_or_remove(ConnectionModel.connected_by_email, connected_by_email),
            _set_or_remove(ConnectionModel.connected_by_user_id, connected_by_user_id),
            ConnectionModel.connected_at.set(now),
            *self._token_actions(tokens),
            ConnectionModel.token_version.add(1),
            ConnectionModel.refresh_lease_owner.remove(),
            ConnectionModel.refresh_lease_until.remove(),
            ConnectionModel.created_at.set(ConnectionModel.created_at | now),
            ConnectionModel.updated_at.set(now),
            ConnectionModel.last_error.remove(),
            ConnectionModel.last_error_at.remove(),
            ConnectionModel.disconnected_at.remove(),
            ConnectionModel.disconnect_reason.remove(),
            *self._activity_actions(org_id, status, now),  # also clears an inactivity warning
        ]
        actions += self._tenant_actions(chosen)
        if status not in SYNCS:
            actions += self._unschedule_actions()
        item.update(actions=actions)
        return _to_connection(item)

    def choose_tenant(self, org_id: str, tenant: TenantRef, now: datetime) -> Connection:
        """Point the org at one of its consented tenants; a pending consent becomes connected."""
        item = self._require(org_id)
        status = item.status
        if status is ConnectionStatus.PENDING_TENANT:
            status = ConnectionStatus.CONNECTED
        actions = [
            *self._tenant_actions(tenant),
            ConnectionModel.status.set(status.value),
            ConnectionModel.updated_at.set(now),
            *self._activity_actions(org_id, status, now),
        ]
        return self._update(org_id, actions, ConnectionModel.status == item.status.value)

    # --- status changes ----------------------------------------------------------------------

    def set_status(
        self,
        org_id: str,
        status: ConnectionStatus,
        *,
        allowed_from: Iterable[ConnectionStatus],
        now: datetime,
        message: str | None = None,
    ) -> Connection:
        """Move to ``status`` if the current status is one of ``allowed_from``; otherwise raise
        ConditionFailed. Scheduling stops when the status no longer syncs; the caller sets the
        next sync time when it starts again (it knows the org's frequency)."""
        condition = ConnectionModel.status.is_in(*[s.value for s in allowed_from])
        actions = [
            ConnectionModel.status.set(status.value),
            ConnectionModel.updated_at.set(now),
            *self._activity_actions(org_id, status, now),
        ]
        if status not in SYNCS:
            actions += self._unschedule_actions()
        if message:
            actions += [ConnectionModel.last_error.set(message), ConnectionModel.last_error_at.set(now)]
        return self._update(org_id, actions, condition)

    def disconnect(self, org_id: str, status: ConnectionStatus, reason: str, now: datetime) -> Connection:
        """Forget the tokens (after revoking them at Xero): ``disconnected`` by the admin,
        ``disconnected_inactive`` by the 60-day checker. The last tenant id and name stay for the
        status page; record links carry their own tenant id, which is what lets a later
        reconnect to the same tenant resume without duplicates."""
        assert status in (ConnectionStatus.DISCONNECTED, ConnectionStatus.DISCONNECTED_INACTIVE)
        actions = [
            ConnectionModel.status.set(status.value),
            ConnectionModel.disconnected_at.set(now),
            ConnectionModel.disconnect_reason.set(reason),
            ConnectionModel.updated_at.set(now),
            *self._forget_tokens_actions(),
            ConnectionModel.connection_id.remove(),
            *self._activity_actions(org_id, status, now),
            *self._unschedule_actions(),
        ]
        return self._update(org_id, actions, ConnectionModel.org_id.exists())

    def reset_tenant(self, org_id: str, now: datetime) -> Connection:
        """Reset connection (F1.5): forget tokens *and* the tenant, so the next consent may pick
        another Xero organisation. Links to the old tenant stop counting because they carry
        the old tenant id."""
        actions = [
            ConnectionModel.status.set(ConnectionStatus.NOT_CONNECTED.value),
            ConnectionModel.updated_at.set(now),
            *self._forget_tokens_actions(),
            *self._tenant_actions(None),
            *self._activity_actions(org_id, ConnectionStatus.NOT_CONNECTED, now),
            *self._unschedule_actions(),
        ]
        return self._update(org_id, actions, ConnectionModel.org_id.exists())

    def mark_needs_reauth(self, org_id: str, *, expected_token_version: int, message: str, now: datetime) -> bool:
        """Xero rejected the refresh token (F1.4). Only if nobody stored a newer token set in the
        meantime: a concurrent successful refresh means the rejection was of a stale token."""
        actions = [
            ConnectionModel.status.set(ConnectionStatus.NEEDS_REAUTH.value),
            ConnectionModel.last_error.set(message),
            ConnectionModel.last_error_at.set(now),
            ConnectionModel.updated_at.set(now),
            ConnectionModel.refresh_lease_owner.remove(),
            ConnectionModel.refresh_lease_until.remove(),
            *self._activity_actions(org_id, ConnectionStatus.NEEDS_REAUTH, now),
            *self._unschedule_actions(),
        ]
        condition = (ConnectionModel.token_version == expected_token_version) & (
            ConnectionModel.status.is_in(*[s.value for s in WATCHED_FOR_INACTIVITY])
        )
        try:
            self._update(org_id, actions, condition)
        except ConditionFailed:
            return False
        return True

    # --- tokens: single-flight refresh (F1.4) ------------------------------------------------

    def acquire_refresh_lease(self, org_id: str, *, owner: str, now: datetime, until: datetime) -> Connection | None:
        """Take the right to spend the org's refresh token, if nobody holds it (or their lease
        ran out). Returns the item as it is *after* acquiring — callers must re-check whether
        someone refreshed just before them — or None if another worker holds the lease."""
        condition = ConnectionModel.refresh_token_enc.exists() & (
            ConnectionModel.refresh_lease_until.does_not_exist()
            | (ConnectionModel.refresh_lease_until < now)
            | (ConnectionModel.refresh_lease_owner == owner)
        )
        try:
            return self._update(
                org_id,
                [
                    ConnectionModel.refresh_lease_owner.set(owner),
                    ConnectionModel.refresh_lease_until.set(until),
                ],
                condition,
            )
        except ConditionFailed:
            return None

    def store_refreshed_tokens(
        self,
        org_id: str,
        tokens: EncryptedTokens,
        *,
        owner: str,
        expected_token_version: int,
        now: datetime,
    ) -> Connection | None:
        """Store a rotated token set and release the lease, only if we still hold the lease on
        the token version we refreshed. Returns None if that is no longer true."""
        condition = (ConnectionModel.refresh_lease_owner == owner) & (
            ConnectionModel.token_version == expected_token_version
        )
        try:
            return self._update(
                org_id,
                [
                    *self._token_actions(tokens),
                    ConnectionModel.token_version.add(1),
                    ConnectionModel.refresh_lease_owner.remove(),
                    ConnectionModel.refresh_lease_until.remove(),
                    ConnectionModel.updated_at.set(now),
                ],
                condition,
            )
        except ConditionFailed:
            return None

    def release_refresh_lease(self, org_id: str, *, owner: str) -> None:
        # The lease may have run out and someone else holds it now: then there is nothing of ours
        # to release.
        with contextlib.suppress(ConditionFailed):
            self._update(
                org_id,
                [ConnectionModel.refresh_lease_owner.remove(), ConnectionModel.refresh_lease_until.remove()],
                ConnectionModel.refresh_lease_owner == owner,
            )

    # --- activity and schedule ---------------------------------------------------------------

    def record_activity(self, org_id: str, now: datetime) -> None:
        """Something that counts as activity happened (F6.1): a push, a sync with changes, a
        settings change or an admin action. Clears a pending inactivity warning."""
        with contextlib.suppress(ConditionFailed):  # no connection item yet: nothing to keep alive
            self._update(
                org_id,
                [
                    ConnectionModel.last_activity_at.set(now),
                    ConnectionModel.inactivity_warning_sent_at.remove(),
                ],
                ConnectionModel.org_id.exists(),
            )

    def mark_inactivity_warning(self, org_id: str, *, idle_since: datetime, now: datetime) -> bool:
        """Note that the 53-day warning went out — once: only if still idle and not yet warned."""
        condition = ConnectionModel.inactivity_warning_sent_at.does_not_exist() & (
            ConnectionModel.last_activity_at <= idle_since
        )
        try:
            self._update(org_id, [ConnectionModel.inactivity_warning_sent_at.set(now)], condition)
        except ConditionFailed:
            return False
        return True

    def set_next_sync(
        self, org_id: str, next_sync_at: datetime | None, *, last_sync_at: datetime | None = None
    ) -> None:
        """Schedule the org's next sync, or stop scheduling it (``None``). Only a connected org
        is ever put on the due index."""
        actions = []
        if last_sync_at is not None:
            actions.append(ConnectionModel.last_sync_at.set(last_sync_at))
        actions += self._schedule_actions(org_id, next_sync_at)
        condition: Condition = (
            ConnectionModel.org_id.exists()
            if next_sync_at is None
            else ConnectionModel.status == ConnectionStatus.CONNECTED.value
        )
        with contextlib.suppress(ConditionFailed):  # disconnected or disabled meanwhile: it must not be scheduled
            self._update(org_id, actions, condition)

    def advance_schedule(
        self, org_id: str, *, expected: datetime | None, next_sync_at: datetime | None, now: datetime
    ) -> bool:
        """Take a due sync: move the schedule on only if nobody did since ``expected`` was read,
        so two overlapping ticks never run the same org's sync twice (F3.7), and only for an org
        that syncs (connected, to a chosen tenant): the tick claims without reading the item."""
        actions = [ConnectionModel.last_sync_at.set(now), *self._schedule_actions(org_id, next_sync_at)]
        same = (
            ConnectionModel.next_sync_at.does_not_exist()
            if expected is None
            else ConnectionModel.next_sync_at == expected
        )
        try:
            syncs = (ConnectionModel.status == ConnectionStatus.CONNECTED.value) & ConnectionModel.tenant_id.exists()
            self._update(org_id, actions, same & syncs)
        except ConditionFailed:
            return False
        return True

    def record_error(self, org_id: str, message: str, now: datetime) -> None:
        with contextlib.suppress(ConditionFailed):
            self._update(
                org_id,
                [ConnectionModel.last_error.set(message), ConnectionModel.last_error_at.set(now)],
                ConnectionModel.org_id.exists(),
            )

    def clear_error(self, org_id: str) -> None:
        with contextlib.suppress(ConditionFailed):
            self._update(
                org_id,
                [ConnectionModel.last_error.remove(), ConnectionModel.last_error_at.remove()],
                ConnectionModel.org_id.exists(),
            )

    # --- helpers -----------------------------------------------------------------------------

    def _require(self, org_id: str) -> Connection:
        item = self.get(org_id)
        if item is None:
            raise ConditionFailed(f"no connection for org {org_id}")
        return item

    def _update(self, org_id: str, actions: list, condition: Condition | None) -> Connection:
        item = ConnectionModel(org_id)
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as error:
            if is_condition_failure(error):
                raise ConditionFailed(org_id) from error
            raise
        return _to_connection(item)

    @staticmethod
    def _token_actions(tokens: EncryptedTokens) -> list:
        return [
            ConnectionModel.access_token_enc.set(tokens.access_token),
            ConnectionModel.access_token_expires_at.set(tokens.access_token_expires_at),
            ConnectionModel.refresh_token_enc.set(tokens.refresh_token),
            ConnectionModel.refresh_token_issued_at.set(tokens.refresh_token_issued_at),
        ]

    @staticmethod
    def _forget_tokens_actions() -> list:
        """Drop the token set, any refresh lease and the consented tenants (disconnect, reset). The
        version moves on, so a refresh that was under way cannot store its tokens afterwards."""
        return [
            ConnectionModel.access_token_enc.remove(),
            ConnectionModel.access_token_expires_at.remove(),
            ConnectionModel.refresh_token_enc.remove(),
            ConnectionModel.refresh_token_issued_at.remove(),
            ConnectionModel.refresh_lease_owner.remove(),
            ConnectionModel.refresh_lease_until.remove(),
            ConnectionModel.token_version.add(1),
            ConnectionModel.tenants.remove(),
        ]

    @staticmethod
    def _tenant_actions(tenant: TenantRef | None) -> list:
        if tenant is None:
            return [
                ConnectionModel.tenant_id.remove(),
                ConnectionModel.tenant_name.remove(),
                ConnectionModel.tenant_type.remove(),
                ConnectionModel.connection_id.remove(),
            ]
        return [
            ConnectionModel.tenant_id.set(tenant.tenant_id),
            _set_or_remove(ConnectionModel.tenant_name, tenant.tenant_name),
            _set_or_remove(ConnectionModel.tenant_type, tenant.tenant_type),
            ConnectionModel.connection_id.set(tenant.connection_id),
        ]

    def _activity_actions(self, org_id: str, status: ConnectionStatus, now: datetime) -> list:
        """Keep the org on the inactivity index exactly while its status is watched; an admin
        action is itself activity (F6.1)."""
        if status in WATCHED_FOR_INACTIVITY:
            return [
                ConnectionModel.activity_shard.set(shard_of(org_id, self._shards)),
                ConnectionModel.last_activity_at.set(now),
                ConnectionModel.inactivity_warning_sent_at.remove(),
            ]
        return [ConnectionModel.activity_shard.remove()]

    @staticmethod
    def _unschedule_actions() -> list:
        return [ConnectionModel.schedule_shard.remove(), ConnectionModel.next_sync_at.remove()]

    def _schedule_actions(self, org_id: str, next_sync_at: datetime | None) -> list:
        """Put the org on the due index at ``next_sync_at``, or take it off (``None``)."""
        if next_sync_at is None:
            return self._unschedule_actions()
        return [
            ConnectionModel.next_sync_at.set(next_sync_at),
            ConnectionModel.schedule_shard.set(shard_of(org_id, self._shards)),
        ]


def _read_index(index: GlobalSecondaryIndex, key: str, still: Callable[[ConnectionModel], bool]) -> list[Connection]:
    """The connections a KEYS_ONLY index lists under ``key``, read again consistently (an index
    lags its table) and kept only if ``still`` holds for the item itself; ordered by org."""
    org_ids = [item.org_id for item in index.query(key)]
    if not org_ids:
        return []
    rows = ConnectionModel.batch_get(org_ids, consistent_read=True)
    return sorted((_to_connection(row) for row in rows if still(row)), key=lambda c: c.org_id)


def _set_or_remove(attribute: UnicodeAttribute, value: str | None) -> Action:
    """SET the attribute to a value, or REMOVE it when there is none (DynamoDB keeps no nulls)."""
    return attribute.remove() if value is None else attribute.set(value)


def _tenant_attr(tenant: TenantRef) -> TenantAttribute:
    return TenantAttribute(
        tenant_id=tenant.tenant_id,
        connection_id=tenant.connection_id,
        tenant_name=tenant.tenant_name,
        tenant_type=tenant.tenant_type,
    )
