"""`scorecard generate --defects`: the GX checks flag exactly the planted faults, a blocking
failure stops the marts in the run that found it, KPI rows built on failed or degraded inputs
say so, and the Data Docs show the suites and the failing expectation.

One quarter (Jan-Mar 2025, every planted fault) at scale 0.05, refreshed through Dagster as of
1 Apr 2025 06:00; then the marts are forced from the loaded data without the checks, as a data
steward would after reading the failures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

START, END, AS_OF = date(2025, 1, 1), date(2025, 3, 31), "2025-04-01 06:00:00"
SCALE, SEED = 0.05, 7
DBT_LAYERS = ("seeds", "staging", "intermediate", "marts")
FORCED_MARTS = ("fct_kpi_observations", "mart_balanced_scorecard", "mart_quarantined_rows",
                "mart_ingest_file_issues", "mart_data_quality_daily")  # fmt: skip


@dataclass(frozen=True)
class DefectsRun:
    data_dir: Path
    truth: dict
    refresh_error: str
    refresh_events: list
    forced_success: bool

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"


@pytest.fixture(scope="module")
def defects_run(tmp_path_factory, dbt_manifest) -> DefectsRun:
    import dagster as dg
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    from orchestration.definitions import build_definitions
    from orchestration.extracts.generate import GenerateOptions, generate
    from orchestration.refresh import RefreshFailed, refresh, refresh_selection

    data_dir = tmp_path_factory.mktemp("defects") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCORECARD_DATA_DIR", str(data_dir))
        mp.setenv("DAGSTER_HOME", str(data_dir / "dagster"))
        mp.setenv("SCORECARD_PARTITIONS_START", START.isoformat())
        mp.setenv("SCORECARD_AS_OF", AS_OF)
        mp.delenv("SCORECARD_ALERT_WEBHOOK_URL", raising=False)
        truth = generate(
            data_dir / "landing",
            GenerateOptions(SCALE, SEED, START, END, True, "America/New_York"),
            show_progress=False,
        )
        instance = dg.DagsterInstance.ephemeral()
        with pytest.raises(RefreshFailed) as blocked:
            refresh(START.isoformat(), END.isoformat(), instance=instance)
        run = instance.get_runs(limit=1)[0]
        events = [e.dagster_event for e in instance.all_logs(run.run_id) if e.dagster_event]
        # The steward forces the marts the tests read from the loaded data, without the checks.
        defs = build_definitions()
        targets = dg.AssetSelection.assets(*(dg.AssetKey(["marts", m]) for m in FORCED_MARTS))
        upstream = targets.upstream().resolve(defs.resolve_asset_graph())
        dbt_keys = [k for k in refresh_selection(defs) if k in upstream and k.path[0] in DBT_LAYERS]
        forced = dg.materialize(
            [*(defs.assets or []), *(defs.asset_checks or [])],
            selection=dg.AssetSelection.assets(*dbt_keys).without_checks(),
            instance=instance,
            resources=defs.resources or {},
            tags={
                ASSET_PARTITION_RANGE_START_TAG: START.isoformat(),
                ASSET_PARTITION_RANGE_END_TAG: END.isoformat(),
            },
            raise_on_error=False,
        )
    return DefectsRun(data_dir, truth, str(blocked.value), events, forced.success)


def _connect(run: DefectsRun) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(run.warehouse), read_only=True)


def test_a_blocking_failure_stops_the_marts_in_that_run(defects_run):
    import dagster as dg

    assert "raw/quickbooks__gl_entries:gx_reconciliation" in defects_run.refresh_error
    events = defects_run.refresh_events
    evaluations = [
        e.event_specific_data
        for e in events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    blocking = [
        (ev.asset_key.to_user_string(), ev.check_name)
        for ev in evaluations
        if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR
    ]
    # The planted ledger/payment mismatch is the only blocking failure (no critical column is
    # below 100% on any day).
    assert blocking == [("raw/quickbooks__gl_entries", "gx_reconciliation")]
    materialized = {
        e.asset_key.to_user_string()
        for e in events
        if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
    }
    assert {k for k in materialized if k.startswith("raw/")} >= {
        "raw/quickbooks__gl_entries", "raw/stripe__charges", "raw/dialer__calls",
    }  # fmt: skip
    # Nothing downstream of the checks materialised in that run: no staging, no mart, no snapshot.
    assert {k for k in materialized if not k.startswith("raw/")} == set()
    failed_steps = {e.step_key for e in events if e.event_type == dg.DagsterEventType.STEP_FAILURE}
    assert "gx_data_quality" in failed_steps


def _planted_days(defect: dict) -> set[date] | None:
    """The load days a planted fault lives on, when the truth names them."""
    if "days_below_95pct" in defect:
        return {date.fromisoformat(d) for d in defect["days_below_95pct"]}
    if "partitions" in defect:
        return {date.fromisoformat(d) for d in defect["partitions"]}
    for key in ("day", "partition"):
        if key in defect:
            return {date.fromisoformat(defect[key])}
    return None


def _planted_month(defect: dict) -> str | None:
    if "month" in defect:
        return defect["month"]
    if "period_start" in defect:
        return defect["period_start"][:7]
    return None


def _explains(defect: dict, raw_table: str, standard: str, day: date | None) -> bool:
    if standard == "reconciliation":
        # Recorded against every extract it reads; the fault is in the ledger.
        return defect["check"] == "reconciliation" and day.strftime("%Y-%m") == defect["month"]
    if defect["raw_table"] != raw_table:
        return False
    days, month = _planted_days(defect), _planted_month(defect)
    if days is not None:
        return day in days
    if month is not None:
        return day is not None and day.strftime("%Y-%m") == month
    return True  # a fault spread over the window (e.g. ~1% of credit scores)


def test_checks_flag_exactly_the_planted_faults(defects_run):
    defects = defects_run.truth["planted_defects"]
    with _connect(defects_run) as con:
        failures = con.execute(
            "select raw_table, standard, expectation, load_date from quality.check_results "
            "where not passed order by 1, 2, 3, 4"
        ).fetchall()
        quarantined = set(
            con.execute(
                "select raw_table, load_date from marts.mart_quarantined_rows union "
                "select raw_table, load_date from marts.mart_ingest_file_issues "
                "where status in ('duplicate', 'rejected', 'missing')"
            ).fetchall()
        )
    assert failures, "the checks found nothing in a defects run"
    # Nothing is flagged that no planted fault explains.
    unexplained = [f for f in failures if not any(_explains(d, f[0], f[1], f[3]) for d in defects)]
    assert unexplained == []
    # Every planted data-quality fault is caught by a check of its standard, on its days.
    for defect in defects:
        if defect["check"] in ("completeness", "accuracy", "timeliness", "reconciliation"):
            caught = [
                f for f in failures
                if f[1] == defect["check"] and _explains(defect, f[0], f[1], f[3])
            ]  # fmt: skip
            assert caught, f"not caught: {defect['description']}"
            days = _planted_days(defect)
            if days is not None and defect["check"] != "reconciliation":
                assert days <= {f[3] for f in caught}, defect["description"]
        elif defect["check"] == "ingest_quarantine":
            # Set aside by ingestion, listed for stewards beside the check results.
            assert (defect["raw_table"], next(iter(_planted_days(defect)))) in quarantined
        else:
            # A business event (a failed backup is data, not a data fault): no check fails.
            assert defect["check"] == "alert"
            assert not [f for f in failures if f[0] == defect["raw_table"]]


def test_kpi_rows_on_failed_or_degraded_inputs_carry_their_quality_status(defects_run):
    assert defects_run.forced_success
    with _connect(defects_run) as con:

        def status(kpi: str, month: str) -> tuple:
            return con.execute(
                "select status, quality_status, reason_code from marts.fct_kpi_observations "
                "where kpi_id = ? and grain = 'month' and entity_type = 'company' "
                "and period_start = ?",
                [kpi, f"{month}-01"],
            ).fetchone()

        # Gross margin reads the ledger: January failed its reconciliation with Stripe
        # (blocking) -> failed; February's ledger passed every check -> verified.
        assert status("gross_profit_margin", "2025-01")[1] == "failed"
        assert status("gross_profit_margin", "2025-02")[1] == "verified"
        # Uptime reads the uptime extracts only, which carry no fault -> verified.
        assert status("system_uptime", "2025-02")[1] == "verified"
        # Tickets lost their channel on several February days and CRM contacts their lead
        # source (completeness, warns): the ticket KPIs read both -> degraded, and a computed
        # green is capped to yellow (dq_unverified).
        assert status("first_call_resolution_rate", "2025-02") == (
            "yellow", "degraded", "dq_unverified",
        )  # fmt: skip
        assert status("mrr", "2025-02")[1:] == ("verified", None)
        capped = con.execute(
            "select count(*), count(*) filter (where status = 'yellow' and quality_status in "
            "('degraded', 'failed')) from marts.fct_kpi_observations "
            "where reason_code = 'dq_unverified'"
        ).fetchone()
        assert capped[0] > 0 and capped[0] == capped[1]
        # Verified rows are never capped, and the scorecards carry the same status.
        assert con.execute(
            "select count(*) from marts.fct_kpi_observations "
            "where quality_status = 'verified' and reason_code = 'dq_unverified'"
        ).fetchone() == (0,)
        assert con.execute(
            """
            select count(*) from marts.mart_balanced_scorecard as s
            inner join marts.fct_kpi_observations as f
                on f.kpi_id = s.kpi_id and f.grain = s.grain
                and f.period_start = s.period_start and f.entity_type = 'company'
            where s.quality_status is distinct from f.quality_status
            """
        ).fetchone() == (0,)


def test_data_docs_show_the_suites_and_the_failing_expectation(defects_run):
    docs = defects_run.data_dir / "quality"
    index = (docs / "index.html").read_text()
    for suite in (
        "support__tickets.completeness",
        "dialer__calls.accuracy",
        "support__tickets.timeliness",
        "reconciliation.stripe_vs_quickbooks_income",
    ):
        assert suite in index, suite  # fmt: skip
    pages = list((docs / "validations" / "reconciliation" / "stripe_vs_quickbooks_income").rglob(
        "*.html"
    ))  # fmt: skip
    assert len(pages) == 1
    text = re.sub(r"<[^>]+>", " ", pages[0].read_text())
    assert "Status: Failed" in re.sub(r"\s+", " ", text)
    # The failing expectation names its rule and the load day of the January ledger.
    assert "stripe_vs_quickbooks_income" in text and "2025-01-31" in text
