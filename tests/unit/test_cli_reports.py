"""`scorecard sql / kpi / report` and the report logic on a small hand-made snapshot.

The snapshot holds four KPIs for one month with numbers chosen by hand, so every expected output
below is written out, with its arithmetic where there is any.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.reports import formatting, periods, queries
from orchestration.reports.build import build_report
from orchestration.reports.snapshot import TableMissing, connect

TZ = "America/New_York"
AS_OF = datetime(2026, 1, 1, 11, 0)

KPIS = [
    # kpi_id, name, perspective, level, department, unit, direction, operator, target
    (
        "mrr",
        "Monthly Recurring Revenue",
        "financial",
        "strategic",
        "finance",
        "usd",
        "higher_is_better",
        ">",
        500000.0,
    ),
    (
        "cac",
        "Client Acquisition Cost",
        "financial",
        "strategic",
        "finance",
        "usd",
        "lower_is_better",
        "<",
        300.0,
    ),
    (
        "csat",
        "Client Satisfaction",
        "client",
        "operational",
        "client_success",
        "score_5",
        "higher_is_better",
        ">",
        4.0,
    ),
    (
        "ticket_volume",
        "Ticket Volume",
        "internal_process",
        "tactical",
        "customer_support",
        "count",
        "higher_is_better",
        "none",
        None,
    ),
    (
        "sla_compliance",
        "SLA Compliance",
        "internal_process",
        "tactical",
        "customer_support",
        "pct",
        "higher_is_better",
        ">=",
        95.0,
    ),
]
# December 2025, company: value, status, gap_pct
# mrr 600000 vs > 500000: gap_pct = (600000 - 500000) / 500000 * 100 = +20
# cac 360 vs < 300 (lower is better): gap = 300 - 360 = -60, gap_pct = -60 / 300 * 100 = -20
# csat 3.2 vs > 4 on score_5: gap = -0.8, gap_pct = -0.8 / 4 * 100 = -20 (red: <= 4 - 0.4)
# sla_compliance 66.5 vs >= 95: gap_pct = (66.5 - 95) / 95 * 100 = -30
OBSERVATIONS = [
    ("mrr", 600000.0, "green", 100000.0, 20.0),
    ("cac", 360.0, "yellow", -60.0, -20.0),
    ("csat", 3.2, "red", -0.8, -20.0),
    ("ticket_volume", 42.0, "no_target", None, None),
    ("sla_compliance", 66.5, "red", -28.5, -30.0),
]


def _make_snapshot(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.dim_kpi (kpi_id varchar, kpi_name varchar, perspective varchar,
            level varchar, department varchar, unit varchar, direction varchar,
            target_operator varchar, target_value double, target_low double, target_high double,
            formula varchar)
        """
    )
    for kpi in KPIS:
        con.execute(
            "insert into marts.dim_kpi values (?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, 'f')",
            list(kpi),
        )
    con.execute(
        "create table marts.dim_department as select unnest(['finance', 'sales']) as department"
    )
    con.execute(
        """
        create table marts.fct_kpi_observations (kpi_id varchar, kpi_name varchar,
            perspective varchar, level varchar, department varchar, unit varchar, grain varchar,
            entity_type varchar, entity_id varchar, period_start date, value double,
            rag_value double, target_operator varchar, target_value double, target_low double,
            target_high double, status varchar, reason_code varchar, gap double, gap_pct double,
            previous_value double, trend varchar, off_target_streak integer, is_partial boolean,
            quality_status varchar, as_of timestamp)
        """
    )
    definitions = {k[0]: k for k in KPIS}
    for kpi_id, value, status, gap, gap_pct in OBSERVATIONS:
        _, name, perspective, level, department, unit, _, operator, target = definitions[kpi_id]
        for period, partial in ((date(2025, 11, 1), False), (date(2025, 12, 1), False)):
            con.execute(
                """
                insert into marts.fct_kpi_observations values (?, ?, ?, ?, ?, ?, 'month',
                    'company', null, ?, ?, ?, ?, ?, null, null, ?, null, ?, ?, null, 'stable', 1,
                    ?, 'verified', ?)
                """,
                [
                    kpi_id,
                    name,
                    perspective,
                    level,
                    department,
                    unit,
                    period,
                    value,
                    value,
                    operator,
                    target,
                    status,
                    gap,
                    gap_pct,
                    partial,
                    AS_OF,
                ],
            )
    con.close()
    return path


@pytest.fixture
def snapshot(isolated_data_dir: Path) -> Path:
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    return _make_snapshot(isolated_data_dir / "analytics.duckdb")


def test_worst_ranking_breaks_ties_by_level_and_skips_kpis_without_target(snapshot):
    con = connect(snapshot)
    worst = queries.ranked_kpis(con, "month", date(2025, 12, 1), worst=True, limit=10)
    best = queries.ranked_kpis(con, "month", date(2025, 12, 1), worst=False, limit=1)
    con.close()
    # -30 first; then the three at -20 by level: cac (strategic), csat (operational); mrr last.
    # ticket_volume has no target and is not ranked (catalogue §8.8).
    assert [k["kpi_id"] for k in worst] == ["sla_compliance", "cac", "csat", "mrr"]
    assert [k["kpi_id"] for k in best] == ["mrr"]


def test_sql_prints_csv_and_json(snapshot, capsys):
    sql = "select kpi_id, value from marts.fct_kpi_observations where period_start = '2025-12-01'"
    assert (
        main(["sql", sql + " and kpi_id in ('cac', 'csat') order by kpi_id", "--format", "csv"])
        == 0
    )
    assert capsys.readouterr().out == "kpi_id,value\ncac,360\ncsat,3.2\n"
    assert (
        main(["sql", "select date '2025-12-01' as day, 2.5 as x, null as n", "--format", "json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out) == [{"day": "2025-12-01", "x": 2.5, "n": None}]


def test_sql_table_is_aligned_with_numbers_right(snapshot, capsys):
    assert (
        main(["sql", "select 'a' as name, 5 as n union all select 'bbbb', 12345 order by n"]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    row_a = next(line for line in lines if " a " in line)
    row_b = next(line for line in lines if "bbbb" in line)
    # right-aligned numbers end in the same column; text starts in the same column
    assert row_a.index("5 ") + 1 == row_b.index("12345 ") + 5
    assert row_a.index("a ") == row_b.index("bbbb")
    assert lines[-1] == "2 rows"


def test_bad_sql_fails_with_the_parser_message(snapshot, capsys):
    assert main(["sql", "selec kpi_id from marts.dim_kpi"]) == 1
    err = capsys.readouterr().err
    assert "SQL error" in err and 'syntax error at or near "selec"' in err


def test_sql_cannot_write_to_the_snapshot(snapshot, capsys):
    assert main(["sql", "drop table marts.dim_kpi"]) == 1
    assert "read-only" in capsys.readouterr().err
    assert connect(snapshot).execute("select count(*) from marts.dim_kpi").fetchone() == (5,)


def test_unknown_kpi_names_close_matches(snapshot, capsys):
    assert main(["kpi", "mmr"]) == 2
    assert "unknown KPI id 'mmr'; did you mean: mrr?" in capsys.readouterr().err
    assert main(["kpi", "sla"]) == 2  # a prefix finds the id that contains it
    assert "did you mean: sla_compliance?" in capsys.readouterr().err


def test_kpi_history_as_json(snapshot, capsys):
    assert main(["kpi", "cac", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [
        (r["period_start"], r["value (usd)"], r["target"], r["status"], r["gap_pct"]) for r in rows
    ] == [("2025-11-01", 360.0, "< 300", "yellow", -20.0)] * 1 + [
        ("2025-12-01", 360.0, "< 300", "yellow", -20.0)
    ]


def test_kpi_unknown_department_and_grain(snapshot, capsys):
    assert main(["kpi", "mrr", "--department", "salez"]) == 2
    assert "unknown department 'salez'" in capsys.readouterr().err
    assert main(["kpi", "mrr", "--grain", "week"]) == 2
    assert "mrr has no week-grain observations for the company; grains with data: month" in (
        capsys.readouterr().err
    )


def test_missing_snapshot_says_how_to_build_it(isolated_data_dir, capsys):
    assert main(["sql", "select 1"]) == 1
    err = capsys.readouterr().err
    assert "analytics.duckdb does not exist" in err and "make demo" in err


def test_report_needing_a_missing_mart_names_it(snapshot, capsys):
    # The hand-made snapshot has no mart_balanced_scorecard: the dashboard cannot be built.
    assert main(["report", "dashboard", "--date", "2025-12-15"]) == 2
    err = capsys.readouterr().err
    assert "marts.mart_balanced_scorecard is not in the analytics snapshot" in err
    with pytest.raises(TableMissing, match="mart_balanced_scorecard"):
        build_report("dashboard", snapshot, snapshot.parent / "reports", TZ, date(2025, 12, 1))


def test_report_for_a_period_outside_the_snapshot(snapshot, capsys):
    assert main(["report", "monthly", "--date", "2027-03-03"]) == 2
    assert "no month-grain KPIs for the period starting 2027-03-01" in capsys.readouterr().err


def test_report_periods_and_send_times_follow_business_time():
    # Daily 2025-03-08 is sent 08:00 on Sunday 9 March, the first day of EDT (UTC-4): 12:00 UTC;
    # the day before is sent at 08:00 EST (UTC-5): 13:00 UTC.
    assert periods.period_for("daily", date(2025, 3, 8), TZ).send_at_utc == datetime(2025, 3, 9, 12)
    assert periods.period_for("daily", date(2025, 3, 7), TZ).send_at_utc == datetime(2025, 3, 8, 13)
    week = periods.period_for("weekly", date(2025, 12, 31), TZ)  # a Wednesday
    assert (week.start, week.end, week.file_stem) == (
        date(2025, 12, 29),
        date(2026, 1, 5),
        "2025-12-29",
    )
    month = periods.period_for("monthly", date(2025, 12, 31), TZ)
    assert (month.start, month.end, month.file_stem) == (
        date(2025, 12, 1),
        date(2026, 1, 1),
        "2025-12",
    )
    # As of Thursday 1 Jan 2026 06:00 local: yesterday, the week of 22 Dec, December.
    assert periods.latest_complete("daily", AS_OF, TZ).start == date(2025, 12, 31)
    assert periods.latest_complete("weekly", AS_OF, TZ).start == date(2025, 12, 22)
    assert periods.latest_complete("monthly", AS_OF, TZ).start == date(2025, 12, 1)


def test_value_and_target_formatting():
    assert formatting.format_value(1234.6, "usd") == "$1,235"
    assert formatting.format_value(12.345, "usd") == "$12.35"
    assert formatting.format_value(94.25, "pct") == "94.2%"  # round half to even
    assert formatting.format_value(4.1, "score_5") == "4.1/5"
    assert formatting.format_value(None, "pct") == "—"
    assert formatting.format_target("range", None, 40.0, 60.0) == "40–60"
    assert formatting.format_target(">=", 95.0, None, None) == ">= 95"
    assert formatting.format_target("none", None, None, None) == "—"
    assert formatting.status_badge("red") == "🔴 red"
