"""Sensors: new extracts landed → ingestion of exactly their partitions, once per file version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dagster as dg

from orchestration.contract import Extract, load_contract
from orchestration.settings import get_settings

_DATE = r"(\d{4}-\d{2}-\d{2})"


def _pattern(extract: Extract) -> tuple[str, re.Pattern[str]]:
    """The glob to list an extract's files and the regex that reads the partition back out."""
    glob = extract.landing_path.replace("{date}", "*")
    regex = re.escape(extract.landing_path).replace(re.escape("{date}"), _DATE)
    return glob, re.compile(regex + "$")


def landed_files(landing_dir: Path) -> list[tuple[Extract, str, Path]]:
    """(extract, partition, path) for every landing file that matches the contract."""
    found = []
    for extract in load_contract():
        glob, regex = _pattern(extract)
        for path in sorted(landing_dir.glob(glob)):
            match = regex.search(path.relative_to(landing_dir).as_posix())
            if match:
                found.append((extract, match.group(1), path))
    return found


def unknown_files(landing_dir: Path) -> list[Path]:
    """Files under the landing folder that no extract of the contract claims."""
    known = {path for _, _, path in landed_files(landing_dir)}
    return sorted(
        path
        for path in landing_dir.rglob("*")
        if path.is_file() and path not in known and not path.name.startswith("_")
    )


@dg.sensor(
    name="new_extracts_sensor",
    description="Starts ingestion of a partition when its extract file lands or changes.",
    target=dg.AssetSelection.groups("raw"),
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def new_extracts_sensor(context: dg.SensorEvaluationContext):
    landing_dir = get_settings().landing_dir
    seen: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
    if not landing_dir.exists():
        return dg.SkipReason(f"{landing_dir} does not exist yet")
    requests = []
    for path in unknown_files(landing_dir):
        key = f"unknown:{path.relative_to(landing_dir).as_posix()}"
        if key not in seen:  # named once, not on every tick
            seen[key] = 1
            context.log.warning(
                f"UnknownExtract: {path.relative_to(landing_dir)} matches no landing_path of the "
                "extract contract and is not loaded; rename it or add its extract to "
                "dbt_project/models/staging/<system>/_<system>__sources.yml"
            )
    for extract, partition, path in landed_files(landing_dir):
        key = path.relative_to(landing_dir).as_posix()
        version = path.stat().st_mtime_ns
        if seen.get(key) == version:
            continue
        seen[key] = version
        requests.append(
            dg.RunRequest(
                run_key=f"{key}@{version}",
                partition_key=partition,
                asset_selection=[dg.AssetKey(extract.asset_key_path)],
                tags={"scorecard/landing_file": key},
            )
        )
    context.update_cursor(json.dumps(seen, sort_keys=True))
    if not requests:
        return dg.SkipReason("no new or changed extract files")
    return requests
