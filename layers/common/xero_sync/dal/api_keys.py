"""The API keys table (N4): one row per key, holding only the hash of its secret."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, UpdateError

from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.models import ApiKeyModel
from xero_sync.domain.apikeys import StoredKey


def _to_stored(item: ApiKeyModel) -> StoredKey:
    return StoredKey(
        key_id=item.key_id,
        name=item.name,
        secret_hash=item.secret_hash,
        org_ids=frozenset(item.org_ids or ()),
        all_orgs=bool(item.all_orgs),
        created_at=item.created_at,
        revoked_at=item.revoked_at,
    )


class ApiKeyRepository:
    def create(
        self, *, key_id: str, name: str, secret_hash: str, org_ids: set[str], all_orgs: bool, now: datetime
    ) -> StoredKey:
        item = ApiKeyModel(
            key_id,
            name=name,
            secret_hash=secret_hash,
            org_ids=set(org_ids) or None,  # DynamoDB sets cannot be empty
            all_orgs=all_orgs,
            created_at=now,
        )
        item.save(condition=ApiKeyModel.key_id.does_not_exist())
        return _to_stored(item)

    def get(self, key_id: str) -> StoredKey | None:
        try:
            return _to_stored(ApiKeyModel.get(key_id))
        except DoesNotExist:
            return None

    def list(self) -> Iterator[StoredKey]:
        """For the operator's key command only (a handful of rows): never on a request path."""
        for item in ApiKeyModel.scan():
            yield _to_stored(item)

    def revoke(self, key_id: str, now: datetime) -> bool:
        try:
            ApiKeyModel(key_id).update(
                actions=[ApiKeyModel.revoked_at.set(now)],
                condition=ApiKeyModel.key_id.exists() & ApiKeyModel.revoked_at.does_not_exist(),
            )
        except UpdateError as error:
            if is_condition_failure(error):
                return False
            raise
        return True
