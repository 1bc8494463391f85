"""Configuration, read from the environment in this one place.

Every setting has a working default so `make demo` needs no configuration. Settings are read on
each call (not cached at import) so tests and the CLI can point the project at another folder.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = PROJECT_ROOT / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

DEFAULT_TIMEZONE = "America/New_York"
DEFAULT_PARTITIONS_START = "2024-01-01"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    business_tz: str
    partitions_start: date
    alert_webhook_url: str | None
    as_of_override: datetime | None

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def analytics_path(self) -> Path:
        return self.data_dir / "analytics.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def quality_dir(self) -> Path:
        return self.data_dir / "quality"

    @property
    def alerts_dir(self) -> Path:
        return self.data_dir / "alerts"

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME") or self.data_dir / "dagster")

    def as_of(self) -> datetime:
        """The evaluation time of KPIs (catalogue §1.1), naive UTC."""
        if self.as_of_override is not None:
            return self.as_of_override
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _parse_as_of(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(
            f"SCORECARD_AS_OF={raw!r} is not an ISO date or datetime (e.g. 2026-01-01T00:00:00)"
        ) from exc


def get_settings() -> Settings:
    data_dir = Path(os.environ.get("SCORECARD_DATA_DIR") or PROJECT_ROOT / "data").resolve()
    start_raw = os.environ.get("SCORECARD_PARTITIONS_START") or DEFAULT_PARTITIONS_START
    return Settings(
        data_dir=data_dir,
        business_tz=os.environ.get("SCORECARD_TIMEZONE") or DEFAULT_TIMEZONE,
        partitions_start=date.fromisoformat(start_raw),
        alert_webhook_url=os.environ.get("SCORECARD_ALERT_WEBHOOK_URL") or None,
        as_of_override=_parse_as_of(os.environ.get("SCORECARD_AS_OF")),
    )


def dbt_executable() -> Path:
    """The dbt installed beside this interpreter, found even when the venv is not activated."""
    return Path(sys.executable).with_name("dbt")


def dbt_environment(settings: Settings | None = None) -> dict[str, str]:
    """Environment variables that dbt's profiles.yml and dbt_project.yml read.

    PATH gains the interpreter's bin folder because dagster-dbt looks dbt up on PATH.
    """
    settings = settings or get_settings()
    path = os.environ.get("PATH", "")
    bin_dir = str(dbt_executable().parent)
    if bin_dir not in path.split(os.pathsep):
        path = bin_dir + os.pathsep + path
    return {
        "SCORECARD_WAREHOUSE_PATH": str(settings.warehouse_path),
        "SCORECARD_TIMEZONE": settings.business_tz,
        "PATH": path,
    }
