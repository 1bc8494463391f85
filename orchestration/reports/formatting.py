"""How numbers, targets and statuses look in every report, the CLI and the terminal scorecard."""

from __future__ import annotations

import math

STATUS_EMOJI = {
    "green": "🟢",
    "yellow": "🟡",
    "red": "🔴",
    "no_data": "⚪",
    "no_target": "🔵",
    "provisional": "🟣",
}

# Units shown with a suffix after the number; usd and pct are handled apart.
_SUFFIX = {
    "days": " d",
    "hours": " h",
    "minutes": " min",
    "seconds": " s",
    "x_per_year": "×/yr",
    "score_5": "/5",
    "score_10": "/10",
}


def _plain(number: float) -> str:
    """Two decimals without trailing zeros, thousands separated: 1,234.5 / 3 / 0.25."""
    text = f"{number:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: float | None, unit: str | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "usd":
        return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.2f}"
    if unit == "pct":
        return f"{value:.1f}%"
    return _plain(value) + _SUFFIX.get(unit or "", "")


def format_target(
    operator: str | None, value: float | None, low: float | None, high: float | None
) -> str:
    if operator in (None, "none"):
        return "—"
    if operator == "range":
        return f"{_plain(low)}–{_plain(high)}" if low is not None and high is not None else "—"
    return f"{operator} {_plain(value)}" if value is not None else "—"


def format_pct(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:+.1f}%"


def status_badge(status: str | None) -> str:
    """Emoji + word, readable in Slack and in plain-text email alike."""
    status = status or "no_data"
    return f"{STATUS_EMOJI.get(status, '')} {status}".strip()
