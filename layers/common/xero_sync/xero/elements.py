"""Per-element results of Xero batch writes (xero-facts §3.3).

Batches are sent with ``summarizeErrors=false``: Xero then answers 200 and marks every element
with ``StatusAttributeString`` = ``OK`` | ``WARNING`` | ``ERROR`` and its own ``ValidationErrors``
/ ``Warnings``, in request order. WARNING means saved with warnings; ERROR means not saved.

Without the flag, one bad element turns the whole answer into a 400 ``ValidationException`` whose
``Elements`` echo only the failing objects (and the valid ones are saved with their ids hidden) —
``parse_validation_exception`` reads that shape, for single-element writes and for diagnostics.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Keys of Xero's response wrapper (``{"Id", "Status", "ProviderName", "DateTimeUTC", "<Collection>"}``)
# that are never the collection itself.
_WRAPPER_KEYS = frozenset({"Id", "Status", "ProviderName", "DateTimeUTC", "Warnings", "pagination"})
_MESSAGE_KEYS = ("Message", "Description")


class ElementStatus(StrEnum):
    OK = "OK"
    WARNING = "WARNING"
    ERROR = "ERROR"


class ElementResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    index: int = Field(description="Position in the request (or in Elements[] for a 400 body).")
    status: ElementStatus
    element: dict[str, Any]
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.status is not ElementStatus.ERROR


def parse_element_results(body: Any, collection: str | None = None) -> list[ElementResult]:
    """Read a ``summarizeErrors=false`` response. ``collection`` is the wrapper key (e.g.
    ``"Invoices"``); without it the first list in the wrapper is used."""
    elements = _collection(body, collection)
    return [_element_result(index, element) for index, element in enumerate(elements)]


def parse_validation_exception(body: Any) -> list[ElementResult]:
    """Read a 400 ``ValidationException`` body: one ERROR result per element in ``Elements``.
    ``index`` is the position in ``Elements`` — Xero echoes only failing elements, so it is not
    necessarily the position in the request."""
    if not isinstance(body, dict):
        return []
    results = []
    for index, element in enumerate(body.get("Elements") or []):
        if not isinstance(element, dict):
            continue
        errors = _messages(element, "ValidationErrors") or [str(body.get("Message") or "validation failed")]
        results.append(
            ElementResult(
                index=index,
                status=ElementStatus.ERROR,
                element=element,
                errors=errors,
                warnings=_messages(element, "Warnings"),
            )
        )
    return results


def element_messages(results: list[ElementResult]) -> list[str]:
    """Every error message of the failed elements, prefixed by their index (for logs/history)."""
    return [f"[{result.index}] {message}" for result in results for message in result.errors]


def _collection(body: Any, collection: str | None) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return [element for element in body if isinstance(element, dict)]
    if not isinstance(body, dict):
        return []
    if collection is not None:
        value = body.get(collection)
        return [element for element in value if isinstance(element, dict)] if isinstance(value, list) else []
    for key, value in body.items():
        if key not in _WRAPPER_KEYS and isinstance(value, list):
            return [element for element in value if isinstance(element, dict)]
    return []


def _element_result(index: int, element: dict[str, Any]) -> ElementResult:
    errors = _messages(element, "ValidationErrors")
    warnings = _messages(element, "Warnings")
    raw_status = str(element.get("StatusAttributeString") or "").upper()
    if raw_status in ElementStatus.__members__:
        status = ElementStatus(raw_status)
    elif errors or element.get("HasErrors") or element.get("HasValidationErrors"):
        status = ElementStatus.ERROR
    elif warnings:
        status = ElementStatus.WARNING
    else:
        status = ElementStatus.OK
    if status is ElementStatus.ERROR and not errors:
        errors = ["Xero reported an error for this element without a message"]
    return ElementResult(index=index, status=status, element=element, errors=errors, warnings=warnings)


def _messages(element: dict[str, Any], key: str, depth: int = 0) -> list[str]:
    """Messages under ``key`` in the element and in its nested objects (line items, a payment's
    invoice …), in order and without duplicates: Xero sometimes reports a line's error on the line."""
    found: list[str] = []
    for entry in element.get(key) or []:
        message = _message_text(entry)
        if message and message not in found:
            found.append(message)
    if depth < 3:
        for name, value in element.items():
            if name in ("ValidationErrors", "Warnings"):
                continue
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, dict):
                    for message in _messages(child, key, depth + 1):
                        if message not in found:
                            found.append(message)
    return found


def _message_text(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        for name in _MESSAGE_KEYS:
            if entry.get(name):
                return str(entry[name])
    return None
