"""Accuracy, timeliness and reconciliation judged per load day, on hand-computed fixtures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest

from orchestration.contract import Column, Extract, get_extract
from orchestration.ingest.ddl import LOAD_LOG_TABLE, QUARANTINE_TABLE, ensure_raw_table
from orchestration.quality.frames import LoadDays
from orchestration.quality.reconciliation import reconciliations
from orchestration.quality.session import run_quality

TZ = "America/New_York"


def _column(name, data_type, tier="critical", **meta) -> Column:
    return Column(name=name, data_type=data_type, tier=tier, pii=False, json_path=f"$.{name}",
                  **meta)  # fmt: skip


ORDERS = Extract(
    source="shop", name="orders", identifier="shop__orders", schema="raw",
    landing_path="shop/orders_{date}.csv", format="csv", partitioning="daily", cadence="daily",
    primary_key=("id",), event_time="created_at", accuracy_domain="client",
    freshness_error_hours=50.0,
    columns=(
        _column("id", "varchar"),
        _column("status", "varchar", accepted_values=("open", "closed")),
        _column("amount", "double", tier="primary", min=0),
        _column("created_at", "timestamp"),
    ),
)  # fmt: skip


def _log(con, day: str, status: str) -> None:
    con.execute(
        f"insert into {LOAD_LOG_TABLE} values ('raw.shop__orders', ?, ?, null, ?, 0, 0, 0, '', "
        "timestamp '2025-01-10 00:00:00')",
        [day, f"shop/orders_{day}.csv", status],
    )


@pytest.fixture
def orders(tmp_path):
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_raw_table(con, ORDERS)
        con.execute(
            """
            insert into raw.shop__orders (id, status, amount, created_at, _partition) values
            -- 1 Jan, the first (initial) file: old records, never judged on timeliness.
            ('a', 'open', 10, '2024-11-01 10:00:00', '2025-01-01'),
            ('b', 'open', 20, '2024-12-01 10:00:00', '2025-01-01'),
            -- 2 Jan: e valid; f a negative amount; g delivered twice, unchanged; h created
            -- 29 Dec 10:00 UTC, 115 h before its partition closes (3 Jan 00:00 New York =
            -- 05:00 UTC), beyond the 50 h SLA.
            ('e', 'open', 30, '2025-01-02 12:00:00', '2025-01-02'),
            ('f', 'open', -5, '2025-01-02 13:00:00', '2025-01-02'),
            ('g', 'closed', 40, '2025-01-02 14:00:00', '2025-01-02'),
            ('g', 'closed', 40, '2025-01-02 14:00:00', '2025-01-02'),
            ('h', 'open', 50, '2024-12-29 10:00:00', '2025-01-02')
            """
        )
        # One more line of the 2 Jan file could not be read at all.
        con.execute(
            f"insert into {QUARANTINE_TABLE} values ('raw.shop__orders', '2025-01-02', "
            "'shop/orders_2025-01-02.csv', 7, 'CAST (amount): bad', 'x', now())"
        )
        _log(con, "2025-01-01", "loaded")
        _log(con, "2025-01-02", "loaded")
        _log(con, "2025-01-03", "missing")
    return database


def _run(database, tmp_path, standards, as_of):
    return run_quality(
        database, {ORDERS: standards}, [], LoadDays(), as_of, "run-1", tmp_path / "docs", TZ
    )


def _failures(verdict) -> dict:
    return {f.rule: (round(f.worst, 4), f.failing_days) for f in verdict.failures}


def test_accuracy_rules_are_judged_per_load_day(orders, tmp_path):
    run = _run(orders, tmp_path, {"accuracy"}, datetime(2025, 1, 5, 6))
    verdict = run.verdicts[("shop__orders", "gx_accuracy")]
    # 2 Jan, 5 rows: amount -5 fails its range (4/5 = 0.8); both copies of g are an unchanged
    # duplicate in the file (3/5 = 0.6); rows passing every row rule: e and h (2/5 = 0.4);
    # lines loaded: 5 of 6 delivered lines (5/6 = 0.8333). All below the client domain's 99.5%.
    # 1 Jan passes everything; status values and column types are all valid.
    assert _failures(verdict) == {
        "amount_in_range": (0.8, ("2025-01-02",)),
        "no_duplicate_record_in_file": (0.6, ("2025-01-02",)),
        "all_row_rules": (0.4, ("2025-01-02",)),
        "lines_loaded": (0.8333, ("2025-01-02",)),
    }
    assert verdict.blocking_failed is False
    with duckdb.connect(str(orders), read_only=True) as con:
        types = con.execute(
            "select count(*), bool_and(passed) from quality.check_results "
            "where expectation like '%_type' and load_date is null"
        ).fetchone()
    assert types == (4, True)


def test_timeliness_judges_deliveries_and_late_records_against_the_partition_schedule(
    orders, tmp_path
):
    # as_of 5 Jan 06:00 UTC: the latest delivered partition (2 Jan) closed 3 Jan 05:00 UTC,
    # 49 h earlier, within the 50 h SLA.
    run = _run(orders, tmp_path, {"timeliness"}, datetime(2025, 1, 5, 6))
    # 2 Jan judges 4 records with a new created_at (e, f, g once, h): h is late, 3/4 = 0.75.
    # 3 Jan was due and never delivered.
    assert _failures(run.verdicts[("shop__orders", "gx_timeliness")]) == {
        "on_time_records": (0.75, ("2025-01-02",)),
        "delivered": (0.0, ("2025-01-03",)),
    }
    # Two hours later the latest delivery is 51 h old: beyond the SLA.
    later = _run(orders, tmp_path, {"timeliness"}, datetime(2025, 1, 5, 8))
    assert _failures(later.verdicts[("shop__orders", "gx_timeliness")])["freshness_lag_hours"] == (
        51.0,
        ("2025-01-02",),
    )


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_reconciliations_block_on_a_monthly_income_gap_and_an_unknown_customer(tmp_path):
    database = tmp_path / "w.duckdb"
    charges, refunds = get_extract("stripe.charges"), get_extract("stripe.refunds")
    ledger, subscriptions = (
        get_extract("quickbooks.gl_entries"),
        get_extract("stripe.subscriptions"),
    )
    contacts = get_extract("crm.contacts")
    with duckdb.connect(str(database)) as con:
        for extract in (charges, refunds, ledger, subscriptions, contacts):
            ensure_raw_table(con, extract)
        con.executemany(
            "insert into raw.stripe__charges (id, amount, status, created, _partition) "
            "values (?, ?, ?, ?, ?)",
            [("ch1", 10000, "succeeded", _epoch("2025-01-10 12:00:00"), "2025-01-10"),
             ("ch2", 5000, "succeeded", _epoch("2025-01-20 12:00:00"), "2025-01-20"),
             ("ch3", 2000, "failed", _epoch("2025-01-21 12:00:00"), "2025-01-21"),
             ("ch4", 20000, "succeeded", _epoch("2025-02-10 12:00:00"), "2025-02-10")],
        )  # fmt: skip
        con.execute(
            "insert into raw.stripe__refunds (id, amount, status, created, _partition) values "
            f"('re1', 1000, 'succeeded', {_epoch('2025-01-25 12:00:00')}, '2025-01-25')"
        )
        con.execute(
            """
            insert into raw.quickbooks__gl_entries
                (entry_id, "date", account_type, amount, _partition)
            values ('g1', '2025-01-10', 'income', -100.00, '2025-01-31'),
                   ('g2', '2025-01-20', 'income', -40.10, '2025-01-31'),
                   ('g3', '2025-01-20', 'operating_expense', 30.00, '2025-01-31'),
                   ('g4', '2025-02-10', 'income', -204.00, '2025-02-28')
            """
        )
        for day in ("2025-01-31", "2025-02-28"):
            con.execute(
                f"insert into {LOAD_LOG_TABLE} values ('raw.quickbooks__gl_entries', ?, 'f', "
                "null, 'loaded', 1, 1, 0, '', timestamp '2025-03-01 00:00:00')",
                [day],
            )
        con.execute(
            "insert into raw.crm__contacts (contact_id, status, stripe_customer_id, _partition) "
            "values ('CT1', 'client', 'cus_1', '2025-01-05')"
        )
        con.execute(
            "insert into raw.stripe__subscriptions (id, customer, status, livemode, _partition) "
            "values ('sub1', 'cus_1', 'active', true, '2025-01-05'), "
            "('sub2', 'cus_2', 'active', true, '2025-01-05')"
        )
    run = run_quality(
        database, {}, reconciliations(), LoadDays(), datetime(2025, 3, 1), "run-1",
        tmp_path / "docs", TZ,
    )  # fmt: skip
    income = run.verdicts[("quickbooks__gl_entries", "gx_reconciliation")]
    # January: Stripe 100 + 50 − 10 = 140.00, QuickBooks 140.10: 0.10 / 140 = 0.07% ≤ 0.1%.
    # February: Stripe 200.00, QuickBooks 204.00: 4 / 200 = 2% > 0.1%; fails, and blocks.
    assert _failures(income) == {"stripe_vs_quickbooks_income": (0.02, ("2025-02-28",))}
    assert income.blocking_failed is True
    # sub2's customer is no CRM client: 1 of 2 live subscriptions unmatched (0.5 > 0).
    customers = run.verdicts[("stripe__subscriptions", "gx_reconciliation")]
    assert _failures(customers) == {"crm_clients_vs_stripe_customers": (0.5, ("2025-01-05",))}
    with duckdb.connect(str(database), read_only=True) as con:
        recorded = con.execute(
            "select source, period_start, period_end, passed from quality.check_results "
            "where expectation = 'stripe_vs_quickbooks_income' order by source, period_start"
        ).fetchall()
    # Recorded against every extract the reconciliation reads, for the whole month.
    assert recorded == [
        (source, start, end, passed)
        for source in ("quickbooks__gl_entries", "stripe__charges", "stripe__refunds")
        for start, end, passed in (
            (date(2025, 1, 1), date(2025, 2, 1), True),
            (date(2025, 2, 1), date(2025, 3, 1), False),
        )
    ]
