"""The operations and technology extracts: planted gaps land in their status band, every other
target-bearing KPI of these sources is green at month grain, defects appear only when asked.

KPIs are computed per the catalogue (KPI_CATALOGUE.md §2.2–2.3) straight from the generated
CSV files at scale 0.05, bucketed by month in the business time zone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.extracts import operations, technology
from orchestration.extracts.context import GenerationContext
from orchestration.extracts.world import build_world

TZ = "America/New_York"
START, END = date(2025, 1, 1), date(2025, 12, 31)
SOURCES = ("qa", "compliance", "documents", "production", "actions", "uptime", "automation",
           "integrations", "backups", "security", "api")  # fmt: skip
WRITERS = {**operations.WRITERS, **technology.WRITERS}


def _generate(landing: Path, defects: bool, only: tuple[str, ...] = ()) -> GenerationContext:
    world = build_world(0.05, 42, START, END, TZ)
    ctx = GenerationContext(world=world, landing_dir=landing, defects=defects)
    extracts = {f"{e.source}.{e.name}": e for e in load_contract()}
    for key, writer in WRITERS.items():
        if not only or key in only:
            writer(ctx, extracts[key])
    return ctx


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerationContext, Path]:
    landing = tmp_path_factory.mktemp("ops_clean") / "landing"
    # Every writer but the hourly uptime checks, which no KPI below reads.
    writers = tuple(key for key in WRITERS if key != "uptime.checks")
    return _generate(landing, False, writers), landing


@pytest.fixture(scope="module")
def con(clean: tuple[GenerationContext, Path], tmp_path_factory: pytest.TempPathFactory):
    """Each extract as a table read from its daily files, keeping the latest delivery of every
    key. The day's files are concatenated first (one scan instead of 365 small ones)."""
    _, landing = clean
    combined = tmp_path_factory.mktemp("ops_combined")
    connection = duckdb.connect()
    connection.execute(f"set TimeZone = 'UTC'; create macro loc(ts) as timezone('{TZ}', "
                       "timezone('UTC', ts))")  # fmt: skip
    for extract in load_contract():
        if extract.source not in SOURCES or extract.name == "checks":
            continue
        names = [c.name for c in extract.columns]
        lines = [",".join([*names, "_delivered"]) + "\n"]
        for path in sorted(landing.glob(extract.landing_path.replace("{date}", "*"))):
            delivered = path.stem.rsplit("_", 1)[1]
            with path.open(encoding="utf-8") as handle:
                assert handle.readline().rstrip("\n").split(",") == names, path
                lines.extend(f"{line.rstrip()},{delivered}\n" for line in handle if line.strip())
        target = combined / f"{extract.identifier}.csv"
        target.write_text("".join(lines), encoding="utf-8")
        types = ", ".join(f"'{c.name}': '{c.data_type}'" for c in extract.columns)
        connection.execute(
            f"""
            create table {extract.source}_{extract.name} as
            select * exclude (_delivered)
            from read_csv('{target}', header = true, auto_detect = false,
                          columns = {{{types}, '_delivered': 'date'}})
            qualify row_number() over (
                partition by {", ".join(extract.primary_key)} order by _delivered desc
            ) = 1
            """
        )
    yield connection
    connection.close()


def _by_month(con, sql: str) -> dict[int, float]:
    return {int(month): value for month, value in con.execute(sql).fetchall()}


def test_every_contract_extract_of_these_sources_has_one_writer():
    keys = {f"{e.source}.{e.name}" for e in load_contract() if e.source in SOURCES}
    assert keys == set(WRITERS)


def test_production_delay_is_yellow_then_two_weeks_late(clean, con):
    # production_delay_days = mean of max(0, dy(scheduled_end, actual_end)) by actual_end month;
    # target ≤ 0, red ≥ 14. First half: 28% of jobs ~8 d late → ≈ 2 d (yellow); second half:
    # 95% of jobs 15.8 ± 2.5 d late → 0.95 × ~16 ≈ 15 d (red).
    delay = _by_month(
        con,
        """
        select month(loc(actual_end)),
               avg(greatest(0, date_diff('second', scheduled_end, actual_end) / 86400.0))
        from production_jobs where status = 'completed' group by 1
        """,
    )
    assert all(0 < delay[m] < 14 for m in range(1, 7)), delay  # yellow
    assert all(14 <= delay[m] <= 16.5 for m in range(7, 13)), delay  # red
    assert 1.5 <= sum(delay[m] for m in range(2, 7)) / 5 <= 3.5
    ctx, _ = clean
    gaps = {(g["kpi_id"], g["period_start"]): g["expected_status"] for g in ctx.planted_gaps}
    assert gaps[("production_delay_days", "2025-01-01")] == ["yellow"]
    assert gaps[("production_delay_days", "2025-07-01")] == ["red"]


def test_one_confirmed_low_security_incident_makes_a_yellow_month(clean, con):
    # security_incident_rate = count of confirmed incidents by detected_at; 0 green, exactly 1
    # low/medium yellow. Every other detection is a false positive.
    confirmed = con.execute(
        "select month(loc(detected_at)), severity from security_incidents where confirmed"
    ).fetchall()
    assert confirmed == [(9, "low")]
    ctx, _ = clean
    gap = next(g for g in ctx.planted_gaps if g["kpi_id"] == "security_incident_rate")
    assert (gap["period_start"], gap["expected_status"]) == ("2025-09-01", ["yellow"])


def test_operations_kpis_are_green_every_month(con):
    qa = con.execute(
        """
        select month(loc(reviewed_at)),
               -- error_rate, rework_rate: Σ errors, Σ rework / Σ items (targets < 1, < 5)
               100.0 * sum(errors) filter (review_type <> 'client_interaction')
                   / sum(items_reviewed) filter (review_type <> 'client_interaction'),
               100.0 * sum(rework) filter (review_type <> 'client_interaction')
                   / sum(items_reviewed) filter (review_type <> 'client_interaction'),
               -- quality_assurance_score (> 90), quality_control_score (> 95)
               avg(coalesce(score_pct, 100 * (1 - errors / items_reviewed)))
                   filter (review_type = 'client_interaction'),
               avg(coalesce(score_pct, 100 * (1 - errors / items_reviewed)))
                   filter (review_type = 'quality_control')
        from qa_reviews group by 1 order by 1
        """
    ).fetchall()
    assert len(qa) == 12
    for month, error_rate, rework_rate, qa_score, qc_score in qa:
        assert 0.4 < error_rate < 1 and 2 < rework_rate < 5, (month, error_rate, rework_rate)
        assert 90 < qa_score < 98 and 95 < qc_score <= 100, (month, qa_score, qc_score)
    audits = con.execute(
        "select month(loc(audited_at)), avg(score), 100 * avg(passed::int) "
        "from compliance_audits group by 1"
    ).fetchall()
    # compliance_score ≈ 96–97 (> 95), audit_pass_rate (> 90)
    assert len(audits) == 12 and all(95 < s < 99 and p > 90 for _, s, p in audits), audits
    accuracy = _by_month(
        con,
        'select month(processed_on), 100 * (1 - sum(errors) / sum("count")) '
        "from documents_processed group by 1",
    )
    # document_processing_accuracy ≈ 99.55 (> 99)
    assert len(accuracy) == 12 and all(99 < a < 99.9 for a in accuracy.values()), accuracy


def test_technology_kpis_are_green_every_month(con):
    # system_uptime = 1 − critical-system incident minutes / (5 systems × minutes) ≈ 99.7 (> 99.5)
    uptime = _by_month(
        con,
        """
        select month(loc(started_at)),
               100 * (1 - sum(minutes_down) / (5.0 * 24 * 60 * day(last_day(loc(started_at)))))
        from uptime_incidents where critical group by 1, last_day(loc(started_at))
        """,
    )
    assert len(uptime) == 12 and all(99.5 < u < 99.95 for u in uptime.values()), uptime
    automation = con.execute(
        """
        select month(loc(run_at)),
               -- automation_rate ≈ 73 (> 70): automated and succeeded / all executions
               100 * avg((automated and succeeded)::int),
               -- automation_utilization ≈ 89 (> 70): automated / automation-enabled touchpoints
               100 * avg(automated::int) filter (touchpoint not in
                   ('onboarding_call', 'goal_review_call', 'billing_inquiry_followup'))
        from automation_runs group by 1
        """
    ).fetchall()
    assert all(70 < rate < 77 and 80 < use < 95 for _, rate, use in automation), automation
    syncs = con.execute(
        """
        select month(loc(started_at)),
               -- integration_success_rate ≈ 99.3 (> 99)
               100 * avg(succeeded::int),
               -- data_processing_speed: p95 minutes event → done, real-time only (< 1)
               quantile_cont(date_diff('millisecond', source_event_at, completed_at) / 60000.0,
                             0.95) filter (realtime and succeeded)
        from integrations_syncs group by 1
        """
    ).fetchall()
    assert all(99 < ok < 99.6 and p95 < 1 for _, ok, p95 in syncs), syncs
    # backup_success_rate = scheduled slots with a succeeded attempt / slots = 100 every day.
    failed_slots = con.execute(
        "select count(*) from (select slot_id from backups_runs where scheduled group by 1 "
        "having not bool_or(succeeded))"
    ).fetchone()[0]
    slots = con.execute("select count(distinct slot_id) from backups_runs").fetchone()[0]
    assert failed_slots == 0 and slots == 5 * 365
    api = con.execute(
        """
        select month(loc(requested_at)),
               -- api_availability ≈ 99.5–99.8 (> 99): status < 500, null (timeout) fails
               100 * avg(coalesce(status < 500, false)::int),
               -- system_response_time: p95 latency without health checks ≈ 1.2 s (< 2)
               quantile_cont(latency_ms, 0.95) filter (endpoint <> '/health') / 1000
        from api_requests group by 1
        """
    ).fetchall()
    assert all(99 < a < 99.9 and 1.0 < p95 < 1.4 for _, a, p95 in api), api


def test_corrective_actions_cover_the_planted_gaps(con):
    rows = con.execute(
        """
        select kpi_id, count(*), count(*) filter (status = 'done'),
               count(*) filter (completed_at is null and status <> 'cancelled'
                                and due_at < timestamp '2025-12-31')
        from actions_corrective_actions where kpi_id not like 'dt%' group by 1
        """
    ).fetchall()
    summary = {kpi: (n, done, overdue) for kpi, n, done, overdue in rows}
    assert set(summary) == {"response_time_to_inquiries", "complaint_resolution_time",
                            "production_delay_days", "employee_turnover_rate", "cac"}  # fmt: skip
    assert all(done >= 1 for _, done, _ in summary.values())
    assert sum(overdue for *_, overdue in summary.values()) >= 3
    bad = con.execute(
        "select count(*) from actions_corrective_actions where due_at < created_at "
        "or (status = 'done') <> (completed_at is not null)"
    ).fetchone()[0]
    assert bad == 0


def test_defects_only_when_asked(clean, tmp_path: Path):
    ctx, clean_landing = clean
    assert ctx.planted_defects == []
    faulty = _generate(tmp_path / "landing", True, ("qa.reviews", "backups.runs", "api.requests"))
    kinds = {(d["raw_table"], d["check"]) for d in faulty.planted_defects}
    assert kinds == {
        ("raw.qa__reviews", "accuracy"),
        ("raw.api__requests", "accuracy"),
        ("raw.api__requests", "ingest_quarantine"),
        ("raw.backups__runs", "alert"),
    }
    quarantined = next(d for d in faulty.planted_defects if d["check"] == "ingest_quarantine")
    short_file = tmp_path / f"landing/api/requests/requests_{quarantined['day']}.csv"
    header = short_file.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "endpoint" not in header and quarantined["rows"] > 0
    # Deterministic, and the faults touch only the files they are planted in.
    changed = sorted(
        str(path.relative_to(tmp_path / "landing"))
        for path in (tmp_path / "landing").rglob("*.csv")
        if path.read_bytes()
        != (clean_landing / path.relative_to(tmp_path / "landing")).read_bytes()
    )
    assert len(changed) == 4 and all(
        any(d["day"] in name for d in faulty.planted_defects) for name in changed
    ), changed
