"""Report assets on the demo warehouse: each report written as Markdown and HTML with the marts'
numbers, and the executive dashboard rendered in headless Chromium without a network request."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.reports import build_report_assets
from orchestration.reports.formatting import format_value

pytestmark = pytest.mark.e2e

# The latest complete periods as of the demo's 2026-01-01 11:00 UTC (06:00 in New York).
PARTITIONS = {
    "daily_snapshot": "2025-12-31",
    "weekly_summary": "2025-12-22",
    "monthly_strategic_analysis": "2025-12-01",
    "executive_dashboard": None,
}
MONTH = "2025-12-01"
PERSPECTIVES = ("financial", "client", "internal_process", "learning_growth")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass(frozen=True)
class Reports:
    data_dir: Path
    files: dict[str, dict[str, Path]]

    @property
    def snapshot(self) -> Path:
        return self.data_dir / "analytics.duckdb"

    def markdown(self, name: str) -> str:
        return self.files[name]["markdown"].read_text()


@pytest.fixture(scope="module")
def reports(demo_warehouse, tmp_path_factory) -> Reports:
    """The four report assets materialised through Dagster from a copy of the demo snapshot."""
    data_dir = tmp_path_factory.mktemp("reports") / "data"
    data_dir.mkdir(parents=True)
    shutil.copyfile(demo_warehouse.analytics_path, data_dir / "analytics.duckdb")
    files: dict[str, dict[str, Path]] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCORECARD_DATA_DIR", str(data_dir))
        mp.setenv("DAGSTER_HOME", str(data_dir / "dagster"))
        mp.setenv("SCORECARD_PARTITIONS_START", "2025-01-01")
        assets = build_report_assets()
        instance = dg.DagsterInstance.ephemeral()
        for name, partition in PARTITIONS.items():
            key = dg.AssetKey(["reports", name])
            result = dg.materialize(
                assets,
                selection=dg.AssetSelection.assets(key),
                partition_key=partition,
                instance=instance,
            )
            assert result.success, name
            (event,) = result.asset_materializations_for_node(f"reports__{name}")
            files[name] = {kind: Path(event.metadata[kind].value) for kind in ("markdown", "html")}
    return Reports(data_dir, files)


def _query(snapshot: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_report_is_written_as_markdown_and_html(reports):
    expected_names = {
        "daily_snapshot": "daily/daily_snapshot_2025-12-31",
        "weekly_summary": "weekly/weekly_summary_2025-12-22",
        "monthly_strategic_analysis": "monthly/monthly_strategic_analysis_2025-12",
        "executive_dashboard": "dashboard/executive_dashboard_2025-12",
    }
    for name, stem in expected_names.items():
        assert reports.files[name]["markdown"] == reports.data_dir / "reports" / f"{stem}.md"
        html = reports.files[name]["html"].read_text()
        assert html.startswith("<!DOCTYPE html>") and "<table" in html
        # The latest period is also kept under a fixed name.
        assert (reports.data_dir / "reports" / f"{name}.html").read_text() == html
    assert reports.markdown("daily_snapshot").startswith(
        "# Daily snapshot — Wednesday 31 December 2025"
    )
    assert reports.markdown("weekly_summary").startswith(
        "# Weekly summary — week of 22 December 2025"
    )
    assert reports.markdown("monthly_strategic_analysis").startswith(
        "# Monthly strategic analysis — December 2025"
    )


def test_daily_snapshot_numbers_match_the_marts(reports):
    text = reports.markdown("daily_snapshot")
    bands = dict(
        _query(
            reports.snapshot,
            "select health_band, count(*) from marts.mart_client_health "
            "where score_date = '2025-12-31' and not is_final_at_handoff group by 1",
        )
    )
    green, yellow, red = (bands.get(b, 0) for b in ("green", "yellow", "red"))
    assert f"| 2025-12-31 | {green} | {yellow} | {red} | {green + yellow + red} |" in text
    # Open at 08:00 New York on 1 Jan 2026 = 13:00 UTC.
    ((open_alerts,),) = _query(
        reports.snapshot,
        "select count(*) from marts.mart_alerts where opened_at <= '2026-01-01 13:00' "
        "and (closed_at is null or closed_at > '2026-01-01 13:00')",
    )
    assert f"Open at send time: **{open_alerts}**" in text


def test_weekly_summary_lists_every_client_success_kpi(reports):
    text = reports.markdown("weekly_summary")
    cs_kpis = _query(
        reports.snapshot,
        "select kpi_id, status from marts.fct_kpi_observations where grain = 'week' "
        "and period_start = '2025-12-22' and entity_type = 'company' "
        "and department = 'client_success'",
    )
    assert cs_kpis, "the demo has client-success KPIs at week grain"
    section = text.split("## Client-success KPIs vs targets")[1].split("\n## ")[0]
    for kpi_id, status in cs_kpis:
        assert re.search(rf"`{kpi_id}`\).*\| \S+ {status} \|", section), kpi_id


def test_monthly_bottlenecks_are_ranked_worst_first(reports):
    text = reports.markdown("monthly_strategic_analysis")
    section = text.split("## Deep dive: bottlenecks")[1].split("\n## ")[0]
    shown = re.findall(r"\(`([a-z0-9_]+)`\)", section.split("### Gaps by department")[0])
    expected = [
        kpi_id
        for (kpi_id,) in _query(
            reports.snapshot,
            """
            select kpi_id from marts.mart_performance_gaps
            where grain = 'month' and period_start = ? and entity_type = 'company'
            order by gap_pct asc nulls last,
                case level when 'strategic' then 1 when 'operational' then 2 else 3 end, kpi_id
            limit 10
            """,
            [MONTH],
        )
    ]
    assert expected, "the demo plants gaps (CAC, complaint resolution, production delay, …)"
    assert shown == expected


class _DashboardParser(HTMLParser):
    """Collects the KPI rows, roll-up counts, perspective sections and chart marks of the DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict] = {}
        self.counts: dict[tuple[str, str], int] = {}
        self.perspectives: list[str] = []
        self.marks = 0
        self._perspective: str | None = None
        self._row: dict | None = None
        self._in_value = False
        self._count: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-perspective" in a:
            self._perspective = a["data-perspective"]
            self.perspectives.append(self._perspective)
        if tag == "span" and "data-count" in a and self._perspective:
            self._count = a["data-count"]
        if tag == "tr" and "kpi" in (a.get("class") or "").split() and self._perspective:
            self._row = {**a, "perspective": self._perspective, "text": ""}
            self.rows[a["data-kpi-id"]] = self._row
        if tag == "td" and self._row is not None and "value" in (a.get("class") or "").split():
            self._in_value = True
        if tag == "svg" and "marks" in (a.get("class") or "").split():
            self.marks += 1

    def handle_endtag(self, tag):
        if tag == "section":  # perspective sections hold no nested section
            self._perspective = None
        if tag == "td":
            self._in_value = False
        if tag == "tr":
            self._row = None
        if tag == "span":
            self._count = None

    def handle_data(self, data):
        if self._in_value and self._row is not None:
            self._row["text"] += data
        if self._count and self._perspective:
            self.counts[(self._perspective, self._count)] = int(data.split()[0].strip() or 0)


def _render(page: Path, out: Path) -> tuple[str, Path, list[str]]:
    """Headless Chromium: the DOM after scripts ran, a screenshot, and the page's own requests."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make install` (it installs Debian's chromium)")
    out.mkdir(parents=True, exist_ok=True)
    net_log, shot = out / "net.json", out / "screenshot.png"
    completed = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            f"--user-data-dir={out / 'profile'}",
            f"--log-net-log={net_log}",
            f"--screenshot={shot}",
            "--window-size=1400,5000",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    log = json.loads(net_log.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    # The browser's own background requests carry no page origin ("not an origin"); anything the
    # page asked for is keyed to the file:// site that loaded it.
    page_requests = [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job
        and "file://" in event["params"].get("network_isolation_key", "")
    ]
    return completed.stdout, shot, page_requests


def test_network_request_detection_works(tmp_path):
    """Control for the dashboard test: a page that loads an image over HTTP is caught."""
    page = tmp_path / "control.html"
    page.write_text('<html><body><img src="http://127.0.0.1:9/pixel.png"></body></html>')
    _, _, requests = _render(page, tmp_path / "chromium")
    assert requests == ["http://127.0.0.1:9/pixel.png"]


def test_executive_dashboard_renders_offline_with_the_marts_numbers(reports, tmp_path):
    page = reports.files["executive_dashboard"]["html"]
    dom, screenshot, requests = _render(page, tmp_path / "chromium")
    assert requests == []

    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1400, 5000)
    assert len(png) > 100_000  # a blank page is a few kB

    parsed = _DashboardParser()
    parsed.feed(dom)
    assert parsed.perspectives == list(PERSPECTIVES)
    # The status-mix chart and one trend chart per perspective were drawn by vega.
    assert parsed.marks >= 5

    scorecard = _query(
        reports.snapshot,
        "select kpi_id, perspective, status, value, unit from marts.mart_balanced_scorecard "
        "where grain = 'month' and period_start = ?",
        [MONTH],
    )
    assert set(parsed.rows) == {row[0] for row in scorecard}
    for kpi_id, perspective, status, value, unit in scorecard:
        row = parsed.rows[kpi_id]
        assert (row["perspective"], row["data-status"]) == (perspective, status), kpi_id
        if value is None:
            assert row["data-value"] == "" and row["text"].startswith("—")
        else:
            assert float(row["data-value"]) == value, kpi_id
            assert row["text"].startswith(format_value(value, unit)), kpi_id

    summary = _query(
        reports.snapshot,
        "select perspective, green, yellow, red, no_data, not_judged, kpis "
        "from marts.mart_balanced_scorecard_summary where grain = 'month' and period_start = ?",
        [MONTH],
    )
    for perspective, *counts in summary:
        for name, count in zip(
            ("green", "yellow", "red", "no_data", "not_judged", "kpis"), counts, strict=True
        ):
            shown = parsed.counts.get((perspective, name))
            assert shown == count, (perspective, name)
