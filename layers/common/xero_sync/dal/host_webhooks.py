"""The host's webhook subscription per org (domain/host_webhooks.py): URL, KMS-encrypted
signing secret, and where delivery stands. Delivery is single-flight per org through a lease
(a conditional write, like the token refresh lease), so one deliverer at a time works through
the org's changes in order; every move of the cursor is conditional on holding the lease."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.import_models import HostWebhookModel
from xero_sync.dal.items import entity_from, optional_int
from xero_sync.domain.host_webhooks import HostWebhook


def _to_webhook(item: HostWebhookModel) -> HostWebhook:
    return entity_from(item, HostWebhook, secret_enc=bytes(item.secret_enc), attempts=optional_int(item.attempts) or 0)


class HostWebhookRepository:
    def get(self, org_id: str) -> HostWebhook | None:
        try:
            return _to_webhook(HostWebhookModel.get(org_id, consistent_read=True))
        except DoesNotExist:
            return None

    def create(
        self,
        org_id: str,
        *,
        url: str,
        secret_enc: bytes,
        secret_hint: str,
        delivered_through: str | None,
        now: datetime,
    ) -> HostWebhook:
        """A new subscription (or a new secret): deliveries start after ``delivered_through``."""
        item = HostWebhookModel(
            org_id,
            url=url,
            secret_enc=secret_enc,
            secret_hint=secret_hint,
            created_at=now,
            updated_at=now,
            delivered_through=delivered_through,
            attempts=0,
        )
        item.save()
        return _to_webhook(item)

    def set_url(self, org_id: str, url: str, now: datetime) -> HostWebhook | None:
        """A new URL, same secret; a failing outage starts over with it."""
        item = HostWebhookModel(org_id)
        try:
            item.update(
                actions=[
                    HostWebhookModel.url.set(url),
                    HostWebhookModel.updated_at.set(now),
                    HostWebhookModel.failing_since.remove(),
                    HostWebhookModel.attempts.set(0),
                    HostWebhookModel.last_error.remove(),
                ],
                condition=HostWebhookModel.org_id.exists(),
            )
        except UpdateError as error:
            if is_condition_failure(error):
                return None
            raise
        return _to_webhook(item)

    def delete(self, org_id: str) -> bool:
        try:
            HostWebhookModel(org_id).delete(condition=HostWebhookModel.org_id.exists())
        except DeleteError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    # --- delivery -----------------------------------------------------------------------------

    def acquire_lease(self, org_id: str, *, owner: str, now: datetime, until: datetime) -> HostWebhook | None:
        """The subscription, leased to ``owner`` until ``until`` — or None (no subscription, or
        another deliverer holds an unexpired lease)."""
        item = HostWebhookModel(org_id)
        free = HostWebhookModel.lease_until.does_not_exist() | (HostWebhookModel.lease_until < now)
        try:
            item.update(
                actions=[HostWebhookModel.lease_owner.set(owner), HostWebhookModel.lease_until.set(until)],
                condition=HostWebhookModel.org_id.exists() & (free | (HostWebhookModel.lease_owner == owner)),
            )
        except UpdateError as error:
            if is_condition_failure(error):
                return None
            raise
        return _to_webhook(item)

    def release_lease(self, org_id: str, *, owner: str) -> None:
        try:
            HostWebhookModel(org_id).update(
                actions=[HostWebhookModel.lease_owner.remove(), HostWebhookModel.lease_until.remove()],
                condition=HostWebhookModel.lease_owner == owner,
            )
        except UpdateError as error:
            if not is_condition_failure(error):
                raise

    def delivered(self, org_id: str, *, owner: str, change_id: str, now: datetime) -> bool:
        """The host accepted ``change_id``: move the cursor, end an outage. False: the lease was
        lost (another deliverer goes on from the stored cursor)."""
        return self._leased_update(
            org_id,
            owner,
            [
                HostWebhookModel.delivered_through.set(change_id),
                HostWebhookModel.last_delivery_at.set(now),
                HostWebhookModel.failing_since.remove(),
                HostWebhookModel.attempts.set(0),
                HostWebhookModel.last_error.remove(),
            ],
        )

    def failed(self, org_id: str, *, owner: str, error: str, failing_since: datetime, attempts: int) -> bool:
        return self._leased_update(
            org_id,
            owner,
            [
                HostWebhookModel.failing_since.set(failing_since),
                HostWebhookModel.attempts.set(attempts),
                HostWebhookModel.last_error.set(error[:500]),
            ],
        )

    def gave_up(self, org_id: str, *, owner: str, through: str, error: str) -> bool:
        """24 hours of failures: skip to ``through`` (the changes stay readable in the feed)."""
        return self._leased_update(
            org_id,
            owner,
            [
                HostWebhookModel.delivered_through.set(through),
                HostWebhookModel.failing_since.remove(),
                HostWebhookModel.attempts.set(0),
                HostWebhookModel.last_error.set(error[:500]),
            ],
        )

    def _leased_update(self, org_id: str, owner: str, actions: list) -> bool:
        try:
            HostWebhookModel(org_id).update(actions=actions, condition=HostWebhookModel.lease_owner == owner)
        except UpdateError as error:
            if is_condition_failure(error):
                return False
            raise
        return True
