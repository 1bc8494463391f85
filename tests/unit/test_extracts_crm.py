"""CRM and marketing extracts: the planted gaps show in the KPIs computed from the files.

A year at scale 0.1 (seed 42) is generated once; KPIs are computed with DuckDB over the CSV files,
deduplicated to the latest delivery per key as staging does, bucketed in the business time zone.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.extracts import crm
from orchestration.extracts.context import GenerationContext
from orchestration.extracts.world import build_world
from orchestration.ingest.loader import load_partitions

TZ = "America/New_York"
START, END = date(2025, 1, 1), date(2025, 12, 31)


def _extracts() -> dict:
    return {f"{e.source}.{e.name}": e for e in load_contract() if e.source in ("crm", "marketing")}


def _generate(root: Path, defects: bool, keys: tuple[str, ...] | None = None):
    world = build_world(0.1, 42, START, END, TZ)
    ctx = GenerationContext(world=world, landing_dir=root, defects=defects)
    extracts = _extracts()
    for key, writer in crm.WRITERS.items():
        if keys is None or key in keys:
            writer(ctx, extracts[key])
    return world, ctx


def _read(con: duckdb.DuckDBPyConnection, root: Path, key: str, name: str) -> None:
    """The extract's files as one table, latest delivery per primary key (as staging does)."""
    extract = _extracts()[key]
    columns = {c.name: c.data_type.upper() for c in extract.columns}
    keys = ", ".join(f'"{k}"' for k in extract.primary_key)
    files = str(root / extract.landing_path.replace("{date}", "*"))
    con.execute(
        f"""
        create table {name} as
        select * exclude (filename)
        from read_csv(?, header = true, auto_detect = false, columns = ?, filename = true)
        qualify row_number() over (partition by {keys} order by filename desc) = 1
        """,
        [files, columns],
    )


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("crm_clean")
    world, ctx = _generate(root, defects=False)
    con = duckdb.connect()
    con.execute(f"create macro loc(ts) as timezone('{TZ}', timezone('UTC', cast(ts as timestamp)))")
    for key in crm.WRITERS:
        _read(con, root, key, key.split(".")[1])
    yield world, ctx, con, root
    con.close()


def _gap(ctx, kpi_id: str, kind: str | None = None) -> dict:
    [gap] = [g for g in ctx.planted_gaps if g["kpi_id"] == kpi_id and g.get("kind") == kind]
    return gap


def test_every_writer_has_a_contract_extract_and_back():
    assert set(crm.WRITERS) == set(_extracts())


def test_cac_is_yellow_every_month(clean):
    _, ctx, con, _ = clean
    rows = con.execute(
        """
        with new_clients as (
            select date_trunc('month', loc(became_client_at)) as m, count(*) as n
            from contacts
            where became_client_at >= timestamp '2025-01-01 05:00:00'
              and not is_test and not is_deleted
            group by 1
        ),
        spend_by_month as (
            select date_trunc('month', "date") as m, sum(spend) as s from spend group by 1
        )
        select strftime(m, '%Y-%m'), s, n, s / n
        from spend_by_month join new_clients using (m)
        order by 1
        """
    ).fetchall()
    assert len(rows) == 12
    # Marketing spend per new client: spend is paced to the plan ($180 per planned client) and
    # clients arrive 20% short: 180 / 0.8 = 225, ±4% pacing noise → 216..234. The ledger's sales
    # costs (commissions $55 a client + sales tools) add the rest of the catalogue's CAC, which
    # lands yellow (300 <= v < 375; $356 in the scale-1 demo, asserted end to end in
    # tests/integration/test_pipeline_generated.py against this planted truth).
    for month, _, _, cac in rows:
        assert 210 <= cac < 240, (month, cac)
    year = sum(r[1] for r in rows) / sum(r[2] for r in rows)
    assert 220 <= year <= 230, year
    planted = _gap(ctx, "cac")
    assert planted["expected_status"] == ["yellow"]
    assert planted["measured_cac_from_marketing_spend"] == {
        month: pytest.approx(cac, abs=0.01) for month, _, _, cac in rows
    }


def test_lead_conversion_is_15_percent_below_target(clean):
    _, ctx, con, _ = clean
    converted, leads = con.execute(
        """
        select count(*) filter (where became_client_at <= created_at + interval 90 day), count(*)
        from contacts
        where not is_test and not is_deleted and lead_source <> 'partner_import'
          and (became_client_at is null or became_client_at > created_at)
          and loc(created_at) >= date '2025-01-01' and loc(created_at) < date '2025-10-01'
        """
    ).fetchone()
    # Mature cohorts Jan–Sep (90-day window inside the year). Target 20% × (1 − 15%) = 17%;
    # at scale 0.1 about 64 clients sign from these cohorts, so ±2 points of sampling noise.
    # Measured at seed 42: 66 / 370 = 17.84%.
    rate = 100 * converted / leads
    assert 15.0 <= rate <= 19.0, (converted, leads, rate)
    planted = _gap(ctx, "lead_to_sale_conversion_rate")
    assert planted["expected_status"] == ["no_target"]
    assert planted["measured_pct"] == pytest.approx(rate, abs=0.01)


def test_leads_are_20_percent_below_plan_and_seasonal(clean):
    _, ctx, con, _ = clean
    monthly = dict(
        con.execute(
            """
            select month(loc(created_at)), count(distinct lower(email))
            from contacts
            where not is_test and not is_deleted and lead_source <> 'partner_import'
              and loc(created_at) >= date '2025-01-01'
            group by 1
            """
        ).fetchall()
    )
    planted = _gap(ctx, "leads_generated")
    planned = planted["planned_per_month"]
    # leads_generated (deduplicated on email) / plan = 1 − 20% in every month (±1 lead rounding).
    for month, count in monthly.items():
        assert count / planned[f"2025-{month:02d}"] == pytest.approx(0.8, abs=0.03), month
    # Seasonality per day: Jan–Mar 1.25 × Apr–Oct; Nov–Dec 0.85 ×. Measured 1.251 and 0.843.
    q1 = sum(monthly[m] for m in (1, 2, 3)) / 90
    base = sum(monthly[m] for m in range(4, 11)) / 214
    low = sum(monthly[m] for m in (11, 12)) / 61
    assert 1.15 <= q1 / base <= 1.35
    assert 0.75 <= low / base <= 0.95
    assert _gap(ctx, "leads_generated", "seasonal")["expected_status"] == sorted(
        ["green", "yellow", "red", "no_target"]
    )


def test_web_sessions_are_seasonal_and_convert_at_2_5_percent(clean):
    _, ctx, con, _ = clean
    sessions = dict(
        con.execute(
            "select month(loc(started_at)), count(*) from web_sessions group by 1"
        ).fetchall()
    )
    forms = con.execute("select count(*) from lead_forms").fetchone()[0]
    q1 = sum(sessions[m] for m in (1, 2, 3)) / 90
    base = sum(sessions[m] for m in range(4, 11)) / 214
    assert q1 / base == pytest.approx(1.25, abs=0.03)  # measured 1.250
    # website_lead_conversion_rate = forms / sessions × 100 ≈ VISITOR_TO_LEAD (2.5%).
    assert 100 * forms / sum(sessions.values()) == pytest.approx(2.5, abs=0.2)
    assert _gap(ctx, "website_sessions", "seasonal")["measured_q1_vs_apr_oct"] == pytest.approx(
        q1 / base, abs=0.001
    )


def test_clean_extracts_agree_with_the_world_and_each_other(clean):
    world, ctx, con, _ = clean
    assert ctx.planted_defects == []
    clients = con.execute(
        "select client_id, stripe_customer_id from contacts where status = 'client'"
    ).fetchall()
    assert sorted(clients) == sorted((c.client_id, c.stripe_customer_id) for c in world.clients)
    orphans = con.execute(
        """
        select
            (select count(*) from opportunities
             where lead_id not in (select contact_id from contacts)),
            (select count(*) from lead_forms
             where lead_id not in (select contact_id from contacts)),
            (select count(*) from lead_forms
             where session_id not in (select session_id from web_sessions)),
            (select count(*) from contacts where became_client_at < created_at),
            (select count(*) from spend where spend < 0)
        """
    ).fetchone()
    assert orphans == (0, 0, 0, 0, 0)
    agents = {e.employee_id for e in world.staff("sales_agent")}
    owners = {r[0] for r in con.execute("select distinct owner_id from opportunities").fetchall()}
    assert owners <= agents


def test_defects_are_planted_and_caught(tmp_path):
    _, ctx = _generate(tmp_path, defects=True, keys=("crm.contacts",))
    extract = _extracts()["crm.contacts"]
    con = duckdb.connect()
    results = load_partitions(con, extract, tmp_path, [d.isoformat() for d in ctx.world.days()])
    planted = {d["kind"]: d for d in ctx.planted_defects}
    assert set(planted) == {"null_values", "duplicate_rows", "redelivered_rows", "malformed_rows"}
    # Ingest quarantine: exactly the three malformed lines, in the planted file.
    quarantined = [(r.partition_key, r.rows_quarantined) for r in results if r.rows_quarantined]
    assert quarantined == [(planted["malformed_rows"]["partition"], 3)]
    # In-file duplicates: (contact_id, _partition) not unique on exactly the planted rows.
    in_file = con.execute(
        "select count(*) from (select contact_id, _partition from raw.crm__contacts "
        "group by all having count(*) > 1)"
    ).fetchone()[0]
    assert in_file == planted["duplicate_rows"]["rows"] >= 3
    # In-file duplicates plus re-delivered rows break the version key (contact_id, updated_at).
    versions = con.execute(
        "select count(*) from (select contact_id, updated_at from raw.crm__contacts "
        "group by all having count(*) > 1)"
    ).fetchone()[0]
    assert versions == in_file + planted["redelivered_rows"]["rows"]
    # Completeness of lead_source (primary, 95%) fails on load days of the planted month.
    shares = con.execute(
        "select _partition, count(lead_source) / count(*) from raw.crm__contacts group by 1"
    ).fetchall()
    failing = {str(day) for day, share in shares if share < 0.95}
    assert set(planted["null_values"]["days_below_95pct"]) == failing
    assert any(day.startswith(planted["null_values"]["month"]) for day in failing)
    json.dumps(ctx.planted_defects)  # the truth file must be serialisable
