"""Planning a push of host records, without I/O (F3.1, N3).

* :func:`validate_envelope` — one envelope → a valid :class:`Candidate`, or a rejection whose
  details name each wrong field by its path in the request.
* :func:`plan_push` — which valid records are written, in which order (parents first), which
  are stale within the request, and which refer to a record the service does not hold.

``services/records.py`` carries the plan out against the table; these functions are unit-tested
without one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from xero_sync.domain.entities import references_of, spec
from xero_sync.domain.record_payload import record_too_large
from xero_sync.domain.records import RecordKey
from xero_sync.models.api import ErrorDetail, ErrorInfo
from xero_sync.models.api_export import RecordOutcome, RecordResult, field_path
from xero_sync.models.records import MAX_VERSION, EntityName, EnvelopeBase, RecordAction, parse_envelope

MISSING_REFERENCE = "missing_reference"
VALIDATION_ERROR = "validation_error"
RECORD_TOO_LARGE = "record_too_large"
_ENTITY_TAGS = frozenset(entity.value for entity in EntityName)
_ENTITY_LIST = ", ".join(entity.value for entity in EntityName)


def envelope_data(envelope: EnvelopeBase) -> BaseModel | None:
    """The record's data: every envelope type declares its own ``data`` model (None for a delete)."""
    return envelope.data  # type: ignore[attr-defined]


def stored_data(envelope: EnvelopeBase) -> dict[str, Any] | None:
    """The validated record as the table keeps it: JSON-safe (decimals and dates as strings, so
    amounts never pass through float), absent optional fields left out."""
    data = envelope_data(envelope)
    return None if data is None else data.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True)
class Candidate:
    """A record that passed validation, with its place in the request."""

    index: int
    envelope: EnvelopeBase

    @property
    def entity(self) -> EntityName:
        return self.envelope.entity_name

    @property
    def data(self) -> BaseModel | None:
        return envelope_data(self.envelope)

    def key(self, org_id: str) -> RecordKey:
        return RecordKey(org_id, self.entity.value, self.envelope.id)

    def result(self, outcome: RecordOutcome) -> RecordResult:
        envelope = self.envelope
        return RecordResult(
            index=self.index,
            entity=envelope.entity_name.value,
            id=envelope.id,
            version=envelope.version,
            status=outcome,
        )


# ==================================================================================================
# One envelope → a valid record or a rejection naming the field
# ==================================================================================================


def _as_sent(raw: Any, name: str, kind: type) -> Any:
    value = raw.get(name) if isinstance(raw, dict) else None
    if isinstance(value, bool) or not isinstance(value, kind):
        return None
    if isinstance(value, int) and not 0 <= value <= MAX_VERSION:
        return None  # a version out of range is not echoed (10^200 would be, digit by digit)
    return value


def rejection(index: int, raw: Any, code: str, message: str, details: Sequence[ErrorDetail]) -> RecordResult:
    return RecordResult(
        index=index,
        entity=_as_sent(raw, "entity", str),
        id=_as_sent(raw, "id", str),
        version=_as_sent(raw, "version", int),
        status=RecordOutcome.REJECTED,
        error=ErrorInfo(code=code, message=message, details=list(details)),
    )


def envelope_error_details(index: int, error: ValidationError) -> list[ErrorDetail]:
    """pydantic's errors of one envelope → details whose ``field`` is the path in the request,
    e.g. ``records[2].data.lines[0].quantity``."""
    prefix: list[str | int] = ["records", index]
    return [_error_detail(prefix, item) for item in error.errors(include_url=False)]


def _error_detail(prefix: list[str | int], item: ErrorDetails) -> ErrorDetail:
    kind = item["type"]
    location = list(item["loc"])
    if kind == "union_tag_invalid":
        sent = item.get("input")
        return ErrorDetail(
            field=field_path([*prefix, "entity"]),
            message=f"unknown entity {sent.get('entity')!r}; use one of {_ENTITY_LIST}"
            if isinstance(sent, dict)
            else f"unknown entity; use one of {_ENTITY_LIST}",
        )
    if kind == "union_tag_not_found":
        return ErrorDetail(field=field_path([*prefix, "entity"]), message=f"entity is required; one of {_ENTITY_LIST}")
    if kind == "model_attributes_type" and not location:
        return ErrorDetail(field=field_path(prefix), message="must be an object {entity, id, version, action, data}")
    if location and location[0] in _ENTITY_TAGS:
        location = location[1:]  # pydantic puts the union member's tag first
    if not location and kind == "value_error":
        location = ["data"]  # the only envelope-level rule: data present exactly for upserts
    message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        message = "unknown field (a typo?); custom data goes into custom_fields"
    return ErrorDetail(field=field_path([*prefix, *location]), message=message)


def validate_envelope(index: int, raw: Any) -> Candidate | RecordResult:
    """One envelope → a valid record, or its rejection: a wrong field, or a record too large to
    be stored (checked here, before anything of the request is written)."""
    try:
        candidate = Candidate(index, parse_envelope(raw))
    except ValidationError as error:
        details = envelope_error_details(index, error)
        fields = ", ".join(dict.fromkeys(d.field or "" for d in details))
        return rejection(index, raw, VALIDATION_ERROR, f"The record is not valid: {fields}.", details)
    too_large = record_too_large(stored_data(candidate.envelope))
    if too_large is not None:
        field = field_path(["records", index])
        detail = ErrorDetail(field=field, message=too_large)
        return rejection(index, raw, RECORD_TOO_LARGE, f"The record is too large to be stored: {too_large}", [detail])
    return candidate


# ==================================================================================================
# Which records refer to something missing, which are stored, in which order
# ==================================================================================================


@dataclass(frozen=True)
class StoredState:
    """What a push needs to know about a record already in the table."""

    version: int
    action: str
    status: str


@dataclass(frozen=True)
class MissingParent:
    """The first record an upsert refers to that the service does not hold yet (F3.4: it waits)."""

    field: str
    entity: EntityName
    host_id: str


@dataclass
class PushPlan:
    writes: list[Candidate] = field(default_factory=list)  # parents before children
    stale: dict[int, RecordResult] = field(default_factory=dict)  # superseded within the request
    rejected: dict[int, RecordResult] = field(default_factory=dict)  # references to deleted records
    waiting: dict[int, MissingParent] = field(default_factory=dict)  # accepted, waiting for a later push


def referenced_keys(org_id: str, candidates: Sequence[Candidate]) -> set[RecordKey]:
    """Every record the upserts of a request refer to (one batch read tells which exist)."""
    keys: set[RecordKey] = set()
    for candidate in candidates:
        data = candidate.data
        if data is None:
            continue
        for ref, host_id in references_of(candidate.entity, data):
            keys.add(RecordKey(org_id, ref.entity.value, host_id))
    return keys


def plan_push(org_id: str, candidates: Sequence[Candidate], stored: Mapping[RecordKey, StoredState]) -> PushPlan:
    """Decide, without I/O, which valid records are written.

    * Several versions of one record in a request: the highest is written (the first on a tie),
      the others are answered ``stale`` — the latest state wins, as it would across requests.
    * A reference is satisfied by a record stored for the org, or by one upserted in this request
      (and not rejected itself). A reference to a record the service does not hold *yet* is not an
      error (F3.4: hosts that push from event streams deliver out of order): the record is
      accepted and waits for it (``plan.waiting``), for a limited time (the export worker's
      ``missing_parent_hours``). A reference to a record whose latest state is a delete is refused
      (``missing_reference``); that can make another one miss its parent: repeat until stable.
    """
    plan = PushPlan()
    alive = {candidate.index: candidate for candidate in candidates}
    while True:
        winners = _latest_versions(org_id, alive.values())
        rejected: dict[int, RecordResult] = {}
        plan.waiting = {}
        for candidate in winners.values():
            details, missing = _missing_references(org_id, candidate, winners, stored)
            if details:
                rejected[candidate.index] = _missing_reference_rejection(candidate, details)
            elif missing is not None:
                plan.waiting[candidate.index] = missing
        if not rejected:
            break
        plan.rejected.update(rejected)
        for index in rejected:
            del alive[index]

    written = {id(candidate) for candidate in winners.values()}
    for candidate in alive.values():
        if id(candidate) not in written:
            plan.stale[candidate.index] = candidate.result(RecordOutcome.STALE)
    plan.writes = sorted(winners.values(), key=lambda c: (_write_rank(c.entity), c.index))
    return plan


def _latest_versions(org_id: str, candidates: Iterable[Candidate]) -> dict[RecordKey, Candidate]:
    """Per record, the candidate with the highest version (the first in the request on a tie)."""
    winners: dict[RecordKey, Candidate] = {}
    for candidate in sorted(candidates, key=lambda c: c.index):
        key = candidate.key(org_id)
        current = winners.get(key)
        if current is None or candidate.envelope.version > current.envelope.version:
            winners[key] = candidate
    return winners


def _latest_action(
    key: RecordKey, winners: Mapping[RecordKey, Candidate], stored: Mapping[RecordKey, StoredState]
) -> str | None:
    """The record's latest action, counting this request: upsert, delete, or None if unknown."""
    in_request = winners.get(key)
    before = stored.get(key)
    if in_request is not None and (before is None or in_request.envelope.version > before.version):
        return in_request.envelope.action.value
    return before.action if before is not None else None


def _missing_references(
    org_id: str,
    candidate: Candidate,
    winners: Mapping[RecordKey, Candidate],
    stored: Mapping[RecordKey, StoredState],
) -> tuple[list[ErrorDetail], MissingParent | None]:
    """One detail per reference of an upsert to a record the host deleted, and the first
    reference to a record the service does not hold yet (the record waits for it)."""
    data = candidate.data
    if candidate.envelope.action is not RecordAction.UPSERT or data is None:
        return [], None
    details: list[ErrorDetail] = []
    missing: MissingParent | None = None
    for ref, host_id in references_of(candidate.entity, data):
        action = _latest_action(RecordKey(org_id, ref.entity.value, host_id), winners, stored)
        if action == RecordAction.UPSERT.value:
            continue
        if action is None:
            if missing is None and ref.waits:
                missing = MissingParent(ref.field, ref.entity, host_id)
            continue
        details.append(
            ErrorDetail(
                field=field_path(["records", candidate.index, "data", ref.field]),
                message=f"refers to {ref.entity.value} {host_id!r}, which was deleted by the host",
            )
        )
    return details, missing


def _missing_reference_rejection(candidate: Candidate, details: list[ErrorDetail]) -> RecordResult:
    envelope = candidate.envelope
    raw = {"entity": envelope.entity_name.value, "id": envelope.id, "version": envelope.version}
    return rejection(
        candidate.index, raw, MISSING_REFERENCE, "The record refers to a record the host deleted.", details
    )


def _write_rank(entity: EntityName) -> int:
    """Contacts first, then documents, then what hangs off documents: should the request stop
    half-way, no child is stored without its parent."""
    if entity is EntityName.CONTACT:
        return 0
    return 1 if spec(entity).root_document else 2
