"""The OAuth states table: single-use, org-bound, short-lived ``state`` values (F1.1, N4)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import DeleteError, DoesNotExist

from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.items import entity_from
from xero_sync.dal.models import OAuthStateModel
from xero_sync.domain.oauth import PendingConsent


class OAuthStateRepository:
    def put(
        self,
        *,
        state_hash: str,
        org_id: str,
        return_url: str,
        redirect_uri: str,
        code_verifier_enc: bytes,
        now: datetime,
        ttl: timedelta,
    ) -> None:
        OAuthStateModel(
            state_hash,
            org_id=org_id,
            return_url=return_url,
            redirect_uri=redirect_uri,
            code_verifier_enc=code_verifier_enc,
            created_at=now,
            expires_at=now + ttl,
        ).save(condition=OAuthStateModel.state_hash.does_not_exist())

    def consume(self, state_hash: str) -> PendingConsent | None:
        """Take the state out of the table. Exactly one caller can consume a given state: the
        delete is conditional on the item still being there. Expiry is the caller's check
        (DynamoDB's TTL removes items lazily, up to days later)."""
        try:
            item = OAuthStateModel.get(state_hash, consistent_read=True)
        except DoesNotExist:
            return None
        try:
            item.delete(condition=OAuthStateModel.state_hash.exists())
        except DeleteError as error:
            if is_condition_failure(error):
                return None  # consumed by a concurrent request a moment ago
            raise
        return entity_from(item, PendingConsent)
