"""Technology extracts: uptime incidents and checks, automation runs, integration syncs, backups,
security incidents and API requests (catalogue §2.3 technology rows, §3, §7.1 AS1–AS2).

Daily CSV, one file per local day, timestamps as naive UTC. Infrastructure describes systems, not
clients, so uptime checks, incidents and backups do not grow with the scale factor; traffic that
clients and staff cause (API requests, automation runs, real-time syncs) does.

Healthy on a clean run: uptime ≈ 99.7%, automation ≈ 73%, integrations ≈ 99.3% successful,
every scheduled backup slot succeeds (a rare failed attempt is retried in its slot), API p95
≈ 1.2 s and availability ≈ 99.5%. One confirmed low-severity security incident is planted (a
yellow month for security_incident_rate); everything else stays green at month grain.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from random import Random
from statistics import NormalDist
from typing import Any

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_csv, write_daily
from orchestration.extracts.operations import (
    GOLDEN,
    Budget,
    active_span,
    at,
    business_days,
    business_time,
    later,
    local_day,
    next_business_day,
    rows_by_local_day,
    versions_by_day,
    window_day,
)
from orchestration.extracts.world import World

Row = dict[str, Any]

# Seed `critical_systems` lists these five; `reporting` is internal and not counted in uptime.
CRITICAL_SYSTEMS = ("crm", "billing", "client_portal", "dialer", "dispute_engine")
SYSTEMS = (*CRITICAL_SYSTEMS, "reporting")


def _cache(world: World, key: str, build):
    """One computation per world shared by the writers that need it (incidents feed checks)."""
    cache = world.__dict__.setdefault("_technology_cache", {})
    if key not in cache:
        cache[key] = build(world)
    return cache[key]


def _random_round(rng: Random, value: float) -> int:
    whole = int(value)
    return whole + (1 if rng.random() < value - whole else 0)


# --------------------------------------------------------------------------------------------
# uptime.incidents and uptime.checks
# --------------------------------------------------------------------------------------------

INCIDENT_DAY_CHANCE = 0.5  # a critical-system outage on about half the days
SECOND_INCIDENT_CHANCE = 0.2
MAX_OUTAGE_MINUTES = 55  # under the 60-minute major-failure line (AS1 → L3)
DAILY_DOWNTIME_CAP = 60  # minutes over five systems: a day stays above 99.0% (red)
REPORTING_INCIDENT_CHANCE = 0.06


def incident_schedule(world: World) -> list[Row]:
    rng = world.rng("uptime.incidents")
    incidents: list[Row] = []
    for day in world.days():
        day_start = at(world, day, 0)
        day_seconds = int((at(world, day + timedelta(days=1), 0) - day_start).total_seconds())
        planned: list[tuple[str, float]] = []
        if rng.random() < INCIDENT_DAY_CHANCE:
            count = 2 if rng.random() < SECOND_INCIDENT_CHANCE else 1
            budget = DAILY_DOWNTIME_CAP
            for system in rng.sample(CRITICAL_SYSTEMS, count):
                minutes = min(budget, MAX_OUTAGE_MINUTES, rng.lognormvariate(math.log(30), 0.5))
                if minutes >= 4:
                    planned.append((system, max(4.0, minutes)))
                    budget -= int(minutes) + 1
        if rng.random() < REPORTING_INCIDENT_CHANCE:
            planned.append(("reporting", rng.uniform(10, 240)))
        for system, minutes in planned:
            offset = rng.uniform(0, day_seconds - minutes * 60 - 1)
            started = day_start + timedelta(seconds=int(offset))
            ended = started + timedelta(seconds=int(minutes * 60))
            critical = system in CRITICAL_SYSTEMS
            if critical:
                severity = "p1" if minutes >= 30 else "p2"
            else:
                severity = "p3" if minutes >= 60 else "p4"
            incidents.append(
                {
                    "incident_id": None,
                    "system": system,
                    "severity": severity,
                    "status": "resolved",
                    "started_at": started,
                    "ended_at": ended,
                    "minutes_down": int((ended - started).total_seconds() // 60),
                    "critical": critical,
                }
            )
    incidents.sort(key=lambda r: (r["started_at"], r["system"]))
    for number, incident in enumerate(incidents, start=1):
        incident["incident_id"] = f"INC{number:06d}"
    return incidents


def write_uptime_incidents(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    versions = []
    for incident in _cache(world, "incidents", incident_schedule):
        opened = {**incident, "status": "open", "ended_at": None, "minutes_down": None}
        versions.append((incident["started_at"], incident["incident_id"], opened))
        versions.append((incident["ended_at"], incident["incident_id"], incident))
    return write_daily(ctx, extract, versions_by_day(world, versions))


def write_uptime_checks(ctx: GenerationContext, extract: Extract) -> int:
    """One synthetic health check per system per hour; it fails inside an outage."""
    world = ctx.world
    rng = world.rng("uptime.checks")
    outages: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for incident in _cache(world, "incidents", incident_schedule):
        outages[incident["system"]].append((incident["started_at"], incident["ended_at"]))
    starts = {system: [s for s, _ in spans] for system, spans in outages.items()}
    first = at(world, world.start, 0).replace(minute=0, second=0)
    last = at(world, world.end + timedelta(days=1), 0)
    by_day: dict[date, list[Row]] = defaultdict(list)
    number = 0
    hour = first
    while hour < last:
        day = local_day(world, hour)
        for system in SYSTEMS:
            checked = hour + timedelta(seconds=rng.randint(0, 30))
            index = bisect.bisect_right(starts.get(system, []), checked) - 1
            down = index >= 0 and outages[system][index][1] > checked
            number += 1
            by_day[day].append(
                {
                    "check_id": f"CHK{number:08d}",
                    "system": system,
                    "checked_at": checked,
                    "ok": not down,
                }
            )
        hour += timedelta(hours=1)
    return write_daily(ctx, extract, by_day)


# --------------------------------------------------------------------------------------------
# automation.runs
# --------------------------------------------------------------------------------------------

# touchpoint → (automation enabled (seed automation_enabled_touchpoints), share automated,
# share of automated runs that succeed). Human touchpoints are always human.
TOUCHPOINTS: dict[str, tuple[bool, float, float]] = {
    "welcome_email": (True, 0.99, 0.995),
    "portal_invite": (True, 0.97, 0.99),
    "document_request": (True, 0.90, 0.98),
    "credit_report_pull": (True, 0.88, 0.95),
    "onboarding_checkin": (True, 0.90, 0.99),
    "training_reminder": (True, 0.95, 0.99),
    "payment_reminder": (True, 0.97, 0.99),
    "dispute_status_update": (True, 0.90, 0.98),
    "monthly_progress_report": (True, 0.80, 0.97),
    "onboarding_call": (False, 0.0, 0.0),
    "goal_review_call": (False, 0.0, 0.0),
    "billing_inquiry_followup": (False, 0.0, 0.0),
}
# Onboarding sequence: (touchpoint, earliest day, latest day after the contract is signed).
ONBOARDING_STEPS = (
    ("welcome_email", 0, 0),
    ("portal_invite", 0, 1),
    ("document_request", 1, 3),
    ("onboarding_call", 1, 4),
    ("credit_report_pull", 2, 5),
    ("onboarding_checkin", 7, 8),
    ("training_reminder", 10, 14),
    ("document_request", 10, 14),
)
# Recurring touchpoints of an active client: (touchpoint, executions per client per month,
# whether they run during the first ONBOARDING_DAYS, which the onboarding sequence covers).
RECURRING = (
    ("payment_reminder", 1.0, True),
    ("dispute_status_update", 2.0, False),
    ("monthly_progress_report", 1.0, False),
    ("goal_review_call", 0.5, False),
    ("billing_inquiry_followup", 0.3, False),
)
ONBOARDING_DAYS = 30
BUSINESS_DAYS_PER_MONTH = 261 / 12
HUMAN_SUCCESS = 0.97


def automation_run_rows(world: World) -> list[Row]:
    """Onboarding sequences per new client, then recurring touchpoints spread over business days
    in steady daily numbers (so the daily automation rate does not swing with a small sample)."""
    rng = world.rng("automation.runs")
    # Budgets for manual handling and failed automations, one pair for onboarding sequences and
    # one for recurring touchpoints: each day's and each month's counts stay within about one of
    # their expected value, for all clients and for clients in onboarding alike.
    manual = {True: Budget(rng, 1.0), False: Budget(rng, 1.0)}
    failed = {True: Budget(rng, 1.0), False: Budget(rng, 1.0)}
    daily = {touchpoint: Budget(rng, 1.0) for touchpoint, *_ in RECURRING}
    planned: list[tuple[date, bool, str, str]] = []
    spans: list[tuple[date, date, str]] = []
    for client in world.clients:
        span = active_span(world, client)
        if span is None:
            continue
        begin, finish = span
        if client.became_client_at >= begin:
            for touchpoint, low, high in ONBOARDING_STEPS:
                moment = begin + timedelta(days=rng.uniform(low, high + 1))
                if moment < finish:
                    planned.append((local_day(world, moment), True, touchpoint, client.client_id))
        settled = max(begin, client.became_client_at + timedelta(days=ONBOARDING_DAYS))
        spans.append(
            (local_day(world, begin), local_day(world, settled), local_day(world, finish),
             client.client_id)
        )  # fmt: skip
    for day in business_days(world):
        active = [client_id for first, _, last, client_id in spans if first <= day < last]
        onboarded = [client_id for _, after, last, client_id in spans if after <= day < last]
        for touchpoint, per_month, during_onboarding in RECURRING:
            pool = active if during_onboarding else onboarded
            count = daily[touchpoint].take(len(pool) * per_month / BUSINESS_DAYS_PER_MONTH)
            for client_id in rng.sample(pool, min(count, len(pool))):
                planned.append((day, False, touchpoint, client_id))
    planned = [(next_business_day(day), *rest) for day, *rest in planned]
    planned.sort()
    rows: list[Row] = []
    for day, onboarding, touchpoint, client_id in planned:
        if day > world.end:
            continue
        enabled, share_automated, share_succeeded = TOUCHPOINTS[touchpoint]
        automated = enabled and manual[onboarding].take(1 - share_automated) == 0
        if automated:
            succeeded = failed[onboarding].take(1 - share_succeeded) == 0
            clock = (rng.randint(7, 19), rng.randint(0, 59), rng.randint(0, 59))
        else:
            succeeded = rng.random() < HUMAN_SUCCESS
            clock = business_time(rng, 9, 16)
        rows.append(
            {
                "execution_id": None,
                "touchpoint": touchpoint,
                "client_id": client_id,
                "run_at": at(world, day, *clock),
                "automated": automated,
                "succeeded": succeeded,
            }
        )
    rows.sort(key=lambda r: (r["run_at"], r["client_id"], r["touchpoint"]))
    for number, row in enumerate(rows, start=1):
        row["execution_id"] = f"EX{number:08d}"
    return rows


def write_automation_runs(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    return write_daily(ctx, extract, rows_by_local_day(world, automation_run_rows(world), "run_at"))


# --------------------------------------------------------------------------------------------
# integrations.syncs
# --------------------------------------------------------------------------------------------

# Real-time integrations (seed `realtime_integrations`): events per day at scale 1.
REALTIME_INTEGRATIONS = (
    ("stripe_to_crm", 180),
    ("crm_to_dialer", 220),
    ("crm_to_client_portal", 120),
    ("dispute_engine_to_portal", 160),
)
# Scheduled (batch) integrations: minutes between runs, local time of the first run.
BATCH_INTEGRATIONS = (
    ("dispute_engine_to_crm", 15, 0),
    ("crm_to_email_platform", 60, 0),
    ("stripe_to_quickbooks", 1440, 60),
)
SYNC_FAILURE_RATE = 0.007  # ≈ 99.3% of attempts succeed (target > 99, red ≤ 98)
MAX_DAILY_SYNC_FAILURES = 0.012
WEEKEND_TRAFFIC = 0.4


def _event_second(rng: Random, day_seconds: int) -> int:
    """Seconds after local midnight: most activity in 08:00–20:00, some around the clock."""
    if rng.random() < 0.8:
        second = rng.randint(8 * 3600, 20 * 3600 - 1)
    else:
        second = rng.randint(0, 24 * 3600 - 1)
    return min(second, day_seconds - 1)


def integration_sync_rows(world: World) -> list[Row]:
    rng = world.rng("integrations.syncs")
    failures = Budget(rng, SYNC_FAILURE_RATE)
    rows: list[Row] = []
    for day in world.days():
        day_start = at(world, day, 0)
        day_seconds = int((at(world, day + timedelta(days=1), 0) - day_start).total_seconds())
        traffic = 1.0 if day.weekday() < 5 else WEEKEND_TRAFFIC
        attempts: list[Row] = []
        for integration, per_day in REALTIME_INTEGRATIONS:
            for _ in range(_random_round(rng, per_day * world.scale * traffic)):
                event = day_start + timedelta(seconds=_event_second(rng, day_seconds))
                lag = min(20.0, rng.lognormvariate(math.log(3), 0.8))
                started = later(event, seconds=lag)
                duration = min(20.0, rng.lognormvariate(math.log(5), 0.7))
                attempts.append(
                    {"integration": integration, "realtime": True, "source_event_at": event,
                     "started_at": started, "duration": duration, "records": 1}
                )  # fmt: skip
        for integration, every, first_minute in BATCH_INTEGRATIONS:
            for minute in range(first_minute, 24 * 60, every):
                offset = min(minute * 60, day_seconds - 60) + rng.randint(0, 20)
                started = day_start + timedelta(seconds=offset)
                duration = rng.uniform(20, 300) if every >= 1440 else rng.uniform(5, 60)
                records = rng.randint(50, 400) if every >= 1440 else rng.randint(0, 40)
                attempts.append(
                    {"integration": integration, "realtime": False, "source_event_at": None,
                     "started_at": started, "duration": duration, "records": records}
                )  # fmt: skip
        # The day's failed attempts: the budget's share, at most MAX_DAILY_SYNC_FAILURES of
        # the day (a quiet day is not red by chance), on random attempts.
        cap = int(MAX_DAILY_SYNC_FAILURES * len(attempts))
        failing = rng.sample(range(len(attempts)), failures.take(len(attempts), cap=cap))
        failed = [False] * len(attempts)
        for index in failing:
            failed[index] = True
        for attempt, fails in zip(attempts, failed, strict=True):
            started, duration = attempt.pop("started_at"), attempt.pop("duration")
            if fails:
                # The attempt errors out after a few seconds and is retried: at once for an
                # event (the whole chain stays under a minute), a minute later for a batch.
                failed_after = rng.uniform(1, 4)
                rows.append(
                    {**attempt, "started_at": started, "records": 0, "succeeded": False,
                     "completed_at": later(started, seconds=failed_after)}
                )  # fmt: skip
                wait = rng.uniform(3, 8) if attempt["realtime"] else rng.uniform(60, 120)
                started = later(started, seconds=failed_after + wait)
            rows.append(
                {**attempt, "started_at": started, "succeeded": True,
                 "completed_at": later(started, seconds=duration)}
            )  # fmt: skip
    rows.sort(key=lambda r: (r["started_at"], r["integration"]))
    for number, row in enumerate(rows, start=1):
        row["sync_id"] = f"SYN{number:08d}"
    return rows


def write_integration_syncs(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    rows = integration_sync_rows(world)
    return write_daily(ctx, extract, rows_by_local_day(world, rows, "started_at"))


# --------------------------------------------------------------------------------------------
# backups.runs
# --------------------------------------------------------------------------------------------

# Seed `backup_schedule`: every critical system nightly at 02:00 local, full on Sundays.
BACKUP_SLOT_TIME = "02:00"
FULL_BACKUP_MB = {
    "crm": 5200.0,
    "billing": 1800.0,
    "client_portal": 9600.0,
    "dialer": 14000.0,
    "dispute_engine": 7400.0,
}
BACKUP_ATTEMPT_FAILURE_RATE = 0.004  # a failed attempt, retried successfully in the same slot
MANUAL_BACKUPS_PER_MONTH = 2


def _backup(system: str, slot: str | None, kind: str, started: datetime, minutes: float,
            size: float, succeeded: bool) -> Row:  # fmt: skip
    return {
        "backup_id": None,
        "system": system,
        "slot_id": slot,
        "backup_type": kind,
        "scheduled": slot is not None,
        "started_at": started,
        "completed_at": later(started, minutes=minutes),
        "succeeded": succeeded,
        "size_mb": round(size, 1),
    }


def backup_rows(world: World) -> list[Row]:
    rng = world.rng("backups.runs")
    failures = Budget(rng, BACKUP_ATTEMPT_FAILURE_RATE)
    window_days = max(1, (world.end - world.start).days)
    rows: list[Row] = []
    for day in world.days():
        growth = 1.0 + 0.15 * (day - world.start).days / window_days
        kind = "full" if day.weekday() == 6 else "incremental"
        for system in CRITICAL_SYSTEMS:
            slot = f"{system}-{day.isoformat()}-{BACKUP_SLOT_TIME}"
            full = FULL_BACKUP_MB[system] * growth
            size = full if kind == "full" else full * rng.uniform(0.02, 0.06)
            minutes = rng.uniform(25, 50) if kind == "full" else rng.uniform(4, 15)
            started = at(world, day, 2, rng.randint(0, 4), rng.randint(0, 59))
            if failures.hit():
                rows.append(_backup(system, slot, kind, started, rng.uniform(1, 5),
                                    size * rng.uniform(0.05, 0.4), False))  # fmt: skip
                started = later(started, minutes=rng.uniform(20, 40))
            rows.append(_backup(system, slot, kind, started, minutes, size, True))
        if day.weekday() < 5 and rng.random() < MANUAL_BACKUPS_PER_MONTH / 21.7:
            system = rng.choice(CRITICAL_SYSTEMS)
            started = at(world, day, *business_time(rng, 10, 16))
            full = FULL_BACKUP_MB[system] * growth
            rows.append(_backup(system, None, "manual", started, rng.uniform(25, 50), full, True))
    rows.sort(key=lambda r: (r["started_at"], r["system"]))
    for number, row in enumerate(rows, start=1):
        row["backup_id"] = f"BK{number:07d}"
    return rows


def write_backup_runs(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    rows = backup_rows(world)
    if ctx.defects:
        # AS1: one scheduled slot whose attempt and retry both fail, so it has no backup.
        rng = world.rng("backups.runs.defects")
        day, system = window_day(world, 0.6), "billing"
        slot = f"{system}-{day.isoformat()}-{BACKUP_SLOT_TIME}"
        attempts = [r for r in rows if r["slot_id"] == slot]
        for attempt in attempts:
            attempt["succeeded"] = False
            attempt["completed_at"] = later(attempt["started_at"], minutes=rng.uniform(1, 5))
            attempt["size_mb"] = round(attempt["size_mb"] * rng.uniform(0.05, 0.4), 1)
        if len(attempts) == 1:
            retry = {**attempts[0], "backup_id": f"BK{len(rows) + 1:07d}"}
            retry["started_at"] = later(retry["started_at"], minutes=rng.uniform(20, 40))
            retry["completed_at"] = later(retry["started_at"], minutes=rng.uniform(1, 5))
            rows.append(retry)
            attempts.append(retry)
        ctx.plant_defect(
            kind="incident",
            raw_table=extract.raw_table,
            description=(
                f"Scheduled backup slot {slot} failed: the attempt and its retry both failed, "
                "so no successful backup exists for the slot (AS1 system failure; "
                "backup_success_rate red for the day)"
            ),
            rows=len(attempts),
            column="succeeded",
            check="alert",
            day=day.isoformat(),
            slot_id=slot,
            kpi_id="backup_success_rate",
        )
    return write_daily(ctx, extract, rows_by_local_day(world, rows, "started_at"))


# --------------------------------------------------------------------------------------------
# security.incidents
# --------------------------------------------------------------------------------------------

# Detections per month at scale 1; all are triaged as false positives except the planted one.
DETECTIONS_PER_MONTH = 3.0
SECURITY_CATEGORIES = (
    ("phishing", 0.40),
    ("suspicious_login", 0.25),
    ("malware", 0.15),
    ("policy_violation", 0.12),
    ("unauthorized_access", 0.08),
)


def _weighted(rng: Random, options: tuple[tuple[str, float], ...]) -> str:
    pick, total = rng.random(), 0.0
    for value, weight in options:
        total += weight
        if pick < total:
            return value
    return options[-1][0]


def security_incident_versions(world: World) -> tuple[list[tuple[datetime, str, Row]], date]:
    rng = world.rng("security.incidents")
    daily = max(0.5, DETECTIONS_PER_MONTH * world.scale) / 30.4
    confirmed_day = window_day(world, 0.7)
    detections: list[tuple[datetime, bool]] = []
    for day in world.days():
        if rng.random() < daily:
            detections.append((_day_moment(world, rng, day), False))
    detections.append((at(world, confirmed_day, 10, 42, 7), True))
    detections.sort()
    versions = []
    for number, (detected, confirmed) in enumerate(detections, start=1):
        incident_id = f"SEC{number:05d}"
        if confirmed:
            severity, category = "low", "phishing"
        else:
            severity = _weighted(rng, (("low", 0.55), ("medium", 0.35), ("high", 0.10)))
            category = _weighted(rng, SECURITY_CATEGORIES)
        row = {
            "incident_id": incident_id,
            "detected_at": detected,
            "severity": severity,
            "category": category,
            "status": "investigating",
            "confirmed": None,
        }
        versions.append((detected, incident_id, row))
        triage_day = next_business_day(local_day(world, detected) + timedelta(days=1))
        triaged = at(world, triage_day, *business_time(rng, 9, 16))
        status = "confirmed" if confirmed else "false_positive"
        versions.append((triaged, incident_id, {**row, "status": status, "confirmed": confirmed}))
    return versions, confirmed_day


def _day_moment(world: World, rng: Random, day: date) -> datetime:
    return at(world, day, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


def write_security_incidents(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    versions, confirmed_day = security_incident_versions(world)
    month_start = confirmed_day.replace(day=1)
    month_last = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    ctx.plant_gap(
        kpi_id="security_incident_rate",
        expected_status={"yellow"},
        description=(
            f"One confirmed low-severity phishing incident detected on {confirmed_day} "
            "(credentials reset, no data accessed): exactly 1 low/medium incident → yellow; "
            "every other detection of the year is a false positive"
        ),
        department="technology",
        grain="month",
        period_start=max(month_start, world.start),
        period_end=min(month_last, world.end),
    )
    return write_daily(ctx, extract, versions_by_day(world, versions))


# --------------------------------------------------------------------------------------------
# api.requests
# --------------------------------------------------------------------------------------------

# (system, method, endpoint, traffic weight, median latency in ms before LATENCY_FACTOR).
ENDPOINTS = (
    ("client_portal", "POST", "/api/v1/login", 8, 300),
    ("client_portal", "GET", "/api/v1/dashboard", 14, 420),
    ("client_portal", "GET", "/api/v1/credit-report", 8, 650),
    ("client_portal", "POST", "/api/v1/documents", 4, 700),
    ("client_portal", "GET", "/api/v1/messages", 6, 260),
    ("crm", "GET", "/api/v1/contacts", 10, 320),
    ("crm", "POST", "/api/v1/contacts", 3, 380),
    ("crm", "GET", "/api/v1/opportunities", 5, 360),
    ("billing", "GET", "/api/v1/invoices", 5, 340),
    ("billing", "POST", "/api/v1/payment-methods", 2, 600),
    ("billing", "POST", "/api/v1/webhooks/stripe", 6, 220),
    ("dialer", "POST", "/api/v1/calls", 12, 240),
    ("dialer", "GET", "/api/v1/agents/status", 6, 160),
    ("dispute_engine", "GET", "/api/v1/disputes", 6, 450),
    ("dispute_engine", "POST", "/api/v1/disputes", 2, 600),
    ("dispute_engine", "POST", "/api/v1/letters", 3, 800),
)
HEALTH_ENDPOINT = "/health"  # seed `health_check_endpoints`; excluded from response time
REQUESTS_PER_DAY = 2400  # sampled user requests on a weekday at scale 1
LATENCY_SIGMA = 0.6
LATENCY_FACTOR = 1.0
FAILURE_RATE = 0.005  # 5xx or timeout: availability ≈ 99.5% (target > 99)
TIMEOUT_SHARE = 0.3
TIMEOUT_MS = 30000.0
CLIENT_ERROR_RATE = 0.025
# Share of the day's traffic per local hour.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 11, 11, 10, 9, 7, 6, 5, 4, 3, 2, 1)


def api_request_rows(world: World) -> dict[date, list[Row]]:
    rng = world.rng("api.requests")
    failures = Budget(rng, FAILURE_RATE)
    normal = NormalDist()
    quantiles = [rng.random() for _ in ENDPOINTS]
    weights = [w for *_, w, _ in ENDPOINTS]
    cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
    hours = [sum(HOUR_WEIGHTS[: i + 1]) for i in range(24)]
    by_day: dict[date, list[Row]] = {}
    number = 0
    for day in world.days():
        day_start = at(world, day, 0)
        day_seconds = int((at(world, day + timedelta(days=1), 0) - day_start).total_seconds())
        traffic = 1.0 if day.weekday() < 5 else WEEKEND_TRAFFIC
        planned: list[tuple[int, Row]] = []
        for _ in range(_random_round(rng, REQUESTS_PER_DAY * world.scale * traffic)):
            hour = bisect.bisect_right(hours, rng.random() * hours[-1])
            second = min(day_seconds - 1, hour * 3600 + int(rng.random() * 3600))
            index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
            system, method, endpoint, _, median = ENDPOINTS[index]
            # Each endpoint's latency quantiles follow a Weyl sequence: any day's sample covers
            # its distribution evenly, so a small sample's p95 does not wander into red by chance.
            quantile = quantiles[index] = (quantiles[index] + GOLDEN) % 1.0
            spread = normal.inv_cdf(min(max(quantile, 1e-6), 1 - 1e-6))
            latency = median * LATENCY_FACTOR * math.exp(LATENCY_SIGMA * spread)
            if failures.hit():
                if rng.random() < TIMEOUT_SHARE:
                    status, latency = None, TIMEOUT_MS
                else:
                    status = rng.choice((500, 502, 503, 504))
            elif rng.random() < CLIENT_ERROR_RATE:
                status = rng.choice((400, 401, 403, 404, 409, 422, 429))
                latency *= 0.4
            else:
                status = 201 if method == "POST" and endpoint != "/api/v1/login" else 200
            planned.append(
                (second, {"system": system, "method": method, "endpoint": endpoint,
                          "status": status, "latency_ms": round(latency, 1)})
            )  # fmt: skip
        for system in CRITICAL_SYSTEMS:  # sampled monitor probes, one per system per hour
            for hour in range(24):
                second = min(day_seconds - 1, hour * 3600 + rng.randint(0, 59))
                planned.append(
                    (second, {"system": system, "method": "GET", "endpoint": HEALTH_ENDPOINT,
                              "status": 200, "latency_ms": round(rng.uniform(4, 25), 1)})
                )  # fmt: skip
        planned.sort(key=lambda item: item[0])
        rows = []
        for second, row in planned:
            number += 1
            row["request_id"] = f"REQ{number:09d}"
            row["requested_at"] = day_start + timedelta(seconds=second)
            rows.append(row)
        by_day[day] = rows
    return by_day


def write_api_requests(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    by_day = api_request_rows(world)
    columns = [c.name for c in extract.columns]
    short_day = None
    if ctx.defects:
        rng = world.rng("api.requests.defects")
        negative_day = window_day(world, 0.4)
        rows = [r for r in by_day[negative_day] if r["endpoint"] != HEALTH_ENDPOINT]
        broken = rng.sample(rows, min(len(rows), max(3, math.ceil(0.025 * len(rows)))))
        for row in broken:
            row["latency_ms"] = -row["latency_ms"]
        ctx.plant_defect(
            kind="out_of_range",
            raw_table=extract.raw_table,
            description=(
                f"{len(broken)} API requests on {negative_day} carry a negative latency_ms "
                "(operational accuracy: latency_ms ≥ 0)"
            ),
            rows=len(broken),
            column="latency_ms",
            check="accuracy",
            day=negative_day.isoformat(),
        )
        short_day = window_day(world, 0.75)
        ctx.plant_defect(
            kind="wrong_columns",
            raw_table=extract.raw_table,
            description=(
                f"The API request export of {short_day} was delivered without its endpoint "
                "column: the whole file is quarantined (WrongColumnsError)"
            ),
            rows=len(by_day[short_day]),
            column="endpoint",
            check="ingest_quarantine",
            day=short_day.isoformat(),
        )
    total = 0
    for day in world.days():
        rows = by_day.get(day, [])
        if day == short_day:
            short = [c for c in columns if c != "endpoint"]
            total += write_csv(ctx.path(extract, day), short, rows)
        else:
            total += write_csv(ctx.path(extract, day), columns, rows)
    return total


WRITERS: dict[str, Writer] = {
    "uptime.incidents": write_uptime_incidents,
    "uptime.checks": write_uptime_checks,
    "automation.runs": write_automation_runs,
    "integrations.syncs": write_integration_syncs,
    "backups.runs": write_backup_runs,
    "security.incidents": write_security_incidents,
    "api.requests": write_api_requests,
}
