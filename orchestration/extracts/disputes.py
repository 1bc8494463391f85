"""Dispute-management exports: bureau disputes and credit-score pulls.

disputes.disputes: one row per negative item x bureau dispute (catalogue cost_per_dispute), in a
daily CSV of the disputes opened or changed that day (opened, sent to the bureau, answered), at
their end-of-day state. Dispute specialists (world role dispute_specialist) each open ~28
disputes per day they work (their HR time entries; target > 25) from a shared work queue: a new
client's items first (after the intake credit pull), then the backlog of existing clients'
items, items found on later monthly pulls, and re-disputes of items a bureau verified. Letters go
out ~4 days after opening (dispute_processing_time < 7) and bureaus answer 24-38 days later.

Planted trend (DESIGN.md §3): dispute_success_rate is ~91% for most of the window, then declines
month over month for the last four months while staying inside its target (> 85): 92.4, 91.1,
89.7, 88.3, 86.9. Each month's share of successful answers is held to its plan, so the decline
is there at any scale.

disputes.credit_scores: a baseline pull per bureau on the intake credit pull and monthly pulls
after it. A client's scores rise ~120 points over six months (avg_credit_score_increase > 100),
and baselines sit so that ~90% of clients reach their CRM goal score by the outcome date
(client_goal_achievement_rate > 80). The first delivery carries each active client's history.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.hr import workdays
from orchestration.extracts.onboarding import (
    Quota,
    Span,
    business_time,
    cached,
    client_spans,
    clock,
    credit_pull_day,
    delivery_days,
    end_of,
    history_start,
    is_business_day,
    known,
    month_of,
    next_business_day,
    weighted,
    window_end,
    window_months,
)
from orchestration.extracts.world import World

BUREAUS = ("equifax", "experian", "transunion")
DAILY_CAPACITY = (25, 31)  # disputes a specialist opens per working day (uniform)
BASE_SUCCESS = 91.0
DECLINE = (92.4, 91.1, 89.7, 88.3, 86.9)  # the last months of the window
REMOVED_SHARE = 0.7  # of successful answers; the rest are updated
MAX_ATTEMPTS = 3
PROCESSING_DAYS = (
    (1, 0.10), (2, 0.15), (3, 0.20), (4, 0.20), (5, 0.15), (6, 0.10), (7, 0.05), (8, 0.03),
    (9, 0.02),
)  # fmt: skip
BUREAUS_PER_ITEM = ((3, 0.75), (2, 0.20), (1, 0.05))
# Items per client: new clients at intake, existing clients still in progress, and the chance
# that a monthly pull shows a new negative item; scaled so supply slightly exceeds capacity.
NEW_CLIENT_ITEMS = (8, 20)
EXISTING_CLIENT_ITEMS = (2, 10)
DISCOVERY_PER_PULL = 0.3
SUPPLY_OVER_CAPACITY = 1.12


@dataclass
class Dispute:
    dispute_id: str
    client_id: str
    item_id: str
    bureau: str
    specialist_id: str
    opened: datetime  # local
    submitted: datetime
    resolved: datetime
    outcome: str  # removed, updated or verified once resolved


@dataclass
class _Item:
    span: Span
    item_id: str
    bureaus: tuple[str, ...]
    attempt: int


def success_plan(world: World) -> tuple[dict[date, float], list[date]]:
    """Planned dispute success rate (%) per resolution month of the window, and the months of
    the planted decline (each worse than the one before; the month before them is the peak)."""
    rng = world.rng("disputes.success_plan")
    months = window_months(world)
    plan = {m: round(BASE_SUCCESS + rng.uniform(-0.35, 0.35), 2) for m in months}
    tail = DECLINE[-min(len(DECLINE), len(months)) :] if len(months) > 1 else ()
    for month, rate in zip(months[len(months) - len(tail) :], tail, strict=True):
        plan[month] = rate
    return plan, months[len(months) - len(tail) + 1 :] if tail else []


def _pulls(world: World, span: Span) -> list[date]:
    """Credit pull days: the intake pull, then about every 30 days while the client is active."""
    first = credit_pull_day(world, span)
    rng = random.Random(f"{world.seed}:pulls:{span.client.client_id}")
    days, k = [first], 1
    last = min(span.end.date(), world.end)
    while True:
        day = first + timedelta(days=30 * k + rng.randint(-2, 2))
        if day >= last:
            return days
        days.append(day)
        k += 1


def _specialists_by_day(world: World) -> dict[date, list[str]]:
    """Specialists at work each business day: the HR time entries inside the window (so
    disputes_per_specialist_per_day divides by the same emp-days), everyone employed before."""
    attendance = workdays(world)
    day, out = history_start(world), {}
    while day <= world.end:
        if day in attendance:
            out[day] = [
                w.employee.employee_id
                for w in attendance[day]
                if w.employee.role == "dispute_specialist"
            ]
        elif is_business_day(day):
            out[day] = [e.employee_id for e in world.staff("dispute_specialist", day)]
        day += timedelta(days=1)
    return {day: ids for day, ids in out.items() if ids}


def _simulate(world: World) -> list[Dispute]:
    rng = world.rng("disputes.disputes")
    quota = Quota(world.rng("disputes.outcomes"))
    plan, _ = success_plan(world)
    first_day = history_start(world)
    end = window_end(world)
    staff = _specialists_by_day(world)
    spans = client_spans(world)
    pulls = {span.client.client_id: _pulls(world, span) for span in spans}

    capacity = sum(len(ids) for ids in staff.values()) * sum(DAILY_CAPACITY) / 2
    expected = 0.0
    for span in spans:
        new = span.contract.date() >= first_day
        items = sum(NEW_CLIENT_ITEMS if new else EXISTING_CLIENT_ITEMS) / 2
        found = DISCOVERY_PER_PULL * sum(d >= first_day for d in pulls[span.client.client_id][1:])
        expected += (items + found) * 2.7 * 1.1
    factor = SUPPLY_OVER_CAPACITY * capacity / expected if expected else 1.0

    heap: list[tuple[date, int, int, _Item]] = []
    seq = 0

    def push(day: date, klass: int, item: _Item) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(heap, (day, seq, klass, item))

    def bureaus() -> tuple[str, ...]:
        count = weighted(rng, BUREAUS_PER_ITEM)
        return tuple(sorted(rng.sample(BUREAUS, count)))

    for span in spans:
        client_id = span.client.client_id
        numbering = 0
        new = span.contract.date() >= first_day
        low, high = NEW_CLIENT_ITEMS if new else EXISTING_CLIENT_ITEMS
        for _ in range(max(1, round(rng.randint(low, high) * factor))):
            numbering += 1
            if new:
                eligible = credit_pull_day(world, span) + timedelta(days=rng.randint(1, 3))
            else:
                eligible = first_day + timedelta(days=rng.randint(0, 30))
            push(eligible, 0 if new else 1, _Item(span, f"{client_id}-N{numbering:02d}",
                                                  bureaus(), 1))  # fmt: skip
        rate = DISCOVERY_PER_PULL * factor
        for pull in pulls[client_id][1:]:
            if pull < first_day:
                continue
            for _ in range(int(rate) + (rng.random() < rate - int(rate))):
                numbering += 1
                eligible = pull + timedelta(days=rng.randint(1, 5))
                push(eligible, 1, _Item(span, f"{client_id}-N{numbering:02d}", bureaus(), 1))

    ready: tuple[deque[_Item], deque[_Item]] = (deque(), deque())
    disputes: list[Dispute] = []
    for day in sorted(staff):
        while heap and heap[0][0] <= day:
            _, _, klass, item = heapq.heappop(heap)
            ready[klass].append(item)
        remaining = {sid: rng.randint(*DAILY_CAPACITY) for sid in staff[day]}
        total = sum(remaining.values())
        while total > 0 and (ready[0] or ready[1]):
            item = (ready[0] or ready[1]).popleft()
            span = item.span
            if span.churn is not None and span.churn.date() <= day:
                continue  # the client has left: the item is dropped
            specialist = span.client.specialist_id
            if remaining.get(specialist, 0) <= 0:
                specialist = max(remaining, key=lambda s: (remaining[s], s))
            remaining[specialist] -= len(item.bureaus)
            total -= len(item.bureaus)
            opened = business_time(rng, day)
            sent_day = next_business_day(day + timedelta(days=weighted(rng, PROCESSING_DAYS)))
            submitted = business_time(rng, sent_day)
            if submitted <= opened:
                submitted = opened + timedelta(hours=1)
            for bureau in item.bureaus:
                answer_day = next_business_day(sent_day + timedelta(days=rng.randint(24, 38)))
                resolved = business_time(rng, answer_day)
                month = month_of(resolved)
                success = quota.draw(month, plan.get(month, BASE_SUCCESS) / 100)
                if success:
                    outcome = "removed" if rng.random() < REMOVED_SHARE else "updated"
                else:
                    outcome = "verified"
                    if item.attempt < MAX_ATTEMPTS and resolved < end:
                        again = answer_day + timedelta(days=rng.randint(7, 21))
                        push(again, 1, _Item(span, item.item_id, (bureau,), item.attempt + 1))
                disputes.append(
                    Dispute(f"D{len(disputes) + 1:08d}", span.client.client_id, item.item_id,
                            bureau, specialist, opened, submitted, resolved, outcome)
                )  # fmt: skip
    return disputes


def disputes(world: World) -> list[Dispute]:
    return cached(world, "disputes", lambda: _simulate(world))


def _negative_duration_day(world: World) -> date:
    day = world.start + timedelta(days=(world.end - world.start).days * 2 // 3)
    return next_business_day(day)


def write_disputes(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    clk = clock(world)
    all_disputes = disputes(world)
    plan, declining = success_plan(world)
    if declining:
        shown = [month_of(declining[0] - timedelta(days=1)), *declining]
        ctx.plant_gap(
            kpi_id="dispute_success_rate",
            expected_status={"green"},
            description=(
                f"dispute success rate declines month over month for the last {len(declining)} "
                "months while staying above its 85% target: "
                + ", ".join(f"{m:%Y-%m} {plan[m]:.1f}%" for m in shown)
            ),
            department="disputes",
            grain="month",
            period_start=declining[0],
            period_end=world.end,
            kind="declining_within_target",
            planned_values={m.isoformat(): plan[m] for m in sorted(plan)},
        )
    backdated: dict[str, datetime] = {}
    if ctx.defects:
        rng = world.rng("disputes.disputes.defects")
        day = _negative_duration_day(world)
        for d in all_disputes:
            if d.resolved.date() == day and rng.random() < 0.10:
                backdated[d.dispute_id] = d.opened - timedelta(days=rng.randint(1, 5))
        if backdated:
            ctx.plant_defect(
                kind="negative_duration",
                raw_table=extract.raw_table,
                description=(
                    f"~10% of the disputes answered on {day} carry a resolved_at days before "
                    "their opened_at (the bureau letter date keyed into the wrong field)"
                ),
                rows=len(backdated),
                column="resolved_at",
                check="accuracy",
                partition=day.isoformat(),
            )
    by_day: dict[date, list[dict]] = defaultdict(list)
    for d in all_disputes:
        for day in delivery_days(world, [d.opened, d.submitted, d.resolved]):
            cutoff = end_of(day)
            resolved = known(d.resolved, cutoff)
            if resolved is not None and d.dispute_id in backdated:
                resolved = backdated[d.dispute_id]
            by_day[day].append(
                {
                    "dispute_id": d.dispute_id,
                    "client_id": d.client_id,
                    "negative_item_id": d.item_id,
                    "bureau": d.bureau,
                    "specialist_id": d.specialist_id,
                    "opened_at": clk.utc(d.opened),
                    "submitted_at": clk.utc(known(d.submitted, cutoff)),
                    "resolved_at": clk.utc(resolved),
                    "outcome": d.outcome if resolved else "pending",
                }
            )
    return write_daily(ctx, extract, by_day)


def _credit_scores(world: World) -> list[tuple[date, str, str, int]]:
    """(as_of, client_id, bureau, score) for every pull, sorted."""
    rng = world.rng("disputes.credit_scores")
    rows = []
    for span in client_spans(world):
        client = span.client
        gain = min(max(rng.gauss(130, 28), 40), 230)  # eventual points gained
        tau = rng.uniform(55, 85)  # days
        needed = rng.uniform(0.35, 1.0) * gain * (1 - math.exp(-150 / tau))
        base = min(max(client.goal_score - needed, 480), 720)
        files = BUREAUS if rng.random() < 0.95 else tuple(sorted(rng.sample(BUREAUS, 2)))
        offsets = {b: rng.gauss(0, 12) for b in files}
        contract_day = span.contract.date()
        for pull in _pulls(world, span):
            t = (pull - contract_day).days
            for bureau in files:
                value = base + offsets[bureau] + gain * (1 - math.exp(-t / tau)) + rng.gauss(0, 6)
                rows.append((pull, client.client_id, bureau, min(max(round(value), 300), 850)))
    rows.sort()
    return rows


def credit_scores(world: World) -> list[tuple[date, str, str, int]]:
    return cached(world, "credit_scores", lambda: _credit_scores(world))


def write_credit_scores(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    rows = credit_scores(world)
    broken: dict[int, int] = {}
    if ctx.defects:
        rng = world.rng("disputes.credit_scores.defects")
        for index, (as_of, _, _, score) in enumerate(rows):
            if as_of >= world.start and rng.random() < 0.01:
                broken[index] = 0 if rng.random() < 0.5 else min(999, max(851, score + 200))
        ctx.plant_defect(
            kind="out_of_range",
            raw_table=extract.raw_table,
            description=(
                "~1% of the in-window credit scores are outside [300, 850] (0 for a failed "
                "pull, or a value above 850 from a vendor scoring-model mix-up)"
            ),
            rows=len(broken),
            column="score",
            check="accuracy",
        )
    by_day: dict[date, list[dict]] = defaultdict(list)
    for index, (as_of, client_id, bureau, score) in enumerate(rows):
        by_day[max(as_of, world.start)].append(
            {
                "score_id": f"CS{index + 1:09d}",
                "client_id": client_id,
                "bureau": bureau,
                "score": broken.get(index, score),
                "as_of": as_of,
            }
        )
    return write_daily(ctx, extract, by_day)


WRITERS: dict[str, Writer] = {
    "disputes.disputes": write_disputes,
    "disputes.credit_scores": write_credit_scores,
}
