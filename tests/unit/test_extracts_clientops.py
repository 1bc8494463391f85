"""Client-operations extracts carry the planted gaps at their planned size.

One year at scale 0.1 is generated for support and disputes; every number is recomputed from the
CSV files (each record's latest delivery, as staging keeps it) with the catalogue's formula, in
the business time zone, with business hours from seeds business_calendar and holidays.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from orchestration.contract import get_extract
from orchestration.extracts import disputes, support
from orchestration.extracts.context import GenerationContext
from orchestration.extracts.world import build_world
from orchestration.settings import SEEDS_DIR

TZ_NAME = "America/New_York"
TZ = ZoneInfo(TZ_NAME)
START, END = date(2025, 1, 1), date(2025, 12, 31)
MONTHS = [date(2025, m, 1) for m in range(1, 13)]


def _generate(tmp: Path, defects: bool, keys: list[str]) -> GenerationContext:
    world = build_world(0.1, 42, START, END, TZ_NAME)
    ctx = GenerationContext(world=world, landing_dir=tmp / "landing", defects=defects)
    writers = {**support.WRITERS, **disputes.WRITERS}
    for key in keys:
        writers[key](ctx, get_extract(key))
    return ctx


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> GenerationContext:
    return _generate(
        tmp_path_factory.mktemp("clientops"), False, ["support.tickets", "disputes.disputes"]
    )


def _deliveries(landing: Path, folder: str) -> list[tuple[date, dict]]:
    """(partition, row) for every row of every daily file, in partition order."""
    out = []
    for path in sorted((landing / folder).glob("*.csv")):
        partition = date.fromisoformat(path.stem.rsplit("_", 1)[1])
        with path.open(newline="", encoding="utf-8") as handle:
            out.extend((partition, row) for row in csv.DictReader(handle))
    return out


def _latest(landing: Path, folder: str, key: str) -> list[dict]:
    rows: dict[str, dict] = {}
    for _, row in _deliveries(landing, folder):
        rows[row[key]] = row  # later partitions overwrite earlier ones
    return list(rows.values())


def _local(text: str) -> datetime:
    """A CSV naive-UTC timestamp as business-time wall clock."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).astimezone(TZ).replace(tzinfo=None)


def _holidays() -> set[date]:
    with (SEEDS_DIR / "holidays.csv").open(newline="") as handle:
        return {date.fromisoformat(row["holiday_date"]) for row in csv.DictReader(handle)}


def _business_hours(start: datetime, end: datetime, holidays: set[date]) -> float:
    """bh(a, b), catalogue §1.1: Mon-Fri 09:00-17:00 business time, holidays excluded."""
    total, day = 0.0, start.date()
    while day <= end.date():
        if day.weekday() < 5 and day not in holidays:
            lo = max(start, datetime.combine(day, time(9)))
            hi = min(end, datetime.combine(day, time(17)))
            total += max(0.0, (hi - lo).total_seconds() / 3600)
        day += timedelta(days=1)
    return total


def _month(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


def _monthly_mean(pairs: list[tuple[date, float]]) -> dict[date, float]:
    sums: dict[date, list[float]] = defaultdict(list)
    for month, value in pairs:
        sums[month].append(value)
    return {m: sum(v) / len(v) for m, v in sums.items()}


def test_response_time_to_inquiries_is_planted_slow(clean):
    # Catalogue: mean bh(created_at, first_response_at) over all tickets by first_response_at;
    # target < 2 business hours, red >= 2.5 (1.25 x 2). GAP §3C "25% slower": 2 x 1.25 = 2.5,
    # so every month is yellow (2 <= v < 2.5) or red (v >= 2.5), never green (v < 2).
    holidays = _holidays()
    pairs = []
    for row in _latest(clean.landing_dir, "support/tickets", "ticket_id"):
        if row["first_response_at"]:
            created, responded = _local(row["created_at"]), _local(row["first_response_at"])
            pairs.append((_month(responded), _business_hours(created, responded, holidays)))
    means = _monthly_mean(pairs)
    for month in MONTHS:
        assert means[month] >= 2.0, (month, means[month])  # not green
        assert means[month] == pytest.approx(2.5, abs=0.02), (month, means[month])


def test_complaint_resolution_time_is_planted_red_until_the_actions_fix_it(clean):
    # Catalogue: mean hr(created_at, resolved_at) over complaint tickets by resolved_at; target
    # < 24 h, red >= 30 (1.25 x 24). GAP §3C "30% longer": planned 31.5 h >= 30, red every month
    # until the complaint actions (raised at 30% of the year: window_day(0.30) = Mon 21 Apr)
    # take effect 35 days later (26 May): from the first month after, June, the planned mean is
    # 20 h (< 24, green).
    pairs = [
        (
            _month(_local(row["resolved_at"])),
            (
                datetime.fromisoformat(row["resolved_at"])
                - datetime.fromisoformat(row["created_at"])
            ).total_seconds()
            / 3600,
        )
        for row in _latest(clean.landing_dir, "support/tickets", "ticket_id")
        if row["is_complaint"] == "true" and row["resolved_at"]
    ]
    means = _monthly_mean(pairs)
    for month in MONTHS[:5]:
        assert means[month] >= 30, (month, means[month])
        assert means[month] == pytest.approx(31.5, abs=0.05), (month, means[month])
    for month in MONTHS[5:]:
        assert means[month] < 24, (month, means[month])
        assert means[month] == pytest.approx(20.0, abs=0.05), (month, means[month])


def test_dispute_success_rate_declines_inside_its_target(clean):
    # Catalogue: count(removed, updated) / count(removed, updated, verified) x 100 by
    # resolved_at; target > 85. Planned: ~91 through July, then 92.4 (Aug), 91.1, 89.7, 88.3,
    # 86.9 (Dec): each month worse than the last by more than the materiality 1% x 85 = 0.85
    # points, four declines in a row (trend "declining", §8) while every month stays green.
    resolved: dict[date, list[bool]] = defaultdict(list)
    for row in _latest(clean.landing_dir, "disputes/disputes", "dispute_id"):
        if row["outcome"] != "pending":
            resolved[_month(_local(row["resolved_at"]))].append(
                row["outcome"] in ("removed", "updated")
            )
    rate = {m: 100 * sum(v) / len(v) for m, v in resolved.items()}
    for month in MONTHS:
        assert rate[month] > 85, (month, rate[month])
    for month in MONTHS[:7]:
        assert 88 <= rate[month] <= 93, (month, rate[month])
    tail = [rate[m] for m in MONTHS[-5:]]
    assert all(later < earlier - 0.85 for earlier, later in pairwise(tail))
    assert tail[-1] == pytest.approx(86.9, abs=0.3)


def test_disputes_per_specialist_day_and_processing_time_stay_green(clean):
    # disputes_per_specialist_per_day: disputes by date(opened_at) / specialist days worked
    # (target > 25; each working specialist opens 25-31, mean 28). dispute_processing_time:
    # mean dy(opened_at, submitted_at) by submitted_at (target < 7; planned ~4.4 days).
    rows = _latest(clean.landing_dir, "disputes/disputes", "dispute_id")
    opened = [r for r in rows if _local(r["opened_at"]).date() >= START]
    specialist_days = {(r["specialist_id"], _local(r["opened_at"]).date()) for r in opened}
    assert len(opened) / len(specialist_days) > 25
    waits = [
        (datetime.fromisoformat(r["submitted_at"]) - datetime.fromisoformat(r["opened_at"]))
        / timedelta(days=1)
        for r in rows
        if r["submitted_at"]
    ]
    assert sum(waits) / len(waits) < 7


def test_planted_truth_names_the_gaps(clean):
    gaps = {g["kpi_id"]: g for g in clean.planted_gaps}
    assert gaps["response_time_to_inquiries"]["expected_status"] == ["red", "yellow"]
    complaints = [g for g in clean.planted_gaps if g["kpi_id"] == "complaint_resolution_time"]
    assert [(g["expected_status"], g["period_start"], g["period_end"]) for g in complaints] == [
        (["red"], "2025-01-01", "2025-05-31"),
        (["green"], "2025-06-01", "2025-12-31"),
    ]
    decline = gaps["dispute_success_rate"]
    assert decline["expected_status"] == ["green"]
    assert decline["kind"] == "declining_within_target"
    assert (decline["period_start"], decline["period_end"]) == ("2025-09-01", "2025-12-31")
    assert clean.planted_defects == []


def test_ticket_defects_are_in_the_files(tmp_path):
    ctx = _generate(tmp_path, True, ["support.tickets"])
    defects = {d["kind"]: d for d in ctx.planted_defects}
    deliveries = _deliveries(ctx.landing_dir, "support/tickets")

    # A late file: tickets first delivered three days after the day they were created.
    late = defects["late_file"]
    first: dict[str, tuple[date, date]] = {}
    for partition, row in deliveries:
        first.setdefault(row["ticket_id"], (partition, _local(row["created_at"]).date()))
    lagging = [p for p, created in first.values() if p > max(created, START)]
    assert len(lagging) == late["rows"] > 0
    assert {p.isoformat() for p in lagging} == {late["partition"]}

    # channel (primary tier, 95%) empty on ~10% of one month's ticket rows.
    nulls = defects["null_beyond_tier"]
    month = date.fromisoformat(nulls["period_start"])
    in_month = [row for _, row in deliveries if _month(_local(row["created_at"])) == month]
    empty = sum(row["channel"] == "" for row in in_month)
    assert empty == nulls["rows"]
    assert empty / len(in_month) > 0.05
