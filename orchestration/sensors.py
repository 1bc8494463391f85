"""Sensors: landed extracts → ingestion, alerts → the alert sink, deadlines → on-time checks.

new_extracts_sensor asks for ingestion of exactly the new or changed files, once per file
version: the cursor remembers each file's (mtime, size), a run key names the exact versions a run
loads, and a re-delivered file for an old partition (new version) is loaded again together with
the incremental models downstream of it. Files that change together are grouped into one run per
contiguous range of days (a year landed at once is one run, like a backfill).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

# Dagster exposes no public name for the tags of a single-run partition range.
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.alerts import AlertSink, AlertsTableMissing, read_alerts
from orchestration.contract import Extract, load_contract
from orchestration.freshness import (
    DEADLINE_CHECK,
    deadline_targets,
    deliverable_for,
    latest_due_partition,
)
from orchestration.jobs import INGEST_JOB
from orchestration.settings import get_settings

_DATE = r"(\d{4}-\d{2}-\d{2})"
LANDING_FILES_TAG = "scorecard/landing_files"


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


@dataclass(frozen=True)
class ChangedFile:
    asset_key: dg.AssetKey
    partition: str
    file_key: str  # path under the landing folder
    version: str  # mtime_ns:size


def contiguous_ranges(partitions: Sequence[str]) -> list[tuple[str, str]]:
    """Sorted daily keys grouped into (first, last) runs of consecutive days."""
    days = sorted({date.fromisoformat(p) for p in partitions})
    ranges: list[tuple[str, str]] = []
    for day in days:
        if ranges and date.fromisoformat(ranges[-1][1]) + timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day.isoformat())
        else:
            ranges.append((day.isoformat(), day.isoformat()))
    return ranges


def group_changes(
    changes: Sequence[ChangedFile],
) -> list[tuple[tuple[str, str], list[ChangedFile]]]:
    """One group per (range of days, set of extracts): the runs to launch, in date order."""
    by_asset: dict[dg.AssetKey, list[ChangedFile]] = defaultdict(list)
    for change in changes:
        by_asset[change.asset_key].append(change)
    groups: dict[tuple[tuple[str, str], ...], list[ChangedFile]] = defaultdict(list)
    for files in by_asset.values():
        for first, last in contiguous_ranges([f.partition for f in files]):
            in_range = [f for f in files if first <= f.partition <= last]
            groups[((first, last),)].extend(in_range)
    return sorted(((key[0], files) for key, files in groups.items()), key=lambda g: g[0])


def _incremental_children(
    context: dg.SensorEvaluationContext, keys: set[dg.AssetKey]
) -> set[dg.AssetKey]:
    """Partitioned assets fed by these raw assets (the incremental dbt models), when known."""
    repository = context.repository_def
    if repository is None:
        return set()
    graph = repository.asset_graph
    children: set[dg.AssetKey] = set()
    for key in keys:
        for child in graph.get(key).child_keys:
            node = graph.get(child)
            if node.is_materializable and node.partitions_def and node.group_name != "reports":
                children.add(child)
    return children


def _run_request(
    context: dg.SensorEvaluationContext, span: tuple[str, str], files: list[ChangedFile]
) -> dg.RunRequest:
    raw_keys = {f.asset_key for f in files}
    selection = sorted(raw_keys | _incremental_children(context, raw_keys), key=str)
    versions = sorted(f"{f.file_key}@{f.version}" for f in files)
    run_key = hashlib.sha1("\n".join(versions).encode()).hexdigest()
    first, last = span
    more = f" and {len(files) - 1} more" if len(files) > 1 else ""
    tags = {LANDING_FILES_TAG: f"{versions[0]}{more}"}
    if first == last:
        return dg.RunRequest(
            run_key=run_key, partition_key=first, asset_selection=selection, tags=tags
        )
    tags |= {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
    return dg.RunRequest(run_key=run_key, asset_selection=selection, tags=tags)


@dg.sensor(
    name="new_extracts_sensor",
    description=(
        "Starts ingestion (and the incremental models) of the partitions whose extract file "
        "landed or changed, once per file version."
    ),
    job_name=INGEST_JOB,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def new_extracts_sensor(context: dg.SensorEvaluationContext):
    landing_dir = get_settings().landing_dir
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    if not landing_dir.exists():
        return dg.SkipReason(f"{landing_dir} does not exist yet")
    for path in unknown_files(landing_dir):
        key = f"unknown:{path.relative_to(landing_dir).as_posix()}"
        if key not in seen:  # named once, not on every tick
            seen[key] = "1"
            context.log.warning(
                f"UnknownExtract: {path.relative_to(landing_dir)} matches no landing_path of the "
                "extract contract and is not loaded; rename it or add its extract to "
                "dbt_project/models/staging/<system>/_<system>__sources.yml"
            )
    changes = []
    for extract, partition, path in landed_files(landing_dir):
        key = path.relative_to(landing_dir).as_posix()
        stat = path.stat()
        version = f"{stat.st_mtime_ns}:{stat.st_size}"
        if seen.get(key) == version:
            continue
        seen[key] = version
        changes.append(ChangedFile(dg.AssetKey(extract.asset_key_path), partition, key, version))
    context.update_cursor(json.dumps(seen, sort_keys=True))
    if not changes:
        return dg.SkipReason("no new or changed extract files")
    return [_run_request(context, span, files) for span, files in group_changes(changes)]


@dg.sensor(
    name="alert_delivery_sensor",
    description=(
        "Sends every new row of marts.mart_alerts (analytics snapshot) once to the log, "
        "data/alerts/alerts.jsonl and the webhook; retries queued webhook deliveries each tick."
    ),
    minimum_interval_seconds=120,
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def alert_delivery_sensor(context: dg.SensorEvaluationContext):
    settings = get_settings()
    try:
        alerts = read_alerts(settings.analytics_path)
    except AlertsTableMissing as missing:
        return dg.SkipReason(str(missing))
    result = AlertSink(settings.alerts_dir, settings.alert_webhook_url, context.log).deliver(alerts)
    summary = f"{result.new} new alert(s), {result.posted} posted, {result.pending} queued"
    if result.error:
        summary += f"; last webhook error: {result.error}"
    return dg.SkipReason(summary)


def build_deadline_sensors(assets: Sequence[dg.AssetsDefinition]) -> list[dg.SensorDefinition]:
    """Runs each `delivered_on_time` check once, right after each period's deadline."""
    checked = deadline_targets(assets)
    if not checked:
        return []
    check_keys = [dg.AssetCheckKey(key, DEADLINE_CHECK) for key, _ in checked]

    @dg.sensor(
        name="deadline_checks_sensor",
        description="Evaluates delivered_on_time for each report period once its deadline passed.",
        target=dg.AssetSelection.checks(*check_keys),
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def deadline_checks_sensor(context: dg.SensorEvaluationContext):
        now = datetime.now(ZoneInfo(get_settings().business_tz))
        requests = []
        for key, partitions_def in checked:
            row = deliverable_for(partitions_def)
            partition = latest_due_partition(partitions_def, row, now) if row else None
            if partition is None:
                continue
            requests.append(
                dg.RunRequest(
                    run_key=f"{key.to_user_string()}:{DEADLINE_CHECK}:{partition}",
                    asset_selection=[],
                    asset_check_keys=[dg.AssetCheckKey(key, DEADLINE_CHECK)],
                )
            )
        return requests or dg.SkipReason("no deadline has passed yet")

    return [deadline_checks_sensor]
