"""The org's host contacts as the import's matching reads them (F4.2): id and data of every
contact record the host pushed, from the records table (one query on the org's partition,
``contact#`` keys only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xero_sync.dal.models import RecordModel
from xero_sync.dal.record_items import record_data


class HostContactRepository:
    def contacts(self, org_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(host id, data) of each contact the host pushed and did not delete."""
        for item in RecordModel.query(
            org_id,
            RecordModel.record_key.startswith("contact#"),
            attributes_to_get=["record_id", "data", "data_z", "action"],
        ):
            data = record_data(item)  # compressed since issue 9; plain JSON in older items
            if item.action != "delete" and isinstance(data, dict):
                yield item.record_id, data
