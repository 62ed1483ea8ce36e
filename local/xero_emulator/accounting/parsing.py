"""Reading what a client sent: request bodies, elements and query parameters.

Xero's JSON reader matches field names without regard to case (``taxAmount`` works like
``TaxAmount``), so elements are read through ``Element``. Readers never raise on bad values:
they add a message to a ``Problems`` list and return ``None``, so that one request can report
every problem of an element at once, as Xero does.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from . import messages, wire
from .errors import bad_request, post_data_invalid
from .ids import is_guid, normalise_guid


class Problems(list[str]):
    """Validation messages of one element, in the order found (duplicates dropped)."""

    def add(self, message: str) -> None:
        if message not in self:
            self.append(message)


class Element:
    """A JSON object sent by the client, read with case-insensitive field names."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._names = {name.lower(): name for name in data}

    def has(self, name: str) -> bool:
        return name.lower() in self._names

    def get(self, name: str, default: Any = None) -> Any:
        key = self._names.get(name.lower())
        return default if key is None else self.data[key]

    def present(self, name: str) -> bool:
        """Sent and not null (a JSON null is treated like an omitted field)."""
        return self.get(name) is not None

    def child(self, name: str) -> Element | None:
        value = self.get(name)
        return Element(value) if isinstance(value, dict) else None

    def children(self, name: str) -> list[Element] | None:
        """A list of objects, or ``None`` when the field was not sent."""
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, dict):  # a single object where a list was expected
            value = [value]
        if not isinstance(value, list):
            raise post_data_invalid(f"{name} must be a list of objects.")
        return [Element(item if isinstance(item, dict) else {}) for item in value]

    def field_names(self) -> set[str]:
        return set(self._names)


def elements_of(body: Any, collection: str) -> list[Element]:
    """The elements of a write body. Xero accepts ``{"<Collection>": [...]}``, a single object
    and (leniently) a bare list."""
    if body is None or body == "":
        raise post_data_invalid("No data was supplied in the request body.")
    if isinstance(body, list):
        items = body
    elif isinstance(body, dict):
        wrapper = Element(body)
        if wrapper.has(collection):
            items = wrapper.get(collection)
            if isinstance(items, dict):
                items = [items]
            if not isinstance(items, list):
                raise post_data_invalid(f"{collection} must be a list.")
        else:
            items = [body]
    else:
        raise post_data_invalid("The request body must be a JSON object.")
    if not items:
        raise post_data_invalid(f"No {collection} were supplied in the request body.")
    result = []
    for item in items:
        if not isinstance(item, dict):
            raise post_data_invalid(f"Every element of {collection} must be a JSON object.")
        result.append(Element(item))
    return result


# --- typed readers -----------------------------------------------------------------------------


def read_str(element: Element, name: str, problems: Problems, max_length: int | None = None) -> str | None:
    value = element.get(name)
    if value is None:
        return None
    if isinstance(value, (bool, dict, list)):
        problems.add(f"{name} must be a string.")
        return None
    text = str(value)
    if max_length is not None and len(text) > max_length:
        problems.add(messages.TOO_LONG.format(field=name, limit=max_length))
    return text


def read_decimal(element: Element, name: str, problems: Problems) -> Decimal | None:
    value = element.get(name)
    if value is None:
        return None
    try:
        return wire.parse_decimal(value)
    except wire.NumberTooLarge:
        problems.add(messages.NUMBER_TOO_LARGE.format(field=name))
        return None
    except ValueError:
        problems.add(messages.NUMBER_REQUIRED_NUMBER.format(field=name))
        return None


def read_date(element: Element, name: str, problems: Problems) -> date | None:
    value = element.get(name)
    if value is None or value == "":
        return None
    try:
        return wire.parse_date(value)
    except ValueError:
        problems.add(messages.DATE_INVALID.format(field=name))
        return None


def read_bool(element: Element, name: str, problems: Problems) -> bool | None:
    value = element.get(name)
    if value is None:
        return None
    parsed = parse_bool(value)
    if parsed is None:
        problems.add(f"{name} must be true or false.")
    return parsed


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def read_guid(element: Element, name: str, problems: Problems) -> str | None:
    value = element.get(name)
    if value is None or value == "":
        return None
    if not is_guid(value):
        problems.add(f"{name} must be a GUID.")
        return None
    return normalise_guid(value)


def read_enum(element: Element, name: str, allowed: tuple[str, ...], problems: Problems, message: str) -> str | None:
    """An enumerated value, matched without regard to case and returned in Xero's spelling."""
    value = element.get(name)
    if value is None or value == "":
        return None
    for option in allowed:
        if isinstance(value, str) and value.strip().upper() == option.upper():
            return option
    problems.add(message.format(value=value))
    return None


# --- query parameters ------------------------------------------------------------------------------


class Query:
    """Query parameters, looked up without regard to case (Xero treats ``Page`` like ``page``)."""

    def __init__(self, params: dict[str, str]) -> None:
        self._params = {name.lower(): value for name, value in (params or {}).items()}

    def get(self, name: str) -> str | None:
        value = self._params.get(name.lower())
        return None if value is None else str(value)

    def flag(self, name: str) -> bool | None:
        value = self.get(name)
        return None if value is None else parse_bool(value)

    def csv(self, name: str) -> list[str] | None:
        value = self.get(name)
        if value is None:
            return None
        return [part.strip() for part in value.split(",") if part.strip()]

    def guids(self, name: str) -> list[str] | None:
        """A comma-separated list of GUIDs (``IDs``, ``ContactIDs``); a malformed one is a 400."""
        values = self.csv(name)
        if values is None:
            return None
        for value in values:
            if not is_guid(value):
                raise bad_request(f"Supplied parameter '{name}' cannot be parsed - must be of type UUID.")
        return [normalise_guid(value) for value in values]
