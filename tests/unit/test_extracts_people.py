"""Dialer and HR extracts: the planted turnover gap, the dialer funnel and the HR KPIs, computed
from the generated files exactly as the catalogue defines them.

A year at scale 0.1 (seed 42) is generated once; the CSV files are read with DuckDB, deduplicated
to the latest delivery per key as staging does, and bucketed in the business time zone.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.extracts import dialer, hr
from orchestration.extracts.context import GenerationContext
from orchestration.extracts.world import build_world
from orchestration.ingest.loader import load_partitions
from orchestration.settings import DBT_PROJECT_DIR

TZ = "America/New_York"
START, END = date(2025, 1, 1), date(2025, 12, 31)
WRITERS = {**hr.WRITERS, **dialer.WRITERS}


def _extracts() -> dict:
    return {f"{e.source}.{e.name}": e for e in load_contract() if e.source in ("dialer", "hr")}


def _generate(root: Path, defects: bool, scale: float = 0.1, keys=tuple(WRITERS)):
    world = build_world(scale, 42, START, END, TZ)
    ctx = GenerationContext(world=world, landing_dir=root, defects=defects)
    extracts = _extracts()
    for key in keys:
        WRITERS[key](ctx, extracts[key])
    return ctx


def _read(con: duckdb.DuckDBPyConnection, root: Path, key: str) -> None:
    """The extract's files as one table, latest delivery per primary key (as staging does)."""
    extract = _extracts()[key]
    columns = {c.name: c.data_type.upper() for c in extract.columns}
    keys = ", ".join(f'"{k}"' for k in extract.primary_key)
    con.execute(
        f"""
        create table {extract.name} as
        select * exclude (filename)
        from read_csv(?, header = true, auto_detect = false, columns = ?, filename = true,
                      ignore_errors = true)  -- malformed lines are the loader's business
        qualify row_number() over (partition by {keys} order by filename desc) = 1
        """,
        [str(root / extract.landing_path.replace("{date}", "*")), columns],
    )


def _connect(root: Path, keys=tuple(WRITERS)) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"create macro loc(ts) as timezone('{TZ}', timezone('UTC', cast(ts as timestamp)))")
    for key in keys:
        _read(con, root, key)
    return con


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("people_clean")
    ctx = _generate(root, defects=False)
    con = _connect(root)
    con.execute(
        """
        create view sales_calls as
        select c.*, cast(loc(c.started_at) as date) as day
        from calls as c join employees as e on e.employee_id = c.agent_id
        where e.role = 'sales_agent'
        """
    )
    yield ctx, con, root
    con.close()


def test_every_writer_has_a_contract_extract_and_back():
    assert set(WRITERS) == set(_extracts())


def _turnover(con: duckdb.DuckDBPyConnection) -> tuple[int, float, float]:
    """employee_turnover_rate for 2025 (catalogue §2.4): terminations by termination_date /
    avg_hc x 100 x 12/12, avg_hc = mean headcount over 2024-12-31 and the 12 month-ends."""
    return con.execute(
        """
        with month_ends as (
            select date '2024-12-31' as d
            union all
            select last_day(make_date(2025, cast(m as integer), 1)) from range(1, 13) as r(m)
        ),
        hc as (
            select m.d, count(e.employee_id) as hc
            from month_ends as m
            left join employees as e
              on e.hire_date <= m.d and (e.termination_date is null or m.d <= e.termination_date)
            group by m.d
        )
        select (select count(*) from employees where year(termination_date) = 2025),
               (select avg(hc) from hc),
               100.0 * (select count(*) from employees where year(termination_date) = 2025)
                     / (select avg(hc) from hc)
        """
    ).fetchone()


def _band(value: float) -> str:
    """Target <= benchmark 20 (seed kpi_params.turnover_benchmark_pct), red >= 1.25 x 20."""
    return "green" if value <= 20 else "red" if value >= 25 else "yellow"


def test_turnover_gap_is_planted_and_measured(clean):
    ctx, con, _ = clean
    leavers, avg_hc, value = _turnover(con)
    [gap] = [g for g in ctx.planted_gaps if g["kpi_id"] == "employee_turnover_rate"]
    # Scale 0.1 has 12 seats: 3 leavers / 12.0 average headcount = 25.0% a year, exactly the
    # red bound: the world's rounding of 2.8 leavers to 3 (scale 0.5 and 1 are yellow, below).
    assert (leavers, avg_hc, value) == (3, 12.0, 25.0)
    assert gap["grain"] == "year" and gap["department"] is None
    assert gap["measured_value"] == pytest.approx(value)
    assert gap["expected_status"] == [_band(value)] == ["red"]


def test_turnover_is_eighteen_percent_above_benchmark_at_larger_scale(tmp_path):
    # Scale 0.5: 7 leavers / 31.62 average headcount = 22.1% (benchmark 20 -> yellow; the world
    # plants 23.6%, i.e. 18% above 20, diluted by the 21-day vacancies).
    ctx = _generate(tmp_path, defects=False, scale=0.5, keys=("hr.employees",))
    con = _connect(tmp_path, keys=("hr.employees",))
    leavers, _, value = _turnover(con)
    assert leavers == 7
    assert value == pytest.approx(22.14, abs=0.01)
    assert 20 < value < 25
    [gap] = [g for g in ctx.planted_gaps if g["kpi_id"] == "employee_turnover_rate"]
    assert gap["expected_status"] == ["yellow"]


def test_dialer_kpis_are_on_target_every_month(clean):
    _, con, _ = clean
    rows = con.execute(
        """
        with agent_days as (
            select agent_id, day, sum(duration_s) as talk_s from sales_calls group by all
        ),
        talk as (  -- talk_time_per_hour: agent-days with calls and a time entry (§10.12)
            select month(a.day) as m, sum(a.talk_s) / 60 / sum(t.hours_worked) as tph
            from agent_days as a
            join time_entries as t on t.employee_id = a.agent_id and t.date = a.day
            group by all
        )
        select month(day) as m,
               100.0 * count(*) filter (engaged and quoted) / count(*) filter (engaged),
               100.0 * count(*) filter (quoted and application_submitted)
                     / count(*) filter (quoted),
               100.0 * count(*) filter (sale_closed) / count(*) filter (engaged),
               sum(duration_s) / count(*) filter (duration_s > 0) / 60,
               any_value(talk.tph)
        from sales_calls join talk on talk.m = month(day)
        group by all order by m
        """
    ).fetchall()
    assert len(rows) == 12
    for month, quote, application, close, minutes, tph in rows:
        # Targets (catalogue §2.3, §3): quote >= 70, application >= 40, close >= 10 (floor),
        # average call 6-8 min, talk time >= 35 min per logged hour; the generator aims at
        # ~74 / ~48 / ~12 / ~7 / ~40 (~45 in January-March).
        assert 70 <= quote <= 85, (month, quote)
        assert 40 <= application <= 60, (month, application)
        assert 10 <= close <= 20, (month, close)  # > 15 is still green (flag above_band)
        assert 6 <= minutes <= 8, (month, minutes)
        assert 35 <= tph <= 52, (month, tph)


def test_call_volumes_are_twenty_percent_higher_in_january_to_march(clean):
    ctx, con, _ = clean
    peak, rest = con.execute(
        """
        select count(*) filter (month(day) <= 3) / count(distinct (agent_id, day))
                   filter (month(day) <= 3),
               count(*) filter (month(day) > 3) / count(distinct (agent_id, day))
                   filter (month(day) > 3)
        from sales_calls
        """
    ).fetchone()
    # ~240 vs ~200 dials per agent-day: x 1.2.
    assert 1.1 <= peak / rest <= 1.3
    [seasonal] = [g for g in ctx.planted_gaps if g.get("kind") == "seasonal"]
    assert seasonal["factor"] == pytest.approx(peak / rest, abs=1e-3)


def test_intervention_triggers_fire_on_some_agent_days(clean):
    _, con, _ = clean
    short, unquoted, no_application, days = con.execute(
        """
        with s as (
            select *, row_number() over (partition by agent_id, day order by started_at) as n
            from sales_calls
        ),
        runs as (  -- consecutive engaged-unquoted and quoted-without-application runs (§6)
            select agent_id, day, kind, count(*) as run
            from (
                select agent_id, day, kind, hit,
                       row_number() over (partition by agent_id, day, kind order by n)
                       - row_number() over (partition by agent_id, day, kind, hit order by n) as g
                from (
                    select agent_id, day, n, 't2' as kind, not coalesce(quoted, false) as hit
                    from s where engaged
                    union all
                    select agent_id, day, n, 't3', not coalesce(application_submitted, false)
                    from s where quoted
                )
            )
            where hit group by agent_id, day, kind, g
        ),
        agent_days as (
            select agent_id, day,
                   count(*) filter (duration_s > 0 and duration_s < 60) >= 7 as short
            from s group by all
        )
        select avg(short::int),
               avg(((select max(run) from runs r where r.kind = 't2' and r.agent_id = a.agent_id
                     and r.day = a.day) >= 4)::int),
               avg(((select max(run) from runs r where r.kind = 't3' and r.agent_id = a.agent_id
                     and r.day = a.day) >= 6)::int),
               count(*)
        from agent_days as a
        """
    ).fetchone()
    assert days > 400
    # Each trigger fires on some days but far from every day (scale 1: ~7%, ~5%, ~7%).
    for share in (short, unquoted, no_application):
        assert 0.01 <= (share or 0) <= 0.2, (short, unquoted, no_application)


def test_clean_calls_and_time_entries_agree(clean):
    _, con, _ = clean
    no_entry, max_tph, bad_hours, violations, nulls = con.execute(
        """
        with a as (select agent_id, day, sum(duration_s) as talk_s from sales_calls group by all)
        select count(*) filter (t.entry_id is null),
               max(a.talk_s / 60 / t.hours_worked),
               (select count(*) from time_entries where productive_hours > hours_worked),
               (select count(*) from calls
                where coalesce(sale_closed, false) and not coalesce(application_submitted, false)
                   or coalesce(application_submitted, false) and not coalesce(quoted, false)
                   or coalesce(quoted, false) and not coalesce(engaged, false)),
               (select avg((engaged is null)::int) from calls)
        from a left join time_entries as t on t.employee_id = a.agent_id and t.date = a.day
        """
    ).fetchone()
    assert no_entry == 0 and bad_hours == 0 and violations == 0
    assert max_tph < 60  # catalogue §3: more than 60 talk minutes per hour is impossible
    assert 0 < nulls < 0.05  # null flags exist (null = false) within the secondary tier's 10%


def test_hr_kpis_have_realistic_values(clean):
    _, con, _ = clean
    training, certified, promotion, reviews = con.execute(
        """
        select
          (select 100.0 * count(*) filter (completed_at <= due_at) / count(*)
           from training_assignments as t join employees as e using (employee_id)
           where year(loc(due_at)) = 2025 and t.due_at <= timestamp '2025-12-31'
             and (e.termination_date is null or e.termination_date >= cast(loc(t.due_at) as date))),
          (select 100.0 * count(*) filter (c.required and c.expires_at > date '2025-12-31')
                        / count(*) filter (c.required)
           from certifications as c join employees as e using (employee_id)
           where e.termination_date is null or e.termination_date >= date '2025-12-31'),
          (select 100.0 * (select count(*) from promotions)
                / ((select count(*) from promotions)
                   + (select count(*) from employees where year(hire_date) = 2025))),
          (select avg(score) from performance_reviews)
        """
    ).fetchone()
    assert training > 95  # training_completion_rate target > 95 (96.5% on time by design)
    assert certified == 100  # certification_maintenance_rate: required ones always renewed
    assert promotion > 20  # internal_promotion_rate: 1 promotion / (1 + 3 hires) = 25%
    assert 4.0 < reviews < 4.6  # performance_review_score target > 4.0


def test_company_holidays_match_the_holidays_seed():
    seed = DBT_PROJECT_DIR.parent / "seeds" / "holidays.csv"
    with seed.open() as handle:
        listed = {date.fromisoformat(row["holiday_date"]) for row in csv.DictReader(handle)}
    years = sorted({d.year for d in listed})[:-1]  # the last year's 31 Dec is next year's
    computed = set().union(*(hr.company_holidays(y) for y in years))
    assert computed == {d for d in listed if d.year in years}


def test_defects_are_planted_where_recorded(tmp_path):
    ctx = _generate(tmp_path, defects=True)
    defects = {d["kind"]: d for d in ctx.planted_defects if d["kind"] != "malformed_rows"}
    malformed = [d for d in ctx.planted_defects if d["kind"] == "malformed_rows"]
    assert len(malformed) == 2 and all(d["rows"] == 2 for d in malformed)

    calls = _extracts()["dialer.calls"]
    con = duckdb.connect()
    results = load_partitions(con, calls, tmp_path, [d["partition"] for d in malformed])
    assert sum(r.rows_quarantined for r in results) == 4
    reasons = [r for (r,) in con.execute("select reason from raw.quarantine").fetchall()]
    assert sum("duration_s" in r for r in reasons) == 2

    con = _connect(tmp_path, keys=("dialer.calls", "hr.time_entries"))
    funnel = defects["funnel_violation"]
    by_day = con.execute(
        """
        select cast(loc(started_at) as date),
               count(*) filter (sale_closed and not coalesce(quoted, false)),
               count(*)
        from calls
        group by all
        having count(*) filter (sale_closed and not coalesce(quoted, false)) > 0
        """
    ).fetchall()
    assert sorted(d.isoformat() for d, _, _ in by_day) == funnel["partitions"]
    assert sum(v for _, v, _ in by_day) == funnel["rows"]
    for _, violations, rows in by_day:
        assert violations / rows > 0.01  # operational accuracy < 99% on those load days

    excess = defects["productive_hours_above_hours_worked"]
    found = con.execute(
        "select entry_id from time_entries where productive_hours > hours_worked order by 1"
    ).fetchall()
    assert [e for (e,) in found] == excess["entry_ids"]

    missing = defects["agent_day_without_time_entry"]
    [(agent, day)] = con.execute(
        """
        select distinct c.agent_id, cast(loc(c.started_at) as date)
        from calls as c
        left join time_entries as t
          on t.employee_id = c.agent_id and t.date = cast(loc(c.started_at) as date)
        where t.entry_id is null
        """
    ).fetchall()
    assert (agent, day.isoformat()) == (missing["employee_id"], missing["partition"])
