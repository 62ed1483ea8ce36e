"""Dependencies between records (F3.4): a contact before its invoice, an invoice before its
payment, allocation or write-off. An out-of-order arrival waits; it does not fail.

The service looks up the state of each parent (:func:`parents_of` says which) and asks
:func:`resolve` what to do:

| parent state (:class:`ParentStatus`) | outcome |
| --- | --- |
| ``exported`` — in Xero, with its id | part of :class:`Ready` ``links`` |
| ``missing`` — the host never sent it (yet) | :class:`Wait` (it may arrive in the next push) |
| ``not_exported`` — known, not in Xero yet (pending, failed, waiting, a draft) | :class:`Wait` |
| ``excluded`` — will never be exported (before the export-from date, family off) | :class:`Skip` |
| ``deleted`` — deleted in the host, or voided/deleted in Xero | :class:`Fail` |

A failed parent makes its children wait rather than fail: the admin gets one message (about the
parent) and the children follow once it is fixed. A draft parent likewise: once it is open it
is exported and its children follow.

Deletes never wait: removing a payment needs only the payment's own Xero id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from xero_sync.domain.entities import references_of
from xero_sync.models.records import EntityName, RecordAction


class ParentStatus(StrEnum):
    EXPORTED = "exported"
    MISSING = "missing"
    NOT_EXPORTED = "not_exported"
    EXCLUDED = "excluded"
    DELETED = "deleted"


@dataclass(frozen=True)
class ParentLink:
    """What a child needs to know about its parent in Xero.

    ``xero_id`` is the parent's ContactID / InvoiceID / CreditNoteID. For documents the service
    also passes what the child's payload needs: the number and the document's ContactID (for a
    write-off), its currency and host exchange rate (payments of foreign documents)."""

    entity: EntityName
    host_id: str
    xero_id: str
    number: str | None = None
    contact_xero_id: str | None = None
    currency: str | None = None
    exchange_rate: Decimal | None = None


@dataclass(frozen=True)
class ParentState:
    status: ParentStatus
    link: ParentLink | None = None  # required when status is EXPORTED
    detail: str | None = None  # e.g. why it is not exported yet / why excluded, for messages

    def __post_init__(self) -> None:
        if self.status is ParentStatus.EXPORTED and self.link is None:
            raise ValueError("an exported parent needs its link")


@dataclass(frozen=True)
class ParentKey:
    """One parent of a record: the referring field, the parent's entity and host id."""

    field: str
    entity: EntityName
    host_id: str


@dataclass(frozen=True)
class Ready:
    links: dict[str, ParentLink] = field(default_factory=dict)  # by referring field name


@dataclass(frozen=True)
class Wait:
    parent: ParentKey
    reason: str

    @property
    def waiting_on(self) -> str:
        """The ``{parent_entity}#{parent_id}`` part of the Records table's ``waiting_on``."""
        return f"{self.parent.entity.value}#{self.parent.host_id}"


@dataclass(frozen=True)
class Skip:
    parent: ParentKey
    reason: str


@dataclass(frozen=True)
class Fail:
    parent: ParentKey
    reason: str
    code: str = "parent_deleted"


Resolution = Ready | Wait | Skip | Fail


def parents_of(entity: EntityName | str, data: BaseModel | None) -> list[ParentKey]:
    """The parents a record must wait for (none for a delete, which carries no data)."""
    if data is None:
        return []
    return [
        ParentKey(field=ref.field, entity=ref.entity, host_id=host_id)
        for ref, host_id in references_of(entity, data)
        if ref.waits
    ]


def _label(parent: ParentKey) -> str:
    return f"{parent.entity.value.replace('_', ' ')} '{parent.host_id}'"


def resolve(
    entity: EntityName | str,
    action: RecordAction,
    data: BaseModel | None,
    parent_states: Mapping[ParentKey, ParentState],
) -> Resolution:
    """Decide whether a record can go to Xero now. ``parent_states`` holds one state per key of
    :func:`parents_of`; a key the service could not find counts as ``missing``. The first parent
    that is not ready decides (fail before skip before wait, so the worst news comes first)."""
    if action is RecordAction.DELETE:
        return Ready()
    links: dict[str, ParentLink] = {}
    waits: list[Wait] = []
    skips: list[Skip] = []
    for parent in parents_of(entity, data):
        state = parent_states.get(parent, ParentState(ParentStatus.MISSING))
        detail = f" ({state.detail})" if state.detail else ""
        if state.status is ParentStatus.EXPORTED:
            assert state.link is not None
            links[parent.field] = state.link
        elif state.status is ParentStatus.DELETED:
            return Fail(
                parent,
                f"The {_label(parent)} it refers to was deleted or voided{detail}, so it cannot be exported.",
            )
        elif state.status is ParentStatus.EXCLUDED:
            skips.append(Skip(parent, f"The {_label(parent)} it refers to is not exported to Xero{detail}."))
        elif state.status is ParentStatus.MISSING:
            waits.append(Wait(parent, f"Waiting for the {_label(parent)}, which the host has not sent yet."))
        else:
            waits.append(Wait(parent, f"Waiting for the {_label(parent)} to reach Xero first{detail}."))
    if skips:
        return skips[0]
    if waits:
        return waits[0]
    return Ready(links)
