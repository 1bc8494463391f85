"""Completeness is judged per load day: a bad day cannot hide inside a good year."""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from orchestration.contract import Column, Extract
from orchestration.ingest.ddl import ensure_raw_table
from orchestration.quality.frames import LoadDays
from orchestration.quality.session import run_quality


def _column(name: str, tier: str, in_scope=None) -> Column:
    return Column(name=name, data_type="varchar", tier=tier, pii=False, json_path=f"$.{name}",
                  in_scope=in_scope)  # fmt: skip


EXTRACT = Extract(
    source="shop", name="orders", identifier="shop__orders", schema="raw",
    landing_path="shop/orders_{date}.csv", format="csv", partitioning="daily", cadence="daily",
    primary_key=("id",), event_time=None, accuracy_domain="client",
    columns=(
        _column("id", "critical"),
        _column("channel", "primary"),
        _column("status", "critical"),
        _column("closed_reason", "secondary", in_scope=(("status", ("closed",)),)),
    ),
)  # fmt: skip


def _judge(database, tmp_path):
    return run_quality(
        database, {EXTRACT: {"completeness"}}, [], LoadDays(), datetime(2025, 1, 3),
        "run-1", tmp_path / "docs", "America/New_York",
    )  # fmt: skip


def test_a_day_below_its_tier_fails_even_when_the_table_passes(tmp_path):
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_raw_table(con, EXTRACT)
        rows = []
        # Day 1: 20 rows, every channel filled. Day 2: 20 rows, 2 without channel.
        for day, missing in (("2025-01-01", 0), ("2025-01-02", 2)):
            for i in range(20):
                channel = None if i < missing else "web"
                # 10 closed orders a day; on day 1 one closed order lacks its reason.
                status = "closed" if i % 2 == 0 else "open"
                reason = None if (day == "2025-01-01" and i == 0) or status != "closed" else "done"
                rows.append((f"{day}-{i}", channel, status, reason, day))
        con.executemany(
            "insert into raw.shop__orders (id, channel, status, closed_reason, _partition) "
            "values (?, ?, ?, ?, ?)",
            rows,
        )
    run = _judge(database, tmp_path)
    verdict = run.verdicts[("shop__orders", "gx_completeness")]
    failures = {f.rule: f for f in verdict.failures}
    # channel (primary, 95%): the table is 38/40 = 95% filled and would pass, but day 2 is
    # 18/20 = 90% < 95%, so it fails on that day only.
    assert set(failures) == {"channel"}
    assert failures["channel"].failing_days == ("2025-01-02",)
    assert failures["channel"].worst == 0.9
    assert failures["channel"].blocking is False
    assert verdict.blocking_failed is False
    # closed_reason (secondary, 90%) is judged on closed orders only: day 1 has 9/10 = 90%
    # (passes, the bound is inclusive), day 2 10/10; open orders' nulls do not count.
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select expectation, load_date, observed, threshold, checked_count, failed_count, "
            "passed from quality.check_results order by expectation, load_date"
        ).fetchall()
    assert [r for r in rows if r[0] in ("channel", "closed_reason")] == [
        ("channel", date(2025, 1, 1), 1.0, 0.95, 20, 0, True),
        ("channel", date(2025, 1, 2), 0.9, 0.95, 20, 2, False),
        ("closed_reason", date(2025, 1, 1), 0.9, 0.9, 10, 1, True),
        ("closed_reason", date(2025, 1, 2), 1.0, 0.9, 10, 0, True),
    ]


def test_a_critical_column_below_100_percent_is_a_blocking_failure(tmp_path):
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_raw_table(con, EXTRACT)
        # One order of 4 on 2 Jan has no status: 3/4 = 75% < 100% (critical).
        con.execute(
            """
            insert into raw.shop__orders (id, channel, status, _partition) values
            ('a', 'web', 'open', '2025-01-02'), ('b', 'web', null, '2025-01-02'),
            ('c', 'web', 'open', '2025-01-02'), ('d', 'web', 'open', '2025-01-02')
            """
        )
    verdict = _judge(database, tmp_path).verdicts[("shop__orders", "gx_completeness")]
    assert [(f.rule, f.worst, f.failing_days, f.blocking) for f in verdict.failures] == [
        ("status", 0.75, ("2025-01-02",), True)
    ]
    assert verdict.blocking_failed is True
