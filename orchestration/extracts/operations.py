"""Operations, quality and compliance extracts: QA reviews, compliance audits, document processing,
production jobs and corrective actions (catalogue §2.2–2.3, §6, §8.9; GAP §3D).

Everything is daily CSV, one file per local business day (the day the event happened in the
business time zone), timestamps as naive UTC. Immutable events (reviews, audits, batches) are
delivered once, on their day. Stateful records (production jobs, corrective actions) are delivered
again on every day they change, with their state at the end of that day, as an "updated records"
export would; staging keeps the latest delivery.

Planted truth: production runs about two weeks late in the second half of the window (GAP §3D,
red) after a first half that misses the "on schedule" target only by a few days (yellow), and
corrective actions are raised against the planted gaps partway through the year.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from statistics import NormalDist
from typing import Any

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.world import Client, World

DEPARTMENTS = (
    "finance",
    "sales",
    "marketing",
    "client_success",
    "customer_support",
    "disputes",
    "operations",
    "hr",
    "technology",
    "compliance",
)

Row = dict[str, Any]
GOLDEN = (math.sqrt(5) - 1) / 2  # step of a low-discrepancy (Weyl) sequence on [0, 1)


# --------------------------------------------------------------------------------------------
# Shared helpers (technology.py uses them too)
# --------------------------------------------------------------------------------------------


class Budget:
    """Hands out a rare outcome at `rate` per unit while keeping the count over any run of draws
    within about one of rate × units, so a daily or monthly rate lands where it is meant to at every
    scale instead of drifting with sampling noise (a 0.5% failure rate over 120 requests a day
    must not turn into a red day by chance). Each outcome falls at a random point of its share
    (a dithered threshold), so the pattern is irregular, not periodic."""

    def __init__(self, rng: Random, rate: float) -> None:
        self._rng = rng
        self.rate = rate
        self._level = 0.0
        self._threshold = rng.random()

    def take(self, units: float = 1.0, cap: int | None = None) -> int:
        """How many of `units` draws come out as the outcome; beyond `cap`, the rest is carried
        over to later draws."""
        self._level += self.rate * units
        hits = 0
        while self._level >= self._threshold and (cap is None or hits < cap):
            self._level -= 1.0
            self._threshold = self._rng.random()
            hits += 1
        return hits

    def hit(self) -> bool:
        return self.take(1.0, cap=1) > 0


def later(moment: datetime, **delta: float) -> datetime:
    """`moment` plus a (fractional) timedelta, to the whole second as the exports carry it."""
    return (moment + timedelta(**delta)).replace(microsecond=0)


def local_day(world: World, moment: datetime) -> date:
    """The business-time-zone day of a naive UTC instant (the file it is delivered in)."""
    return moment.replace(tzinfo=UTC).astimezone(world.tz).date()


def business_days(world: World) -> list[date]:
    return [day for day in world.days() if day.weekday() < 5]


def next_business_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def at(world: World, day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A wall-clock time of `day` in the business time zone, as naive UTC."""
    return world.to_utc(day, time(hour, minute, second))


def business_time(rng: Random, first_hour: int = 9, last_hour: int = 16) -> tuple[int, int, int]:
    return rng.randint(first_hour, last_hour), rng.randint(0, 59), rng.randint(0, 59)


def window_day(world: World, fraction: float) -> date:
    """The business day `fraction` of the way through the window."""
    span = (world.end - world.start).days
    day = next_business_day(world.start + timedelta(days=int(span * fraction)))
    return min(day, world.end)


def second_half_start(world: World) -> date:
    """First day of the month holding the window's midpoint: 1 July for a calendar year."""
    middle = world.start + timedelta(days=(world.end - world.start).days // 2)
    return max(middle.replace(day=1), world.start)


def month_starts(world: World) -> list[date]:
    first = world.start.replace(day=1)
    months = []
    while first <= world.end:
        months.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return months


def month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def employee_for(world: World, rng: Random, role: str, day: date) -> str:
    """An employee of `role` on the books on `day` (the seat may be vacant: then anyone of it)."""
    staff = world.staff(role, day) or world.staff(role)
    return rng.choice(staff).employee_id


def versions_by_day(
    world: World, versions: Iterable[tuple[datetime, str, Row]]
) -> dict[date, list[Row]]:
    """Each record's state at the end of every local day it changed, in event order.

    `versions` are (moment of change, record key, record state). Changes after the window's last
    day are not delivered yet.
    """
    latest: dict[date, dict[str, tuple[datetime, Row]]] = defaultdict(dict)
    for moment, key, row in versions:
        day = max(local_day(world, moment), world.start)
        if day > world.end:
            continue
        held = latest[day].get(key)
        if held is None or moment >= held[0]:
            latest[day][key] = (moment, row)
    return {
        day: [row for _, row in sorted(rows.values(), key=lambda item: item[0])]
        for day, rows in latest.items()
    }


def rows_by_local_day(world: World, rows: Iterable[Row], moment_column: str) -> dict[date, list]:
    by_day: dict[date, list[Row]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r[moment_column]):
        moment = row[moment_column]
        day = moment if not isinstance(moment, datetime) else local_day(world, moment)
        if world.start <= day <= world.end:
            by_day[day].append(row)
    return by_day


# --------------------------------------------------------------------------------------------
# qa.reviews
# --------------------------------------------------------------------------------------------

# Who is reviewed, how: role → (review_type, chance of a review per working day, items range).
REVIEW_PLAN: dict[str, tuple[tuple[str, float, tuple[int, int]], ...]] = {
    "client_rep": (("client_interaction", 0.40, (5, 10)),),
    "csm": (("client_interaction", 0.20, (4, 8)),),
    "sales_agent": (("client_interaction", 0.10, (4, 8)),),
    "dispute_specialist": (("work_product", 0.40, (20, 60)),),
    "case_manager": (("work_product", 0.30, (20, 50)), ("quality_control", 0.40, (30, 80))),
}
# Error rate ≈ 0.7% and rework ≈ 3% of reviewed work items (targets < 1% and < 5%).
WORK_ERROR_RATE = 0.007
WORK_EXTRA_REWORK_RATE = 0.023
# Client interactions: rubric misses per interaction reviewed, and follow-ups beyond them.
INTERACTION_ERROR_RATE = 0.04
INTERACTION_EXTRA_REWORK_RATE = 0.03


def qa_review_rows(world: World) -> list[Row]:
    rng = world.rng("qa.reviews")
    work_errors = Budget(rng, WORK_ERROR_RATE)
    work_rework = Budget(rng, WORK_EXTRA_REWORK_RATE)
    chat_errors = Budget(rng, INTERACTION_ERROR_RATE)
    chat_rework = Budget(rng, INTERACTION_EXTRA_REWORK_RATE)
    rows: list[Row] = []
    for day in business_days(world):
        for employee in world.employees:
            if not employee.employed_on(day):
                continue
            for review_type, chance, (low, high) in REVIEW_PLAN.get(employee.role, ()):
                if rng.random() >= chance:
                    continue
                items = rng.randint(low, high)
                if review_type == "client_interaction":
                    errors = min(items, chat_errors.take(items))
                    rework = min(items, errors + chat_rework.take(items))
                    rubric = rng.gauss(95.5, 2.5) - 40.0 * errors / items
                    score: float | None = round(min(100.0, max(80.0, rubric)), 1)
                else:
                    errors = min(items, work_errors.take(items))
                    rework = min(items, errors + work_rework.take(items))
                    score = None  # scored by error count: catalogue's coalesce fallback
                rows.append(
                    {
                        "review_id": None,
                        "employee_id": employee.employee_id,
                        "review_type": review_type,
                        "reviewed_at": at(world, day, *business_time(rng, 10, 16)),
                        "items_reviewed": items,
                        "errors": errors,
                        "rework": rework,
                        "score_pct": score,
                    }
                )
    rows.sort(key=lambda r: (r["reviewed_at"], r["employee_id"], r["review_type"]))
    for number, row in enumerate(rows, start=1):
        row["review_id"] = f"QR{number:07d}"
    return rows


def write_qa_reviews(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    by_day = rows_by_local_day(world, qa_review_rows(world), "reviewed_at")
    if ctx.defects:
        rng = world.rng("qa.reviews.defects")
        candidates = [d for d in sorted(by_day) if d >= window_day(world, 0.45) and by_day[d]]
        day = next((d for d in candidates if len(by_day[d]) >= 2), candidates[0])
        size = min(len(by_day[day]), max(2, math.ceil(0.05 * len(by_day[day]))))
        broken = rng.sample(by_day[day], size)
        for row in broken:
            row["errors"] = row["items_reviewed"] + rng.randint(1, 4)
        ctx.plant_defect(
            kind="invalid_value",
            raw_table=extract.raw_table,
            description=(
                f"{len(broken)} QA reviews on {day} record more errors than items reviewed "
                "(operational accuracy: errors ≤ items_reviewed)"
            ),
            rows=len(broken),
            column="errors",
            check="accuracy",
            day=day.isoformat(),
            review_ids=sorted(r["review_id"] for r in broken),
        )
    return write_daily(ctx, extract, by_day)


# --------------------------------------------------------------------------------------------
# compliance.audits
# --------------------------------------------------------------------------------------------

# Regulatory reviews, mid-quarter: FCRA dispute handling (disputes), CROA contracts and
# disclosures (compliance), CFPB complaint handling (customer_support).
REGULATORY_AUDITS = ("disputes", "compliance", "customer_support")
PASS_MARK = 85.0


def compliance_audit_rows(world: World) -> list[Row]:
    rng = world.rng("compliance.audits")
    per_department = max(1, round(1.5 * world.scale))
    rows: list[Row] = []
    for first in month_starts(world):
        last = min(month_end(first), world.end)
        days = [d for d in business_days(world) if max(first, world.start) <= d <= last]
        if not days:
            continue
        planned: list[tuple[str, str]] = [
            (department, "internal") for department in DEPARTMENTS for _ in range(per_department)
        ]
        if first.month % 3 == 2:  # mid-quarter regulatory reviews
            planned.extend((department, "regulatory") for department in REGULATORY_AUDITS)
        for department, audit_type in planned:
            mean = 97.3 if audit_type == "regulatory" else 96.8
            score = round(min(100.0, max(89.0, rng.gauss(mean, 1.5))), 1)
            findings = max(0, round((100.0 - score) / 2.0 + rng.gauss(0.0, 0.7)))
            rows.append(
                {
                    "audit_id": None,
                    "audited_at": at(world, rng.choice(days), *business_time(rng, 9, 15)),
                    "department": department,
                    "audit_type": audit_type,
                    "score": score,
                    "findings": findings,
                    "passed": score >= PASS_MARK,
                }
            )
    rows.sort(key=lambda r: (r["audited_at"], r["department"]))
    for number, row in enumerate(rows, start=1):
        row["audit_id"] = f"AUD{number:06d}"
    return rows


def write_compliance_audits(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    return write_daily(
        ctx, extract, rows_by_local_day(world, compliance_audit_rows(world), "audited_at")
    )


# --------------------------------------------------------------------------------------------
# documents.processed
# --------------------------------------------------------------------------------------------

DOCUMENT_TYPES = {
    "case_manager": ("credit_report", "id_verification", "proof_of_address", "correspondence"),
    "dispute_specialist": ("dispute_letter", "bureau_response", "dispute_letter"),
}
DOCUMENT_ERROR_RATE = 0.0045  # accuracy ≈ 99.5% (target > 99, red ≤ 98)
MAX_DAILY_ERROR_SHARE = 0.015


def document_batch_rows(world: World) -> list[Row]:
    rng = world.rng("documents.processed")
    errors = Budget(rng, DOCUMENT_ERROR_RATE)
    rows: list[Row] = []
    for day in business_days(world):
        batches: list[Row] = []
        for employee in world.employees:
            kinds = DOCUMENT_TYPES.get(employee.role)
            if kinds is None or not employee.employed_on(day):
                continue
            for _ in range(rng.randint(2, 4)):
                batches.append(
                    {
                        "batch_id": None,
                        "employee_id": employee.employee_id,
                        "document_type": rng.choice(kinds),
                        "processed_on": day,
                        "count": rng.randint(15, 60),
                        "errors": 0,
                    }
                )
        # The day's errors, at most 1.5% of its documents (a quiet day is not red by chance),
        # land on random batches.
        documents = sum(b["count"] for b in batches)
        for _ in range(errors.take(documents, cap=int(MAX_DAILY_ERROR_SHARE * documents))):
            batch = rng.choice([b for b in batches if b["errors"] < b["count"]])
            batch["errors"] += 1
        rows.extend(batches)
    for number, row in enumerate(rows, start=1):
        row["batch_id"] = f"DB{number:07d}"
    return rows


def write_documents_processed(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    return write_daily(
        ctx, extract, rows_by_local_day(world, document_batch_rows(world), "processed_on")
    )


# --------------------------------------------------------------------------------------------
# production.jobs
# --------------------------------------------------------------------------------------------

# job type → (days between jobs for one client or None, planned calendar days to finish).
JOB_TYPES: dict[str, tuple[int | None, int]] = {
    "dispute_letter_batch": (30, 7),
    "credit_report_analysis": (91, 3),
    "debt_validation_letter": (None, 5),  # follows some dispute batches
}
VALIDATION_LETTER_SHARE = 0.15
# First half: 72% on time, the rest a few days to two weeks late → mean delay ≈ 2–3 d (yellow).
H1_ON_TIME = 0.72
H1_LATE_MEAN_DAYS = 8.0
# Second half (GAP §3D): 95% of jobs late by about 16 ± 2.5 days → mean delay ≈ 15 d (red ≥ 14).
H2_ON_TIME = 0.05
H2_LATE_MEAN_DAYS = 15.8
H2_LATE_SD_DAYS = 2.5
# A job falls in the late regime when its deadline is this close to the second half, so that
# what finishes in July is already two weeks late.
H2_LEAD_DAYS = 14


def active_span(world: World, client: Client) -> tuple[datetime, datetime] | None:
    window_start = at(world, world.start, 0)
    window_end = at(world, world.end + timedelta(days=1), 0)
    ended = world.churned_at(client)
    begin = max(client.became_client_at, window_start)
    finish = min(ended, window_end) if ended else window_end
    return (begin, finish) if begin < finish else None


def _job_created(world: World, rng: Random, moment: datetime) -> datetime:
    day = next_business_day(local_day(world, moment))
    return at(world, day, *business_time(rng, 9, 15))


def production_job_schedule(world: World) -> list[Row]:
    """Every job created in the window with its eventual outcome (actual_end may lie beyond)."""
    rng = world.rng("production.jobs")
    boundary = second_half_start(world)
    jobs: list[Row] = []
    for client in world.clients:
        span = active_span(world, client)
        if span is None:
            continue
        begin, finish = span
        onboarding = client.became_client_at >= begin
        created: list[tuple[str, datetime]] = []
        for job_type, (every, _) in JOB_TYPES.items():
            if every is None:
                continue
            if onboarding:
                moment = begin + timedelta(days=rng.uniform(1, 6))
            else:
                moment = begin + timedelta(days=rng.uniform(0, every))
            while moment < finish:
                created.append((job_type, moment))
                if job_type == "dispute_letter_batch" and rng.random() < VALIDATION_LETTER_SHARE:
                    follow = moment + timedelta(days=rng.uniform(2, 5))
                    if follow < finish:
                        created.append(("debt_validation_letter", follow))
                moment += timedelta(days=every + rng.uniform(-2, 2))
        for job_type, moment in created:
            created_at = _job_created(world, rng, moment)
            if local_day(world, created_at) <= world.end:
                jobs.append(
                    {
                        "job_id": None,
                        "client_id": client.client_id,
                        "job_type": job_type,
                        "status": "completed",
                        "created_at": created_at,
                        "scheduled_end": None,
                        "actual_end": None,
                        "quality_passed": None,
                    }
                )
    # Outcomes in deadline order, drawn from budgets and evenly spread quantiles, so every
    # month's mean delay sits at its regime's level at any scale.
    late = {False: Budget(rng, 1 - H1_ON_TIME), True: Budget(rng, 1 - H2_ON_TIME)}
    quantile = {False: rng.random(), True: rng.random()}
    normal = NormalDist(H2_LATE_MEAN_DAYS, H2_LATE_SD_DAYS)
    for job in jobs:
        created_day = local_day(world, job["created_at"])
        due_day = next_business_day(created_day + timedelta(days=JOB_TYPES[job["job_type"]][1]))
        job["scheduled_end"] = at(world, due_day, 17)
    jobs.sort(key=lambda r: (r["scheduled_end"], r["created_at"], r["client_id"]))
    for job in jobs:
        created_at, created_day = job["created_at"], local_day(world, job["created_at"])
        due_day = local_day(world, job["scheduled_end"])
        regime = due_day >= boundary - timedelta(days=H2_LEAD_DAYS)
        if late[regime].hit():
            quantile[regime] = (quantile[regime] + GOLDEN) % 1.0
            if regime:
                delay = max(6, round(normal.inv_cdf(min(max(quantile[regime], 1e-6), 1 - 1e-6))))
            else:
                delay = max(1, round(-H1_LATE_MEAN_DAYS * math.log(1 - quantile[regime])))
        else:
            delay = -rng.randint(0, 2)
        done_day = next_business_day(max(created_day, due_day + timedelta(days=delay)))
        actual_end = at(world, done_day, *business_time(rng, 9, 16))
        if actual_end <= created_at:
            actual_end = later(created_at, hours=rng.uniform(1, 3))
        job["actual_end"] = actual_end
        job["quality_passed"] = rng.random() < (0.88 if regime else 0.95)
    jobs.sort(key=lambda r: (r["created_at"], r["client_id"], r["job_type"]))
    for number, job in enumerate(jobs, start=1):
        job["job_id"] = f"PJ{number:07d}"
    return jobs


def write_production_jobs(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    versions = []
    for job in production_job_schedule(world):
        opened = {**job, "status": "in_progress", "actual_end": None, "quality_passed": None}
        versions.append((job["created_at"], job["job_id"], opened))
        versions.append((job["actual_end"], job["job_id"], job))
    boundary = second_half_start(world)
    if boundary > world.start:
        ctx.plant_gap(
            kpi_id="production_delay_days",
            expected_status={"yellow"},
            description=(
                "Production misses 'on schedule' by a few days in the first half: 28% of jobs "
                "finish about a week late, mean delay ≈ 2–3 days (target ≤ 0, red ≥ 14)"
            ),
            department="operations",
            grain="month",
            period_start=world.start,
            period_end=boundary - timedelta(days=1),
        )
    ctx.plant_gap(
        kpi_id="production_delay_days",
        expected_status={"red"},
        description=(
            "GAP §3D: production runs two weeks behind schedule in the second half: 95% of jobs "
            "finish 16 ± 2.5 days late, mean delay ≈ 15 days (red ≥ 14)"
        ),
        department="operations",
        grain="month",
        period_start=boundary,
        period_end=world.end,
    )
    return write_daily(ctx, extract, versions_by_day(world, versions))


# --------------------------------------------------------------------------------------------
# actions.corrective_actions
# --------------------------------------------------------------------------------------------

# When the complaint actions are raised (fraction of the window); support.py plants the complaint
# resolution time's recovery from the first month that starts 35 days later.
COMPLAINT_ACTIONS_AT = 0.30

# Corrective actions raised against the planted gaps (GAP §4 proposed actions and timelines):
# (kpi_id, department, owner role, when: fraction of the window or "h2+N" days after the second
# half starts, [(description, days to due, outcome, days vs due or after creation)]).
# Outcomes: done (completed due + N days), in_progress / open (still open at the window's end,
# overdue once due), cancelled (N days after creation).
GAP_ACTIONS: tuple[
    tuple[str, str, str, float | str, tuple[tuple[str, int, str, int], ...]], ...
] = (
    (
        "employee_turnover_rate",
        "hr",
        "hr_generalist",
        0.15,
        (
            ("Run an employee engagement survey and share the results", 7, "done", -2),
            ("Career growth programme: mentoring and skills paths", 28, "done", 12),
            ("Review compensation packages against the market", 21, "open", 0),
        ),
    ),
    (
        "response_time_to_inquiries",
        "customer_support",
        "client_rep",
        0.20,
        (
            ("Add support staff during peak hours", 7, "done", -1),
            ("Introduce AI chat and live chat for basic inquiries", 14, "done", 6),
            ("Optimise ticket routing and queues in the ticketing system", 7, "in_progress", 0),
        ),
    ),
    (
        "production_delay_days",
        "operations",
        "case_manager",
        0.25,
        (("Clear the dispute-letter backlog with planned overtime", 14, "done", 3),),
    ),
    (
        "complaint_resolution_time",
        "customer_support",
        "client_rep",
        COMPLAINT_ACTIONS_AT,
        (
            ("Daily triage of open complaints with a named owner", 7, "done", 0),
            ("Escalation playbook for complaints open more than 24 hours", 14, "done", 9),
            ("Complaint root-cause review with the disputes team", 21, "cancelled", 10),
        ),
    ),
    (
        "cac",
        "marketing",
        "marketing_specialist",
        0.35,
        (
            ("Refine audience targeting of paid campaigns", 7, "done", 1),
            ("Revise campaign messaging around client pain points", 14, "done", -1),
            ("Launch retargeting campaigns for visitors who did not convert", 14, "in_progress", 0),
        ),
    ),
    (
        "production_delay_days",
        "operations",
        "case_manager",
        "h2+35",
        (
            ("Map the production process and remove bottlenecks", 14, "done", 8),
            ("Upgrade letter printing and mailing equipment", 21, "in_progress", 0),
            ("Lean techniques training for the production team", 14, "open", 0),
        ),
    ),
)

# Dialer intervention triggers (catalogue §6): chance per sales agent-day, and the coaching.
DIALER_TRIGGERS = (
    ("dt_short_calls", 0.04, "Short-call pattern: recording review and opener rehearsal"),
    ("dt_engaged_no_quote", 0.08, "Engaged calls without quotes: transition self-assessment"),
    ("dt_quotes_no_application", 0.06, "Quotes without applications: value and trust rehearsal"),
)


def _gap_action_versions(world: World, rng: Random) -> list[tuple[datetime, Row]]:
    """(moment, state) of every change of the gap actions; action_id is set by the caller."""
    out: list[tuple[datetime, Row]] = []
    boundary = second_half_start(world)
    window_end = at(world, world.end + timedelta(days=1), 0)
    alerts = 0
    for kpi_id, department, role, when, actions in GAP_ACTIONS:
        if isinstance(when, str):
            anchor = next_business_day(boundary + timedelta(days=int(when.split("+")[1])))
        else:
            anchor = window_day(world, when)
        for index, (description, due_days, outcome, offset) in enumerate(actions):
            day = next_business_day(anchor + timedelta(days=2 * index))
            if day > world.end:
                continue
            created_at = at(world, day, *business_time(rng, 9, 15))
            due_at = at(world, next_business_day(day + timedelta(days=due_days)), 17)
            origin = "kpi_alert" if index == 0 else "gap_review"
            if origin == "kpi_alert":
                alerts += 1
            base = {
                "action_id": None,
                "kpi_id": kpi_id,
                "origin": origin,
                "alert_id": f"ALR-{day:%Y%m%d}-{alerts:03d}" if origin == "kpi_alert" else None,
                "department": department,
                "owner_id": employee_for(world, rng, role, day),
                "description": description,
                "created_at": created_at,
                "due_at": due_at,
                "completed_at": None,
                "status": "open",
            }
            out.append((created_at, dict(base)))
            started = later(created_at, days=rng.uniform(1, 3))
            if outcome in ("done", "in_progress") and started < window_end:
                out.append((started, {**base, "status": "in_progress"}))
            if outcome == "done":
                done_day = next_business_day(local_day(world, due_at) + timedelta(days=offset))
                completed = max(
                    at(world, done_day, *business_time(rng, 10, 16)),
                    started + timedelta(hours=2),
                )
                if completed < window_end:
                    out.append((completed, {**base, "status": "done", "completed_at": completed}))
            elif outcome == "cancelled":
                cancelled = created_at + timedelta(days=offset)
                if cancelled < window_end:
                    out.append((cancelled, {**base, "status": "cancelled"}))
    return out


def _dialer_action_versions(world: World, rng: Random) -> list[tuple[datetime, Row]]:
    out: list[tuple[datetime, Row]] = []
    for day in business_days(world):
        for agent in world.staff("sales_agent", day):
            for trigger_id, chance, description in DIALER_TRIGGERS:
                if rng.random() >= chance:
                    continue
                created_at = at(world, day, rng.randint(10, 15), rng.randint(0, 59),
                                rng.randint(0, 59))  # fmt: skip
                minutes = min(180.0, max(10.0, rng.lognormvariate(math.log(35), 0.5)))
                completed = later(created_at, minutes=minutes)
                row = {
                    "action_id": None,
                    "kpi_id": trigger_id,
                    "origin": "dialer_trigger",
                    "alert_id": None,
                    "department": "sales",
                    "owner_id": agent.employee_id,
                    "description": description,
                    "created_at": created_at,
                    "due_at": created_at + timedelta(hours=2),
                    "completed_at": completed,
                    "status": "done",
                }
                out.append((completed, row))
    return out


def corrective_action_versions(world: World) -> list[tuple[datetime, str, Row]]:
    rng = world.rng("actions.corrective_actions")
    changes = _gap_action_versions(world, rng) + _dialer_action_versions(world, rng)
    # Number actions in order of creation; every version of one action shares its id.
    firsts = sorted(
        {(row["created_at"], row["kpi_id"], row["owner_id"]) for _, row in changes},
    )
    ids = {key: f"CA{number:06d}" for number, key in enumerate(firsts, start=1)}
    versions = []
    for moment, row in changes:
        row["action_id"] = ids[(row["created_at"], row["kpi_id"], row["owner_id"])]
        versions.append((moment, row["action_id"], row))
    return versions


# Gaps held flat through the window (support.py, production_job_schedule): an action against
# them cannot close them, so its verified effect is no_effect once it can be measured.
FLAT_GAPS = ("response_time_to_inquiries", "production_delay_days")


def expected_effect(
    world: World, kpi_id: str, status: str, completed_at: datetime | None
) -> list[str]:
    """The verified effects (catalogue §8.9, mart_corrective_actions) a gap action may show:
    measured on the KPI's company row at month grain (employee turnover: at its primary grain, a
    year, which has no closed period before any action in the window)."""
    from orchestration.extracts.support import complaint_fix_month  # support imports us

    if status == "cancelled":
        return ["no_effect"]
    if kpi_id == "employee_turnover_rate":
        return ["no_baseline"]
    if completed_at is None:
        return ["pending"]
    done = local_day(world, completed_at)
    after = [m for m in month_starts(world) if m > done and month_end(m) <= world.end]
    fixed = complaint_fix_month(world) if kpi_id == "complaint_resolution_time" else None
    if fixed and sum(1 for m in after if m >= fixed) >= 2:
        return ["effective"]
    if len(after) < 2:
        return ["pending"]
    # Other gaps persist but their monthly size moves (sampling, a recovery starting): not
    # effective, and no_effect only where the gap is held flat.
    return ["no_effect"] if kpi_id in FLAT_GAPS else ["no_effect", "pending"]


def write_corrective_actions(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    versions = corrective_action_versions(world)
    final: dict[str, Row] = {}
    for _, action_id, row in sorted(versions, key=lambda v: v[0]):
        if row["origin"] != "dialer_trigger":
            final[action_id] = row
    for action_id, row in sorted(final.items()):
        ctx.planted_actions.append(
            {
                "action_id": action_id,
                "kpi_id": row["kpi_id"],
                "department": row["department"],
                "description": row["description"],
                "status": row["status"],
                "created_at": row["created_at"].isoformat(sep=" "),
                "completed_at": (
                    row["completed_at"].isoformat(sep=" ") if row["completed_at"] else None
                ),
                "expected_effect": expected_effect(
                    world, row["kpi_id"], row["status"], row["completed_at"]
                ),
            }
        )
    return write_daily(ctx, extract, versions_by_day(world, versions))


WRITERS: dict[str, Writer] = {
    "qa.reviews": write_qa_reviews,
    "compliance.audits": write_compliance_audits,
    "documents.processed": write_documents_processed,
    "production.jobs": write_production_jobs,
    "actions.corrective_actions": write_corrective_actions,
}
