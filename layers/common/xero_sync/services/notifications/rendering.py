"""Rendering admin emails from Jinja2 templates (``xero_sync/templates/<lang>/``): a plain-text
and an HTML part (the HTML autoescaped), in the org's language. Only the notifier imports this
module and the console (for the emails' wording), and Jinja2 itself is imported when the first email
is rendered."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xero_sync.models.language import Language

if TYPE_CHECKING:  # an annotation: the notification models (and the record schemas they name)
    # are the notifier's, not the console's, which renders with this module's wording (N6)
    from xero_sync.models.notifications import NotificationKind

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@functools.cache
def _environment(directory: str) -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(directory),
        # HTML parts are autoescaped: record labels and Xero's messages are data, not markup.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _strings(directory: str, language: str) -> dict[str, Any]:
    return json.loads((Path(directory) / language / "strings.json").read_text(encoding="utf-8"))


class EmailRenderer:
    """Renders ``<lang>/<kind>.txt.j2`` (which sets ``subject``) and ``<lang>/<kind>.html.j2``.
    Language text — entity names, reason titles and fixes, month names — lives beside the
    templates in ``<lang>/strings.json``, so a translation touches no code."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self._directory = str(directory)

    def render(self, kind: NotificationKind, language: Language, context: dict[str, Any]) -> RenderedEmail:
        env = _environment(self._directory)
        strings = _strings(self._directory, language.value)
        full = {**context, **Wording(strings).helpers(), "language": language.value, "s": strings}
        text_module = env.get_template(f"{language.value}/{kind.value}.txt.j2").make_module(full)
        html = env.get_template(f"{language.value}/{kind.value}.html.j2").render(full)
        subject = " ".join(str(getattr(text_module, "subject", "")).split())
        return RenderedEmail(subject=subject, text=_tidy(str(text_module)), html=html)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue  # one blank line between paragraphs is enough
        out.append(line)
    return "\n".join(out).strip() + "\n"


@dataclass(frozen=True)
class Wording:
    """The templates' helpers, in one language (its ``strings.json``): dates, times, numbers,
    entity names and failure reasons."""

    strings: dict[str, Any]

    def helpers(self) -> dict[str, Any]:
        return {
            "fmt_date": self.fmt_date,
            "fmt_time": self.fmt_time,
            "fmt_number": self.fmt_number,
            "fmt_span": self.fmt_span,
            "entity_name": self.entity_name,
            "reason": self.reason,
        }

    def fmt_date(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        day = value.astimezone(UTC).date() if isinstance(value, datetime) else value
        month = self.strings["months"][day.month - 1]
        return self.strings["date_format"].format(day=day.day, month=month, year=day.year)

    def fmt_time(self, value: datetime | None) -> str:
        if value is None:
            return ""
        moment = value.astimezone(UTC)
        return self.strings["time_format"].format(date=self.fmt_date(moment), time=moment.strftime("%H:%M"))

    def fmt_span(self, first: datetime | None, last: datetime | None) -> str:
        """When a digest's failures happened: one moment, one day, or a range of days."""
        if first is None or last is None:
            return ""
        start, end = first.astimezone(UTC), last.astimezone(UTC)
        if start.strftime("%Y%m%d%H%M") == end.strftime("%Y%m%d%H%M"):
            return self.strings["span_one"].format(date=self.fmt_date(start), time=start.strftime("%H:%M"))
        if start.date() == end.date():
            hours = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
            return self.strings["span_day"].format(date=self.fmt_date(start), **hours)
        return self.strings["span"].format(first=self.fmt_time(start), last=self.fmt_time(end))

    def fmt_number(self, value: int) -> str:
        return f"{value:,}".replace(",", self.strings["thousands"])

    def entity_name(self, entity: str, count: int = 1) -> str:
        names = self.strings["entities"].get(entity) or [entity.replace("_", " "), entity.replace("_", " ")]
        return names[0] if count == 1 else names[1]

    def reason(self, code: str) -> dict[str, str]:
        known = self.strings["reasons"].get(code)
        if known:
            return known
        return {"title": code.replace("_", " ").capitalize(), "fix": self.strings["reasons"]["_default"]["fix"]}
