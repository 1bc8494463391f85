"""The thin slice end to end through Dagster: Stripe extract → raw → staging → MRR → scorecard.

Every asset of the code location is materialised in-process (ingest for a partition range in
one run, then dbt and the checks), and MRR is compared with values computed by hand.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.refresh import refresh

pytestmark = pytest.mark.e2e


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _sub(sub_id, amount_cents, interval, start, *, quantity=1, status="active", ended=None,
         trial_end=None, livemode=True):  # fmt: skip
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": f"cus_{sub_id}",
        "status": status,
        "created": _epoch(start),
        "start_date": _epoch(start),
        "trial_end": _epoch(trial_end) if trial_end else None,
        "canceled_at": _epoch(ended) if ended else None,
        "ended_at": _epoch(ended) if ended else None,
        "cancellation_details": {"reason": "cancellation_requested" if ended else None},
        "items": {
            "data": [
                {
                    "quantity": quantity,
                    "price": {
                        "unit_amount": amount_cents,
                        "currency": "usd",
                        "recurring": {"interval": interval, "interval_count": 1},
                    },
                }
            ]
        },
        "livemode": livemode,
    }


def _write_day(landing: Path, day: str, objects: list[dict]) -> None:
    path = landing / f"stripe/subscriptions/subscriptions_{day}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(o) + "\n" for o in objects))


@pytest.fixture
def stripe_fixture(isolated_data_dir: Path) -> Path:
    landing = isolated_data_dir / "landing"
    a = _sub("A", 10000, "month", "2024-12-15 12:00:00")
    _write_day(
        landing,
        "2025-01-01",
        [
            a,
            _sub("B", 120000, "year", "2025-01-10 15:00:00"),
            _sub("C", 3000, "week", "2025-01-01 15:00:00"),
            # Ends exactly at January's t1 (2025-02-01 00:00 EST = 05:00 UTC): live at t1 (§10.1).
            _sub(
                "G",
                1000,
                "month",
                "2024-11-01 12:00:00",
                status="canceled",
                ended="2025-02-01 05:00:00",
            ),
            _sub("F", 50000, "month", "2024-12-01 12:00:00", livemode=False),  # test mode
        ],
    )
    # A is cancelled on 20 Feb: its later version replaces the first one in staging.
    a_ended = _sub("A", 10000, "month", "2024-12-15 12:00:00", status="canceled",
                   ended="2025-02-20 17:00:00")  # fmt: skip
    _write_day(landing, "2025-02-20", [a_ended])
    _write_day(
        landing,
        "2025-03-05",
        [
            _sub(
                "D",
                5000,
                "month",
                "2025-03-05 14:00:00",
                quantity=2,
                trial_end="2025-03-20 14:00:00",
            ),
            _sub("E", 99900, "month", "2025-03-05 14:00:00", status="incomplete"),
        ],
    )
    _write_crm_clients(landing, "2025-01-01", ["A", "B", "C", "D", "E", "F", "G"])
    return landing


def _write_crm_clients(landing: Path, day: str, sub_ids: list[str]) -> None:
    """CRM contacts for the subscriptions' customers: the CRM↔Stripe reconciliation blocks the
    marts when a live subscription has no CRM client, as it should."""
    header = (
        "contact_id,created_at,updated_at,status,became_client_at,lead_source,campaign,"
        "lost_reason,first_name,last_name,email,phone,client_id,stripe_customer_id,goal_score,"
        "goal_status,goal_achieved_at,owner_id,is_test,is_deleted"
    )
    rows = [
        f"CT{i},2024-10-01 09:00:00,2024-10-02 09:00:00,client,2024-10-02 09:00:00,referral,,,"
        f"Ann,Lee,ann{i}@example.com,+1-555-000-000{i},C{i},cus_{sub_id},700,in_progress,,"
        "E00001,false,false"
        for i, sub_id in enumerate(sub_ids)
    ]
    path = landing / f"crm/contacts/contacts_{day}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n")


def test_mrr_by_month_through_dagster(stripe_fixture, dbt_manifest, isolated_data_dir, monkeypatch):
    # as_of = 2025-04-01 06:00 EDT, the daily refresh of 1 April: Jan-Mar closed, April open.
    monkeypatch.setenv("SCORECARD_AS_OF", "2025-04-01 10:00:00")
    monkeypatch.setenv("SCORECARD_PARTITIONS_START", "2025-01-01")
    result = refresh("2025-01-01", "2025-03-31", instance=dg.DagsterInstance.ephemeral())
    assert len(result.run_ids) == 1  # ingest range and everything downstream, one run

    con = duckdb.connect(str(isolated_data_dir / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        """
        select period_start::varchar, value, numerator, status, is_partial, gap
        from marts.fct_kpi_observations
        where kpi_id = 'mrr' and grain = 'month' and entity_type = 'company'
        order by period_start
        """
    ).fetchall()
    quarter = con.execute(
        "select value from marts.fct_kpi_observations "
        "where kpi_id = 'mrr' and grain = 'quarter' and period_start = '2025-01-01'"
    ).fetchone()
    scorecard = con.execute(
        "select status, target_value from marts.mart_balanced_scorecard "
        "where kpi_id = 'mrr' and grain = 'month' and period_start = '2025-03-01'"
    ).fetchone()
    loaded = con.execute("select count(*) from raw.stripe__subscriptions").fetchone()
    con.close()

    # sub_mrr: A 100; B 1200/12 = 100; C 30 x 52/12 = 130; G 10; D 50 x 2 = 100 once its trial
    # ends (20 Mar); E is incomplete and F is test mode: never counted.
    # Jan t1: A + B + C + G = 100 + 100 + 130 + 10 = 340 (G ends exactly at t1, still live).
    # Feb t1: A ended 20 Feb, G ended 1 Feb: B + C = 230.
    # Mar t1: B + C + D = 100 + 130 + 100 = 330. April is open: read at as_of, also 330.
    assert [(r[0], round(r[1], 6)) for r in rows] == [
        ("2025-01-01", 340.0),
        ("2025-02-01", 230.0),
        ("2025-03-01", 330.0),
        ("2025-04-01", 330.0),
    ]
    assert all(r[2] == r[1] for r in rows)  # point-in-time: the numerator is the balance
    # Target > 500,000 and red flag <= 375,000 (seeds/kpi_definitions.csv): all red.
    assert {r[3] for r in rows} == {"red"}
    assert [r[4] for r in rows] == [False, False, False, True]
    assert round(rows[0][5], 6) == 340 - 500000  # higher_is_better gap = value - target
    assert round(quarter[0], 6) == 330.0  # Q1 = the value at its last instant
    assert scorecard == ("red", 500000.0)
    assert loaded == (8,)  # 5 + 1 + 2 lines: every delivered version is kept in raw

    # The analytics snapshot holds the marts only (no raw data, no PII), with the same rows.
    snapshot = duckdb.connect(str(isolated_data_dir / "analytics.duckdb"), read_only=True)
    schemas = {
        r[0]
        for r in snapshot.execute("select distinct schema_name from duckdb_tables()").fetchall()
    }
    published = snapshot.execute(
        "select period_start::varchar, value from marts.fct_kpi_observations "
        "where kpi_id = 'mrr' and grain = 'month' order by period_start"
    ).fetchall()
    snapshot.close()
    assert schemas == {"marts"}
    assert [(p, round(v, 6)) for p, v in published] == [(r[0], round(r[1], 6)) for r in rows]
    assert (isolated_data_dir / "analytics_parquet" / "fct_kpi_observations.parquet").exists()
