"""The org configuration table: settings, tax mappings and imported Xero reference data, one
item per (org, kind). Bodies are JSON produced by pydantic models (models/org_config.py); this
module stores and versions them without knowing their shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.models import OrgConfigModel
from xero_sync.domain.config_items import ConfigItem
from xero_sync.domain.errors import RevisionConflict


class OrgConfigRepository:
    def get(self, org_id: str, item: str) -> ConfigItem | None:
        try:
            row = OrgConfigModel.get(org_id, item, consistent_read=True)
        except DoesNotExist:
            return None
        return ConfigItem(body=row.body, revision=int(row.revision), updated_at=row.updated_at)

    def get_many(self, org_id: str, items: list[str]) -> dict[str, ConfigItem]:
        rows = OrgConfigModel.batch_get([(org_id, item) for item in items], consistent_read=True)
        return {
            row.item: ConfigItem(body=row.body, revision=int(row.revision), updated_at=row.updated_at) for row in rows
        }

    def put(self, org_id: str, item: str, body: Any, *, now: datetime, expected_revision: int | None = None) -> int:
        """Store ``body``; with ``expected_revision`` only if nobody saved in between (0 = the
        item must not exist yet). Returns the new revision."""
        revision = (expected_revision or 0) + 1
        condition = None
        if expected_revision is not None:
            condition = (
                OrgConfigModel.item.does_not_exist()
                if expected_revision == 0
                else OrgConfigModel.revision == expected_revision
            )
        else:
            current = self.get(org_id, item)
            revision = (current.revision if current else 0) + 1
        try:
            OrgConfigModel(org_id, item, body=body, revision=revision, updated_at=now).save(condition=condition)
        except PutError as error:
            if is_condition_failure(error):
                raise RevisionConflict(f"{item} of org {org_id} changed meanwhile") from error
            raise
        return revision
