"""Completeness is judged per load day: a bad day cannot hide inside a good year."""

from __future__ import annotations

import duckdb

from orchestration.contract import Column, Extract
from orchestration.ingest.ddl import ensure_raw_table
from orchestration.quality.completeness import validate_completeness


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
    outcomes = {o.column: o for o in validate_completeness(database, EXTRACT)}
    # channel (primary, 95%): the table is 38/40 = 95% filled and would pass, but day 2 is
    # 18/20 = 90% < 95%, so it fails on that day.
    assert outcomes["channel"].success is False
    assert outcomes["channel"].failing_days == ("2025-01-02",)
    assert outcomes["channel"].observed == 0.9
    assert (outcomes["channel"].element_count, outcomes["channel"].unexpected_count) == (2, 1)
    # closed_reason (secondary, 90%) is judged on closed orders only: day 1 has 9/10 = 90%
    # (passes, the bound is inclusive), day 2 10/10; open orders' nulls do not count.
    assert outcomes["closed_reason"].success is True
    assert outcomes["closed_reason"].observed == 0.9
    assert outcomes["id"].success is True and outcomes["status"].success is True
