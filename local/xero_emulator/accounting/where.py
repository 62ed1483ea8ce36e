"""Xero's ``where`` filter language (xero-facts §5) — it is really .NET Dynamic LINQ::

    Status=="AUTHORISED" AND Type=="ACCPAY"
    Date>=DateTime(2020,01,01) && Contact.ContactID==guid("…")
    Name.Contains("Cafe") OR (EmailAddress!=null AND EmailAddress.StartsWith("ap@"))

The filter runs over records rendered into Xero's shape (before JSON conversion, so money is
``Decimal`` and dates are ``date``/``datetime``). Field names are matched without regard to case;
unknown fields, malformed expressions and comparisons of incompatible types answer 400
``QueryParseException`` (ErrorNumber 16), as Xero does. String comparisons ignore case (Xero's
store compares case-insensitively — UNCONFIRMED, see the report). query.py holds ``order``,
paging and ``If-Modified-Since``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from . import wire
from .errors import query_error
from .fields import SCHEMAS
from .ids import is_guid, normalise_guid

Record = dict[str, Any]

# --- tokens ------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\]|\\.|"")*")
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<>|>=|<=|&&|\|\||[=<>!(),.-])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # string | number | name | op | end
    text: str
    position: int


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise query_error(f"Syntax error '{text[position]}'")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return body.replace('""', '"').replace('\\"', '"').replace("\\\\", "\\")


# --- expression tree -----------------------------------------------------------------------------
# Each node knows its static type ("string", "number", "boolean", "date", "datetime", "guid",
# "null", an entity name for nested objects) and how to evaluate itself against a record.


@dataclass
class Node:
    type: str

    def evaluate(self, record: Record) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass
class Literal(Node):
    value: Any = None

    def evaluate(self, record: Record) -> Any:
        return self.value


@dataclass
class Field(Node):
    path: tuple[str, ...] = ()

    def evaluate(self, record: Record) -> Any:
        value: Any = record
        for name in self.path:
            if not isinstance(value, dict):
                return None
            value = _get_ci(value, name)
        return value


@dataclass
class Call(Node):
    target: Node | None = None
    method: str = ""
    argument: Node | None = None

    def evaluate(self, record: Record) -> Any:
        value = self.target.evaluate(record) if self.target else None
        if value is None:
            # Xero throws on a method call on a missing optional field (docs advise a
            # "Field!=null AND" guard); the emulator treats it as "no match".
            return None if self.type == "string" else False
        text = str(value)
        if self.method == "tolower":
            return text.lower()
        if self.method == "toupper":
            return text.upper()
        if self.method == "trim":
            return text.strip()
        if self.method == "tostring":
            return text
        argument = str(self.argument.evaluate(record) if self.argument else "").lower()
        if self.method == "contains":
            return argument in text.lower()
        if self.method == "startswith":
            return text.lower().startswith(argument)
        if self.method == "endswith":
            return text.lower().endswith(argument)
        raise AssertionError(self.method)


@dataclass
class Compare(Node):
    operator: str = "=="
    left: Node | None = None
    right: Node | None = None

    def evaluate(self, record: Record) -> bool:
        assert self.left is not None and self.right is not None
        return _compare(self.operator, self.left.evaluate(record), self.right.evaluate(record))


@dataclass
class Logical(Node):
    operator: str = "and"  # and | or | not
    operands: tuple[Node, ...] = ()

    def evaluate(self, record: Record) -> bool:
        if self.operator == "not":
            return not _truthy(self.operands[0].evaluate(record))
        if self.operator == "and":
            return all(_truthy(operand.evaluate(record)) for operand in self.operands)
        return any(_truthy(operand.evaluate(record)) for operand in self.operands)


def _truthy(value: Any) -> bool:
    return value is True


def _get_ci(record: dict[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    lowered = name.lower()
    for key, value in record.items():
        if key.lower() == lowered:
            return value
    return None


# --- comparison semantics ---------------------------------------------------------------------------


def _comparable(value: Any) -> Any:
    """Bring values of one static type to something Python can compare."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        return value.lower()
    return value


def _compare(operator: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        if operator == "==":
            return left is None and right is None
        if operator == "!=":
            return not (left is None and right is None)
        return False
    a, b = _comparable(left), _comparable(right)
    if operator == "==":
        return a == b
    if operator == "!=":
        return a != b
    try:
        if operator == ">":
            return a > b
        if operator == ">=":
            return a >= b
        if operator == "<":
            return a < b
        if operator == "<=":
            return a <= b
    except TypeError:
        return False
    raise AssertionError(operator)


_TYPE_NAMES = {
    "string": "String",
    "number": "Decimal",
    "boolean": "Boolean",
    "date": "DateTime",
    "datetime": "DateTime",
    "guid": "Guid",
}


def _compatible(left: str, right: str) -> bool:
    if "null" in (left, right):
        return True
    if {left, right} <= {"date", "datetime"}:
        return True
    return left == right


# --- parser -----------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, schema_name: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.schema_name = schema_name

    # token helpers
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "name" and token.text.lower() in words

    def is_op(self, *ops: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text in ops

    def expect_op(self, op: str) -> None:
        if not self.is_op(op):
            raise query_error(f"'{op}' expected")
        self.take()

    # grammar
    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek().kind != "end":
            raise query_error("Syntax error")
        return node

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while self.is_word("or") or self.is_op("||"):
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else self._logical("or", operands)

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while self.is_word("and") or self.is_op("&&"):
            self.take()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else self._logical("and", operands)

    def parse_not(self) -> Node:
        if self.is_word("not") or self.is_op("!"):
            self.take()
            return self._logical("not", [self.parse_not()])
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_value()
        if not self.is_op("==", "=", "!=", "<>", ">", ">=", "<", "<="):
            return left
        operator = {"=": "==", "<>": "!="}.get(self.peek().text, self.peek().text)
        self.take()
        right = self.parse_value()
        if not _compatible(left.type, right.type):
            raise query_error(
                f"Operator '{operator}' incompatible with operand types '{_type_name(left)}' and '{_type_name(right)}'"
            )
        if operator not in ("==", "!=") and "boolean" in (left.type, right.type):
            raise query_error(f"Operator '{operator}' incompatible with operand types 'Boolean' and 'Boolean'")
        return Compare("boolean", operator, left, right)

    def parse_value(self) -> Node:
        token = self.peek()
        if token.kind == "end":
            raise query_error("Expression expected")
        if self.is_op("("):
            self.take()
            node = self.parse_or()
            self.expect_op(")")
            return node
        if token.kind == "string":
            self.take()
            return Literal("string", _unquote(token.text))
        if token.kind == "number" or (self.is_op("-") and self.peek(1).kind == "number"):
            sign = ""
            if self.is_op("-"):
                self.take()
                sign = "-"
            return Literal("number", Decimal(sign + self.take().text))
        if token.kind != "name":
            raise query_error("Expression expected")
        word = token.text.lower()
        if word in ("true", "false"):
            self.take()
            return Literal("boolean", word == "true")
        if word == "null":
            self.take()
            return Literal("null", None)
        if word == "datetime" and (self.peek(1).text in ("(", ".")):
            return self.parse_datetime()
        if word == "guid" and self.peek(1).text == "(":
            return self.parse_guid()
        return self.parse_member()

    def parse_datetime(self) -> Literal:
        self.take()  # DateTime
        if self.is_op("."):
            self.take()
            if not self.is_word("parse"):
                raise query_error("'Parse' expected")
            self.take()
            self.expect_op("(")
            token = self.take()
            if token.kind != "string":
                raise query_error("String literal expected")
            self.expect_op(")")
            try:
                return Literal("datetime", wire.parse_datetime(_unquote(token.text)))
            except ValueError as exc:
                raise query_error(f"String '{_unquote(token.text)}' was not recognized as a valid DateTime.") from exc
        self.expect_op("(")
        parts: list[int] = []
        while True:
            token = self.take()
            if token.kind != "number" or "." in token.text:
                raise query_error("Integer literal expected")
            parts.append(int(token.text))
            if self.is_op(","):
                self.take()
                continue
            self.expect_op(")")
            break
        if len(parts) not in (3, 6):
            raise query_error("No matching constructor in type 'DateTime'")
        try:
            return Literal("datetime", datetime(*parts, tzinfo=UTC))  # type: ignore[arg-type,misc]
        except ValueError as exc:
            raise query_error("Year, Month, and Day parameters describe an un-representable DateTime.") from exc

    def parse_guid(self) -> Literal:
        self.take()  # Guid
        self.expect_op("(")
        token = self.take()
        if token.kind != "string" or not is_guid(_unquote(token.text)):
            raise query_error("Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).")
        self.expect_op(")")
        return Literal("guid", normalise_guid(_unquote(token.text)))

    def parse_member(self) -> Node:
        """``Field``, ``Nested.Field`` and method calls such as ``Name.Contains("x")``."""
        schema_name = self.schema_name
        path: list[str] = []
        while True:
            name = self.take().text
            field_type = _field_type(schema_name, name)  # 400 for an unknown field
            path.append(_canonical_name(schema_name, name))
            walks_into_entity = (
                field_type in SCHEMAS and self.is_op(".") and self.peek(1).kind == "name" and self.peek(2).text != "("
            )
            if not walks_into_entity:
                break
            self.take()  # the "."
            schema_name = field_type
        node: Node = Field(field_type, tuple(path))
        while self.is_op("."):  # method calls on the value
            self.take()
            method_token = self.take()
            if method_token.kind != "name":
                raise query_error("Identifier expected")
            node = self.parse_call(node, method_token.text)
        return node

    def parse_call(self, target: Node, method: str) -> Node:
        lowered = method.lower()
        self.expect_op("(")
        argument: Node | None = None
        if not self.is_op(")"):
            argument = self.parse_value()
        self.expect_op(")")
        if lowered == "tostring" and argument is None:
            return Call("string", target, lowered, None)
        if target.type != "string":
            raise query_error(f"No applicable method '{method}' exists in type '{_type_name(target)}'")
        if lowered in ("tolower", "toupper", "trim") and argument is None:
            return Call("string", target, lowered, None)
        if lowered in ("contains", "startswith", "endswith"):
            if argument is None or argument.type != "string":
                raise query_error(f"No applicable method '{method}' exists in type 'String'")
            return Call("boolean", target, lowered, argument)
        raise query_error(f"No applicable method '{method}' exists in type 'String'")

    def _logical(self, operator: str, operands: list[Node]) -> Node:
        for operand in operands:
            if operand.type not in ("boolean", "null"):
                raise query_error("Expression of type 'Boolean' expected")
        return Logical("boolean", operator, tuple(operands))


def _type_name(node: Node) -> str:
    if node.type == "number" and isinstance(node, Literal):
        return "Int32" if node.value == node.value.to_integral_value() else "Double"
    return _TYPE_NAMES.get(node.type, node.type)


def _field_type(schema_name: str, name: str) -> str:
    fields = SCHEMAS[schema_name]
    for field_name, field_type in fields.items():
        if field_name.lower() == name.lower():
            return field_type
    raise query_error(f"No property or field '{name}' exists in type '{schema_name}'")


def _canonical_name(schema_name: str, name: str) -> str:
    for field_name in SCHEMAS[schema_name]:
        if field_name.lower() == name.lower():
            return field_name
    return name


def compile_where(text: str, schema_name: str) -> Callable[[Record], bool]:
    """Parse ``where`` once; the result tells whether a rendered record matches."""
    tree = _Parser(text, schema_name).parse()
    if tree.type != "boolean":
        raise query_error("Expression of type 'Boolean' expected")
    return lambda record: _truthy(tree.evaluate(record))
