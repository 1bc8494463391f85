"""Jinja2 rendering of the reports: Markdown for email/Slack, self-contained HTML for browsers."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from markdown_it import MarkdownIt

from orchestration.reports import formatting

TEMPLATES = Path(__file__).with_name("templates")


def _cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


@cache
def environment(tz: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def local_time(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """Naive-UTC instants shown in business time; dates as they are."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).strftime(fmt)
        return value.isoformat()

    env.filters.update(
        value=formatting.format_value,
        pct=formatting.format_pct,
        badge=formatting.status_badge,
        cell=_cell,
        local=local_time,
        target=lambda row: formatting.format_target(
            row.get("target_operator"),
            row.get("target_value"),
            row.get("target_low"),
            row.get("target_high"),
        ),
    )
    env.globals.update(tz=tz, status_colours=formatting.STATUS_EMOJI)
    return env


def render(template: str, context: dict, tz: str) -> str:
    return environment(tz).get_template(template).render(**context)


def markdown_to_html(markdown: str) -> str:
    """CommonMark + tables, raw HTML disabled (report text comes from data)."""
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)


def emoji_to_badges(html: str) -> str:
    """Status emoji (for Slack and email) become CSS badges in HTML, which needs no emoji font."""
    for status, emoji in formatting.STATUS_EMOJI.items():
        label = status.replace("_", " ")
        html = html.replace(f"{emoji} {status}", f'<span class="badge s-{status}">{label}</span>')
        html = html.replace(emoji, f'<span class="dot s-{status}" title="{label}"></span>')
    return html.replace("⚠️ yes", '<strong class="overdue">overdue</strong>')


def write_atomically(path: Path, text: str) -> Path:
    """Write beside the target and rename, so a reader never opens half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.new")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)
    return path
