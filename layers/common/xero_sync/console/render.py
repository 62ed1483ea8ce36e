"""Rendering the console's pages: Jinja2 templates (``console/templates``, autoescaped) with the
words of one language (``console/strings/<lang>.json``), and the emails' formatting of dates,
times, numbers and entity names (``services/notifications/rendering.py``'s ``Wording``, with the
emails' ``templates/<lang>/strings.json``), so the console and the emails say things alike."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response

from xero_sync.console.web import HTML, page_url, static_version
from xero_sync.models.language import Language
from xero_sync.services.notifications.rendering import TEMPLATES as EMAIL_TEMPLATES
from xero_sync.services.notifications.rendering import Wording

HERE = Path(__file__).resolve().parent


@functools.cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def strings(language: str) -> dict[str, Any]:
    return json.loads((HERE / "strings" / f"{language}.json").read_text(encoding="utf-8"))


@functools.cache
def _email_strings(language: str) -> dict[str, Any]:
    return json.loads((EMAIL_TEMPLATES / language / "strings.json").read_text(encoding="utf-8"))


def lookup(table: Mapping[str, Any], key: str) -> str | None:
    node: Any = table
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, str) else None


@dataclass(frozen=True)
class Words:
    """The console's words and formats in one language."""

    language: Language

    def t(self, key: str, **params: Any) -> str:
        """The text for ``key`` (dotted), with ``{name}`` placeholders filled; English when the
        language lacks it (a test keeps the three files complete)."""
        text = lookup(strings(self.language.value), key) or lookup(strings(Language.EN.value), key) or key
        return text.format(**params) if params else text

    def has(self, key: str) -> bool:
        return lookup(strings(self.language.value), key) is not None

    def money(self, amount: Decimal | None, currency: str | None = None) -> str:
        if amount is None:
            return ""
        grouped = f"{amount:,.2f}"  # 1,234.56
        thousands, decimal = self.t("format.thousands"), self.t("format.decimal")
        text = grouped.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
        return f"{text} {currency}" if currency else text

    def helpers(self) -> dict[str, Any]:
        wording = Wording(_email_strings(self.language.value))
        return {
            "t": self.t,
            "has_text": self.has,
            "money": self.money,
            "percent": lambda value: format(Decimal(value).normalize(), "f"),
            "fmt_date": wording.fmt_date,
            "fmt_time": wording.fmt_time,
            "entity_name": wording.entity_name,
            "reason": wording.reason,
            "page_url": page_url,
            "static_url": lambda name: page_url(f"static/{name}", v=static_version(name)),
            "lang": self.language.value,
        }


def render_html(language: Language, template: str, status: int = 200, **context: Any) -> Response:
    """A whole page (``templates/<template>.html.j2``) in ``language``."""
    body = _environment().get_template(f"{template}.html.j2").render(**Words(language).helpers(), **context)
    return Response(status_code=status, content_type=HTML, body=body)
