"""Onboarding extracts (the client-success project tool) and the client-operations timeline.

The onboarding timeline is the backbone the other client-operations generators share (support,
product_usage, surveys, disputes): who is in onboarding when, when the intake milestones and the
credit pull happen, who adopts the AI tools. Everything here is simulated in business-time
(`world.tz`) wall-clock datetimes and converted to naive UTC only when a row is written, so
business hours (Mon-Fri 09:00-17:00 local, catalogue §1.1) are exact.

Exports, one CSV per delivery day holding the records created or changed that day at their
end-of-day state (staging keeps the latest delivery of each key):
- onboarding.onboardings: one row per onboarding (client, contract), counters as of delivery.
- onboarding.milestones: the onboarding plan, delivered when planned and again when completed.
- onboarding.blockers: blockers, delivered when logged and again when resolved.

Records that exist before the window are delivered in the first day's file (initial load). Event
history starts at `history_start` (the first of the month two months before the window), so the
onboardings already running at the window start carry their complete counters.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.hr import company_holidays
from orchestration.extracts.world import Client, World

T = TypeVar("T")

OPEN_HOUR, CLOSE_HOUR = 9, 17  # business hours, catalogue §1.1 default calendar
OB_CLOSE_DAYS = 60  # kpi_params.ob_close_days

# The onboarding plan: (milestone, owner, due offset in days from the contract date, intake).
# The four intake milestones are S7's "client onboarding" (seed intake_milestones).
MILESTONES: tuple[tuple[str, str, int, bool], ...] = (
    ("agreement", "client", 0, True),
    ("portal_access", "agency", 2, True),
    ("credit_reports_pulled", "agency", 3, True),
    ("id_proof_of_address", "client", 4, True),
    ("kickoff_call", "agency", 7, False),
    ("ai_tools_setup", "client", 10, False),
    ("first_dispute_round_sent", "agency", 12, False),
    ("core_training", "client", 16, False),
    ("progress_review", "agency", 21, False),
    ("handoff_meeting", "agency", 31, False),
)
INTAKE_MILESTONES = tuple(name for name, _, _, intake in MILESTONES if intake)

BLOCKER_TYPES = (
    ("client_unresponsive", 0.30),
    ("missing_assets_or_access", 0.30),
    ("bureau_delay", 0.15),
    ("payment_issue", 0.15),
    ("other", 0.10),
)
BLOCKER_SEVERITIES = (("low", 0.35), ("medium", 0.40), ("high", 0.20), ("critical", 0.05))
BLOCKERS_PER_ONBOARDING = ((0, 0.62), (1, 0.26), (2, 0.09), (3, 0.03))

# Shares the onboarding programme achieves (catalogue targets in brackets).
STALLED_SHARE = 0.03  # onboardings that never reach handoff (completion rate > 90)
TRAINING_SHARE = 0.96  # client core training completed (> 90)
TOOL_ADOPTION_SHARE = 0.86  # AI tools active in week 2 (> 80)


# ---------------------------------------------------------------------------------------------
# Shared helpers for the client-operations generators


def cached(world: World, key: str, build: Callable[[], T]) -> T:
    """One simulation per world, shared by every writer that reads it."""
    store = world.__dict__.setdefault("_clientops_cache", {})
    if key not in store:
        store[key] = build()
    return store[key]


def history_start(world: World) -> date:
    """First day of event history: the first of the month two months before the window."""
    return (world.start - timedelta(days=61)).replace(day=1)


def window_end(world: World) -> datetime:
    """The exclusive end of the window, local wall-clock."""
    return datetime.combine(world.end + timedelta(days=1), time(0, 0))


def month_of(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def window_months(world: World) -> list[date]:
    months, month = [], month_of(world.start)
    while month <= world.end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


class Clock:
    """Business-time wall clock <-> naive UTC, with the UTC offset cached per day."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._offsets: dict[date, timedelta] = {}

    def _offset(self, day: date) -> timedelta:
        offset = self._offsets.get(day)
        if offset is None:
            noon = datetime.combine(day, time(12, 0))
            offset = self._offsets[day] = self.world.to_utc(day, time(12, 0)) - noon
        return offset

    def utc(self, local: datetime | None) -> datetime | None:
        if local is None:
            return None
        if local.hour < 4:  # a daylight-saving switch happens at 02:00: convert exactly
            return self.world.to_utc(local.date(), local.time())
        return local + self._offset(local.date())

    def local(self, utc: datetime) -> datetime:
        moment = utc.replace(tzinfo=UTC).astimezone(self.world.tz)
        return moment.replace(tzinfo=None)


def clock(world: World) -> Clock:
    return cached(world, "clock", lambda: Clock(world))


def is_business_day(day: date) -> bool:
    """Mon-Fri except company holidays (seed business_calendar and holidays)."""
    return day.weekday() < 5 and day not in company_holidays(day.year)


def next_business_instant(moment: datetime) -> datetime:
    """`moment` if it is inside business hours, else the next opening."""
    day = moment.date()
    if is_business_day(day) and moment.hour < OPEN_HOUR:
        return datetime.combine(day, time(OPEN_HOUR))
    if is_business_day(day) and moment.hour < CLOSE_HOUR:
        return moment
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(OPEN_HOUR))


def add_business_hours(moment: datetime, hours: float) -> datetime:
    """The instant `hours` business hours after `moment` (Mon-Fri 09:00-17:00, local)."""
    current = next_business_instant(moment)
    remaining = timedelta(seconds=round(hours * 3600))
    while True:
        close = datetime.combine(current.date(), time(CLOSE_HOUR))
        if current + remaining < close or (current + remaining == close and remaining):
            return current + remaining
        remaining -= close - current
        current = next_business_instant(close)


def business_hours_between(start: datetime, end: datetime) -> float:
    """bh(a, b) of catalogue §1.1 on local wall-clock datetimes."""
    if end <= start:
        return 0.0
    total, day = 0.0, start.date()
    while day <= end.date():
        if is_business_day(day):
            opens = datetime.combine(day, time(OPEN_HOUR))
            closes = datetime.combine(day, time(CLOSE_HOUR))
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 3600
        day += timedelta(days=1)
    return total


def business_time(rng: random.Random, day: date) -> datetime:
    """A random instant inside business hours of `day`."""
    return datetime.combine(day, time(OPEN_HOUR)) + timedelta(
        seconds=rng.randint(0, (CLOSE_HOUR - OPEN_HOUR) * 3600 - 1)
    )


def waking_time(rng: random.Random, day: date, first: int = 7, last: int = 22) -> datetime:
    """A random instant between `first`:00 and `last`:59 of `day` (clients act in the evening)."""
    return datetime.combine(day, time(first)) + timedelta(
        seconds=rng.randint(0, (last - first + 1) * 3600 - 1)
    )


def next_business_day(day: date) -> date:
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    pick, cumulative = rng.random(), 0.0
    for value, weight in options:
        cumulative += weight
        if pick < cumulative:
            return value
    return options[-1][0]


class Quota:
    """Bernoulli draws whose hit count stays within one of p x n per key (error diffusion).

    Used where a KPI must land on its planned value month after month even at small scale: the
    individual draws are random, the monthly share is not.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.draws: dict[Any, int] = defaultdict(int)
        self.hits: dict[Any, int] = defaultdict(int)

    def draw(self, key: Any, p: float) -> bool:
        deficit = p * (self.draws[key] + 1) - self.hits[key]
        hit = deficit >= 1 or (deficit > 0 and self.rng.random() < deficit)
        self.draws[key] += 1
        self.hits[key] += hit
        return hit


def spread(n: int, options: Sequence[tuple[T, float]]) -> list[T]:
    """n values whose counts match the weights to within one (systematic sampling at the
    midpoints), in the order of the weights; callers sort them onto their records."""
    values: list[T] = []
    phase = 0.5  # midpoints: the closest mean to the planned one for small n
    for i in range(n):
        u, cumulative = (i + phase) / n, 0.0
        for value, weight in options:
            cumulative += weight
            if u < cumulative:
                values.append(value)
                break
        else:
            values.append(options[-1][0])
    return values


def geometric_days(rng: random.Random, p: float) -> int:
    """Days until the next event of a daily Bernoulli(p) process (>= 1)."""
    if p >= 1:
        return 1
    return int(math.log(1.0 - rng.random()) / math.log(1.0 - p)) + 1


def delivery_days(world: World, moments: Iterable[datetime | None]) -> list[date]:
    """The files a record appears in: the day of each change inside the window; changes before
    the window land in the first day's file."""
    end = window_end(world)
    days = {max(m.date(), world.start) for m in moments if m is not None and m < end}
    return sorted(days)


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0, 0))


def known(moment: datetime | None, cutoff: datetime) -> datetime | None:
    """`moment` if it has happened by `cutoff`, else None (the export's view at that time)."""
    return moment if moment is not None and moment < cutoff else None


# ---------------------------------------------------------------------------------------------
# The client timeline


@dataclass
class Span:
    """A client's active time inside the event history, local wall-clock."""

    client: Client
    number: int
    contract: datetime  # became_client_at, local
    churn: datetime | None  # end of the subscription, local
    start: datetime  # max(history start, contract)
    end: datetime  # min(window end, churn)


def client_spans(world: World) -> list[Span]:
    """Every client active at some point between the history start and the window end."""

    def build() -> list[Span]:
        clk = clock(world)
        first = datetime.combine(history_start(world), time(0, 0))
        last = window_end(world)
        spans = []
        for number, client in enumerate(world.clients, start=1):
            contract = clk.local(client.became_client_at)
            ended = world.churned_at(client)
            churn = clk.local(ended) if ended is not None else None
            span = Span(
                client, number, contract, churn, max(first, contract), min(last, churn or last)
            )
            if span.start < span.end:
                spans.append(span)
        return spans

    return cached(world, "spans", build)


@dataclass
class Milestone:
    milestone_id: str
    name: str
    owner: str
    due_date: date
    completed: datetime | None  # local


@dataclass
class Blocker:
    blocker_id: str
    type: str
    severity: str
    logged: datetime
    resolved: datetime | None


@dataclass
class Onboarding:
    span: Span
    csm_id: str
    contract: datetime
    end: datetime  # ob_end (catalogue §1.3 / §10.9), local
    handoff: datetime | None
    first_win: datetime | None
    training_done: datetime | None
    tool_adopter: bool
    ai_setup: datetime | None  # first use of an AI tool
    portal_access: datetime
    credit_pull: datetime
    agency_hours: float
    milestones: list[Milestone] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)

    @property
    def client_id(self) -> str:
        return self.span.client.client_id

    def in_onboarding(self, moment: datetime) -> bool:
        return self.contract <= moment < self.end

    def status(self, cutoff: datetime) -> str:
        if self.handoff is not None and self.handoff < cutoff:
            return "handed_off"
        if self.end < cutoff:
            return "closed"
        return "in_progress"


def _before_churn(moment: datetime | None, span: Span) -> datetime | None:
    if moment is None or (span.churn is not None and moment >= span.churn):
        return None
    return moment


def _plan_onboarding(rng: random.Random, quota: Quota, span: Span, seq: list[int]) -> Onboarding:
    contract = span.contract
    day0 = contract.date()
    cohort = month_of(contract)
    # Quotas per month of the KPI's period column: the cohort month (contract + 14 d) for tool
    # adoption, the month the onboarding closes for completion and training.
    stalled = quota.draw(("stalled", cohort), STALLED_SHARE)
    adopter = quota.draw(("tools", month_of(contract + timedelta(days=14))), TOOL_ADOPTION_SHARE)

    blockers: list[Blocker] = []
    for _ in range(weighted(rng, BLOCKERS_PER_ONBOARDING)):
        seq[1] += 1
        logged = business_time(rng, next_business_day(day0 + timedelta(days=rng.randint(1, 20))))
        resolved = add_business_hours(logged, min(rng.lognormvariate(math.log(14), 0.8), 120))
        blockers.append(
            Blocker(
                blocker_id=f"B{seq[1]:07d}",
                type=weighted(rng, BLOCKER_TYPES),
                severity=weighted(rng, BLOCKER_SEVERITIES),
                logged=logged,
                resolved=resolved,
            )
        )
    serious = sum(b.severity in ("high", "critical") for b in blockers)

    first_win = contract + timedelta(days=1.5 + rng.gammavariate(2.0, 1.9))
    first_win = next_business_instant(first_win.replace(microsecond=0))
    handoff = None
    if not stalled:
        days = rng.triangular(20, 34, 25) + 2 * serious
        handoff = business_time(rng, next_business_day(day0 + timedelta(days=round(days))))
        first_win = min(first_win, handoff - timedelta(days=2))
    elif rng.random() < 0.4:
        first_win = None
    handoff = _before_churn(handoff, span)
    end_limit = contract + timedelta(days=OB_CLOSE_DAYS)
    end = handoff or min(span.churn or end_limit, end_limit)
    first_win = _before_churn(first_win, span)

    training = None
    if quota.draw(("training", month_of(end)), TRAINING_SHARE):
        training = waking_time(rng, day0 + timedelta(days=rng.randint(5, 15)), 8, 21)
        if handoff is not None and training >= handoff:
            training = handoff - timedelta(hours=rng.randint(2, 30))
    training = _before_churn(training, span)

    if adopter:
        ai_setup = waking_time(rng, day0 + timedelta(days=rng.randint(2, 6)), 8, 21)
    elif rng.random() < 0.5:
        ai_setup = waking_time(rng, day0 + timedelta(days=rng.randint(15, 25)), 8, 21)
    else:
        ai_setup = None
    ai_setup = _before_churn(ai_setup, span)

    portal = add_business_hours(contract, rng.uniform(0.2, 4))
    credit_pull = add_business_hours(contract, rng.uniform(0.5, 6))
    if rng.random() < 0.025:  # a slow client: proof of identity and address after days
        id_proof = waking_time(rng, day0 + timedelta(days=rng.randint(3, 7)))
    elif rng.random() < 0.01:
        id_proof = None
    else:
        id_proof = contract + timedelta(hours=min(rng.lognormvariate(math.log(10), 0.7), 70))
    completions = {
        "agreement": contract + timedelta(minutes=rng.randint(1, 20)),
        "portal_access": portal,
        "credit_reports_pulled": credit_pull,
        "id_proof_of_address": id_proof,
        "kickoff_call": add_business_hours(contract, rng.uniform(4, 36)),
        "ai_tools_setup": ai_setup,
        "first_dispute_round_sent": business_time(
            rng, next_business_day(day0 + timedelta(days=rng.randint(4, 12)))
        ),
        "core_training": training,
        "progress_review": business_time(
            rng, next_business_day(day0 + timedelta(days=rng.randint(14, 21)))
        ),
        "handoff_meeting": handoff,
    }
    milestones = []
    for index, (name, owner, offset, _) in enumerate(MILESTONES, start=1):
        done = completions[name]
        if done is not None:
            done = done.replace(microsecond=0)
            if done >= end and name != "handoff_meeting":
                done = None
        milestones.append(
            Milestone(
                milestone_id=f"{span.client.client_id}-M{index:02d}",
                name=name,
                owner=owner,
                due_date=day0 + timedelta(days=offset),
                completed=_before_churn(done, span),
            )
        )
    for blocker in blockers:
        if handoff is not None and blocker.resolved is not None and blocker.resolved >= handoff:
            # Blockers are cleared before the handoff meeting.
            blocker.resolved = max(blocker.logged, handoff - timedelta(hours=rng.randint(2, 20)))
        elif handoff is None and blocker.resolved is not None and blocker.resolved >= end:
            blocker.resolved = None if rng.random() < 0.5 else blocker.resolved
        blocker.resolved = _before_churn(blocker.resolved, span)

    return Onboarding(
        span=span,
        csm_id=span.client.csm_id,
        contract=contract,
        end=end,
        handoff=handoff,
        first_win=first_win,
        training_done=training,
        tool_adopter=adopter,
        ai_setup=ai_setup,
        portal_access=portal,
        credit_pull=credit_pull,
        agency_hours=round(max(3.0, rng.gammavariate(9.0, 0.85) + 1.2 * len(blockers)), 2),
        milestones=milestones,
        blockers=[b for b in blockers if b.logged < end],
    )


def onboardings(world: World) -> list[Onboarding]:
    """Every onboarding whose contract falls in the event history or shortly before it (so that
    it can still be running when the history starts), in contract order."""

    def build() -> list[Onboarding]:
        rng = world.rng("onboarding.plan")
        quota = Quota(world.rng("onboarding.quota"))
        earliest = datetime.combine(history_start(world), time(0, 0)) - timedelta(
            days=OB_CLOSE_DAYS
        )
        seq = [0, 0]
        return [
            _plan_onboarding(rng, quota, span, seq)
            for span in client_spans(world)
            if span.contract >= earliest
        ]

    return cached(world, "onboardings", build)


def onboarding_of(world: World) -> dict[str, Onboarding]:
    return cached(
        world, "onboarding_by_client", lambda: {o.client_id: o for o in onboardings(world)}
    )


def exported_onboardings(world: World) -> list[Onboarding]:
    """The onboardings the project tool exports: running at the window start or later."""
    first = datetime.combine(world.start, time(0, 0))
    last = window_end(world)
    return [o for o in onboardings(world) if o.end >= first and o.contract < last]


def credit_pull_day(world: World, span: Span) -> date:
    """The day of the client's baseline credit pull (intake milestone credit_reports_pulled)."""
    onboarding = onboarding_of(world).get(span.client.client_id)
    if onboarding is not None:
        return onboarding.credit_pull.date()
    rng = random.Random(f"{world.seed}:credit_pull:{span.client.client_id}")
    return span.contract.date() + timedelta(days=rng.randint(0, 2))


# ---------------------------------------------------------------------------------------------
# Writers


def write_onboardings(ctx: GenerationContext, extract: Extract) -> int:
    # The counters come from the other client-operations simulations.
    from orchestration.extracts import product_usage, support

    world = ctx.world
    clk = clock(world)
    logins = product_usage.portal_logins_by_client(world)
    ai_uses = product_usage.ai_uses_by_client(world)
    tickets = support.ticket_times_by_client(world)
    by_day: dict[date, list[dict]] = defaultdict(list)
    for o in exported_onboardings(world):
        in_window_logins = [t for t in logins.get(o.client_id, ()) if o.contract <= t < o.end]
        in_window_tickets = [t for t in tickets.get(o.client_id, ()) if o.contract <= t < o.end]
        week2 = o.contract + timedelta(days=14)
        # tool_active_by_week2 as catalogue tool_adoption_rate derives it: an AI-tool event in
        # [contract + 7 d, contract + 14 d).
        tool_active = any(
            o.contract + timedelta(days=7) <= t < week2 for t in ai_uses.get(o.client_id, ())
        )
        changes = [o.contract, o.first_win, o.training_done, week2, o.handoff, o.end]
        span = (o.end - o.contract).total_seconds()
        for day in delivery_days(world, changes):
            cutoff = end_of(day)
            status = o.status(cutoff)
            elapsed = min(1.0, max(0.0, (cutoff - o.contract).total_seconds() / span))
            by_day[day].append(
                {
                    "client_id": o.client_id,
                    "contract_signed_at": o.span.client.became_client_at,
                    "csm_id": o.csm_id,
                    "status": status,
                    "first_win_at": clk.utc(known(o.first_win, cutoff)),
                    "handoff_at": clk.utc(known(o.handoff, cutoff)),
                    "training_completed": known(o.training_done, cutoff) is not None,
                    "tool_active_by_week2": (
                        tool_active if week2 < cutoff or status != "in_progress" else None
                    ),
                    "portal_logins": sum(t < cutoff for t in in_window_logins),
                    "agency_hours": round(o.agency_hours * elapsed * 4) / 4,
                    "support_tickets": sum(t < cutoff for t in in_window_tickets),
                }
            )
    return write_daily(ctx, extract, by_day)


def write_milestones(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    clk = clock(world)
    by_day: dict[date, list[dict]] = defaultdict(list)
    for o in exported_onboardings(world):
        for m in o.milestones:
            for day in delivery_days(world, [o.contract, m.completed]):
                completed = known(m.completed, end_of(day))
                by_day[day].append(
                    {
                        "milestone_id": m.milestone_id,
                        "client_id": o.client_id,
                        "contract_signed_at": o.span.client.became_client_at,
                        "milestone": m.name,
                        "owner": m.owner,
                        "status": "completed" if completed else "pending",
                        "due_date": m.due_date,
                        "completed_at": clk.utc(completed),
                    }
                )
    return write_daily(ctx, extract, by_day)


def write_blockers(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    clk = clock(world)
    by_day: dict[date, list[dict]] = defaultdict(list)
    for o in exported_onboardings(world):
        for b in o.blockers:
            for day in delivery_days(world, [b.logged, b.resolved]):
                resolved = known(b.resolved, end_of(day))
                by_day[day].append(
                    {
                        "blocker_id": b.blocker_id,
                        "client_id": o.client_id,
                        "type": b.type,
                        "severity": b.severity,
                        "status": "resolved" if resolved else "open",
                        "logged_at": clk.utc(b.logged),
                        "resolved_at": clk.utc(resolved),
                    }
                )
    return write_daily(ctx, extract, by_day)


WRITERS: dict[str, Writer] = {
    "onboarding.onboardings": write_onboardings,
    "onboarding.milestones": write_milestones,
    "onboarding.blockers": write_blockers,
}
