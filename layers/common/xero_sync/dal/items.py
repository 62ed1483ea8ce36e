"""From a stored item to the domain entity it holds.

The repositories' entities (``Connection``, ``StoredRecord``, ``HistoryEvent`` …) name their
fields as the PynamoDB models name their attributes, so reading one is a copy by name; only the
fields whose stored form differs (numbers read back as floats, enums stored as strings, bytes,
keys split over attributes) are given explicitly.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

from pynamodb.models import Model

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    Entity = TypeVar("Entity", bound=DataclassInstance)
else:
    Entity = TypeVar("Entity")


def entity_from(item: Model, entity: type[Entity], **converted: Any) -> Entity:
    """``entity`` with every field copied from the item's attribute of the same name, except the
    ``converted`` ones, given as they are."""
    copied = {
        field.name: getattr(item, field.name) for field in dataclasses.fields(entity) if field.name not in converted
    }
    return entity(**copied, **converted)


def optional_int(value: float | int | None) -> int | None:
    """A number attribute as the int it stores (DynamoDB numbers may come back as floats)."""
    return int(value) if value is not None else None
