"""Help-desk ticket export (Zendesk-style incremental export).

One CSV per day with the tickets created or changed that day (created, first human response,
solved), each at its end-of-day state; staging keeps the latest delivery of each ticket.
Clients open tickets far more often while in onboarding (~2.5 per onboarding, catalogue
onboarding_ticket_volume < 5) than afterwards (~0.6 a month); a cancellation request becomes a
ticket. Reps (world role client_rep, at work per the HR time entries) answer during business
hours (Mon-Fri 09:00-17:00 without company holidays); complaints go to an on-call escalation
desk that answers within two hours at any time. Reps also log tickets themselves (created_by
staff: the rep's outreach is the first response).

Planted gap (GAP §3C, "response 25% slower, resolution 30% longer"): the mean first-response time
is held at 2.5 business hours in every month (target < 2, red >= 2.5) and the mean complaint
resolution time at 31.5 calendar hours (target < 24, red >= 30) until the complaint corrective
actions (operations.py GAP_ACTIONS: daily triage, an escalation playbook) take effect: from the
first month that starts COMPLAINT_FIX_LAG_DAYS after they are raised, complaints are resolved in
20 hours on average (green), so their verified effect (catalogue §8.9) is `effective`, while the
support-staffing actions leave first responses at 2.5 hours (`no_effect`). First-contact
resolution (~85%) and SLA compliance (~97%) stay green.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.hr import workdays
from orchestration.extracts.onboarding import (
    CLOSE_HOUR,
    OPEN_HOUR,
    Quota,
    Span,
    add_business_hours,
    business_hours_between,
    business_time,
    cached,
    client_spans,
    clock,
    delivery_days,
    end_of,
    is_business_day,
    known,
    month_of,
    onboarding_of,
    waking_time,
    weighted,
    window_end,
    window_months,
)
from orchestration.extracts.operations import COMPLAINT_ACTIONS_AT, window_day
from orchestration.extracts.world import World

RESPONSE_BH_TARGET = 2.5  # planted: 25% slower than the 2-business-hour target
COMPLAINT_HOURS_TARGET = 31.5  # planted: ~30% longer than the 24-hour target
COMPLAINT_HOURS_AFTER_FIX = 20.0  # planted recovery once the complaint actions take effect
COMPLAINT_FIX_LAG_DAYS = 35  # from raising the complaint actions to the first fixed month
SLA_BUSINESS_HOURS = 24  # resolve within three business days
ONBOARDING_RATE = 0.095  # tickets per client-day while in onboarding
REGULAR_RATE = 0.02  # tickets per client-day afterwards
COMPLAINT_SHARE = 0.07
FCR_SHARE = 0.91  # of non-complaint tickets
STUCK_SHARE = 0.3  # of tickets not solved at first contact: wait on a third party, miss SLA

CHANNELS_BUSINESS = (("phone", 0.28), ("email", 0.32), ("chat", 0.25), ("portal", 0.15))
CHANNELS_OFF_HOURS = (("email", 0.5), ("portal", 0.3), ("chat", 0.2))
CATEGORIES = (
    ("dispute_status", 0.30),
    ("billing", 0.18),
    ("credit_report_question", 0.17),
    ("account_access", 0.12),
    ("document_upload", 0.13),
    ("general_question", 0.10),
)
# Complaint categories; cfpb, bbb, state_ag and attorney are seed regulatory_complaint_categories.
COMPLAINT_CATEGORIES = (
    ("service_complaint", 0.72),
    ("billing", 0.18),
    ("dispute_status", 0.085),
    ("cfpb", 0.005),
    ("bbb", 0.005),
    ("state_ag", 0.003),
    ("attorney", 0.002),
)


@dataclass
class Ticket:
    client_id: str
    channel: str
    category: str
    is_complaint: bool
    created_by: str
    assignee_id: str
    created: datetime  # local wall-clock, like every time below
    response_bh: float  # business hours to the first human response
    first_response: datetime | None = None
    resolved: datetime | None = None
    fcr: bool | None = None
    sla_due: datetime | None = None
    ticket_id: str = ""


def _arrivals(rng: random.Random, start: datetime, end: datetime, rate: float) -> list[datetime]:
    """Ticket creation instants: Poisson arrivals, busier in business hours, quieter weekends."""
    out, moment = [], start
    while True:
        moment += timedelta(days=rng.expovariate(rate))
        if moment >= end:
            return out
        day = moment.date()
        if not is_business_day(day) and rng.random() < 0.5:
            continue
        if is_business_day(day) and rng.random() < 0.8:
            created = business_time(rng, day)
        else:
            created = waking_time(rng, day)
        if start <= created < end:
            out.append(created)


def _in_business_hours(moment: datetime) -> bool:
    return is_business_day(moment.date()) and OPEN_HOUR <= moment.hour < CLOSE_HOUR


def _raw_response_bh(rng: random.Random, channel: str, created_by: str) -> float:
    if created_by == "staff":
        return 0.0  # a rep's own outreach is the response
    if channel == "phone":
        return rng.uniform(0.05, 0.5)
    if channel == "chat":
        return min(rng.lognormvariate(math.log(0.6), 0.6), 3.0)
    return min(rng.lognormvariate(math.log(3.2), 0.55), 10.0)


def _scale_within_months(
    base: list[float],
    lo: list[float],
    hi: list[float],
    months: list[date],
    target: float | Callable[[date], float],
) -> list[float]:
    """Values clamp(k x base, lo, hi), one factor k per month, so each month's mean is `target`
    (a number, or a function of the month).

    lo/hi keep every value inside its month (the month its unscaled value falls in), so scaling
    never moves a record to another month and every month's mean is exact at any scale.
    """
    groups: dict[date, list[int]] = defaultdict(list)
    for index, month in enumerate(months):
        groups[month].append(index)
    values = list(base)
    for month, members in groups.items():
        goal = target(month) if callable(target) else target

        def mean(k: float, members: list[int] = members) -> float:
            return sum(min(max(k * base[i], lo[i]), hi[i]) for i in members) / len(members)

        low, high = 0.0, 50.0
        for _ in range(50):  # bisection: the mean is monotone in k
            mid = (low + high) / 2
            low, high = (mid, high) if mean(mid) < goal else (low, mid)
        for i in members:
            values[i] = min(max(high * base[i], lo[i]), hi[i])
    return values


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def complaint_fix_month(world: World) -> date | None:
    """The first month whose complaints are resolved at the fixed level: the first month that
    starts COMPLAINT_FIX_LAG_DAYS after the complaint actions are raised; None past the window."""
    effective = window_day(world, COMPLAINT_ACTIONS_AT) + timedelta(days=COMPLAINT_FIX_LAG_DAYS)
    first = effective if effective.day == 1 else _next_month(effective.replace(day=1))
    return first if first <= world.end else None


def complaint_hours_target(world: World, month: date) -> float:
    """Planted mean complaint resolution time (calendar hours) of a month."""
    fixed = complaint_fix_month(world)
    return COMPLAINT_HOURS_AFTER_FIX if fixed and month >= fixed else COMPLAINT_HOURS_TARGET


def _simulate(world: World) -> list[Ticket]:
    rng = world.rng("support.tickets")
    quota = Quota(world.rng("support.fcr"))
    clk = clock(world)
    by_client = onboarding_of(world)
    attendance = workdays(world)
    reps: dict[date, list[str]] = {}

    def assignee(day: date) -> str:
        """A rep at work that day (HR time entries); on other days, one on the payroll."""
        if day not in reps:
            present = [
                w.employee for w in attendance.get(day, ()) if w.employee.role == "client_rep"
            ]
            staff = present or world.staff("client_rep", day) or world.staff("csm", day)
            reps[day] = [e.employee_id for e in staff or world.staff("client_rep")]
        return rng.choice(reps[day])

    def segments(span: Span) -> list[tuple[datetime, datetime, float]]:
        o = by_client.get(span.client.client_id)
        if o is None or o.end <= span.start:
            return [(span.start, span.end, REGULAR_RATE)]
        lo, hi = max(span.start, o.contract), min(span.end, o.end)
        pieces = [(lo, hi, ONBOARDING_RATE)] if lo < hi else []
        if hi < span.end:
            pieces.append((max(hi, span.start), span.end, REGULAR_RATE))
        return pieces

    tickets: list[Ticket] = []
    for span in client_spans(world):
        client_id = span.client.client_id
        for start, end, rate in segments(span):
            for created in _arrivals(rng, start, end, rate):
                staff_hours = _in_business_hours(created)
                by = "staff" if staff_hours and rng.random() < 0.15 else "client"
                complaint = by == "client" and rng.random() < COMPLAINT_SHARE
                if _in_business_hours(created):
                    channel = weighted(rng, CHANNELS_BUSINESS)
                else:
                    channel = weighted(rng, CHANNELS_OFF_HOURS)
                if by == "staff":
                    channel = "phone" if rng.random() < 0.5 else "email"
                category = weighted(rng, COMPLAINT_CATEGORIES if complaint else CATEGORIES)
                tickets.append(
                    Ticket(client_id, channel, category, complaint, by,
                           assignee(created.date()), created,
                           _raw_response_bh(rng, channel, by))
                )  # fmt: skip
        subscription = world.subscription_of(span.client)
        if subscription.cancellation_reason == "cancellation_requested":
            requested = clk.local(subscription.canceled_at)
            if span.start <= requested < span.end:
                channel = weighted(
                    rng,
                    CHANNELS_BUSINESS if _in_business_hours(requested) else CHANNELS_OFF_HOURS,
                )
                tickets.append(
                    Ticket(client_id, channel, "cancellation_request", False, "client",
                           assignee(requested.date()), requested,
                           _raw_response_bh(rng, channel, "client"))
                )  # fmt: skip
    tickets.sort(key=lambda t: (t.created, t.client_id))
    for number, ticket in enumerate(tickets, start=1):
        ticket.ticket_id = f"T{number:07d}"
        ticket.created = ticket.created.replace(microsecond=0)
        ticket.sla_due = add_business_hours(ticket.created, SLA_BUSINESS_HOURS)

    # First responses: every month's mean is the planted 2.5 business hours.
    second = 1 / 3600
    base, lo, hi, months = [], [], [], []
    for t in tickets:
        if t.is_complaint:
            # Complaints go to the on-call escalation desk: answered within two hours, at any
            # time of day; only the business hours in that wait count (catalogue bh).
            t.first_response = t.created + timedelta(seconds=rng.randint(600, 7200))
            t.response_bh = business_hours_between(t.created, t.first_response)
            base.append(t.response_bh)
            lo.append(t.response_bh)
            hi.append(t.response_bh)
            months.append(month_of(t.first_response))
            continue
        month = month_of(add_business_hours(t.created, t.response_bh))
        opens = datetime.combine(month, time(0, 0))
        closes = datetime.combine(_next_month(month), time(0, 0))
        base.append(t.response_bh)
        lo.append(business_hours_between(t.created, opens) + second if t.created < opens else 0)
        hi.append(max(lo[-1], business_hours_between(t.created, closes) - second))
        months.append(month)
    for t, value in zip(
        tickets, _scale_within_months(base, lo, hi, months, RESPONSE_BH_TARGET), strict=True
    ):
        if not t.is_complaint:
            t.response_bh = value
            t.first_response = add_business_hours(t.created, value)

    # Resolution: first-contact resolution for most, a few hours of work for the rest, and the
    # planted 31.5-hour mean (calendar hours) for complaints.
    complaints: list[Ticket] = []
    base, lo, hi, months = [], [], [], []
    for t in tickets:
        assert t.first_response is not None
        if t.is_complaint:
            t.fcr = False
            created = clk.utc(t.created)
            hours = min(max(rng.lognormvariate(math.log(28), 0.35), 8), 70)
            floor = (clk.utc(t.first_response) - created).total_seconds() / 3600 + 0.5
            month = month_of(clk.local(created + timedelta(hours=max(floor, hours))))
            opens = clk.utc(datetime.combine(month, time(0, 0)))
            closes = clk.utc(datetime.combine(_next_month(month), time(0, 0)))
            complaints.append(t)
            base.append(hours)
            lo.append(max(floor, (opens - created).total_seconds() / 3600 + second))
            hi.append(max(lo[-1], (closes - created).total_seconds() / 3600 - second))
            months.append(month)
        elif t.category == "cancellation_request" or quota.draw(
            ("fcr", month_of(t.created)), FCR_SHARE
        ):
            t.fcr = True
            t.resolved = t.first_response + timedelta(seconds=rng.randint(180, 2100))
        else:
            t.fcr = False
            if rng.random() < STUCK_SHARE:
                extra = rng.uniform(24, 40)
            else:
                extra = min(rng.lognormvariate(math.log(3.5), 0.6), 12.0)
            t.resolved = add_business_hours(t.first_response, extra)
    hours_taken = _scale_within_months(
        base, lo, hi, months, lambda month: complaint_hours_target(world, month)
    )
    for t, hours in zip(complaints, hours_taken, strict=True):
        resolved = clk.utc(t.created) + timedelta(seconds=round(hours * 3600))
        t.resolved = clk.local(resolved)

    # What has not happened by the end of the window is not in the export.
    end = window_end(world)
    for t in tickets:
        t.first_response = known(t.first_response, end)
        t.resolved = known(t.resolved, end) if t.first_response else None
        if t.resolved is None:
            t.fcr = None
    return tickets


def tickets(world: World) -> list[Ticket]:
    return cached(world, "tickets", lambda: _simulate(world))


def ticket_times_by_client(world: World) -> dict[str, list[datetime]]:
    def build() -> dict[str, list[datetime]]:
        times: dict[str, list[datetime]] = defaultdict(list)
        for t in tickets(world):
            times[t.client_id].append(t.created)
        return times

    return cached(world, "ticket_times", build)


def _late_file_day(world: World) -> date | None:
    """A weekday about a third into the window whose file also carries day-3's tickets."""
    day = world.start + timedelta(days=max(4, (world.end - world.start).days // 3))
    while day.weekday() != 3:  # a Thursday: day-3 is the Monday before
        day += timedelta(days=1)
    return day if day <= world.end else None


def write_tickets(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    clk = clock(world)
    all_tickets = tickets(world)
    ctx.plant_gap(
        kpi_id="response_time_to_inquiries",
        expected_status={"yellow", "red"},
        description=(
            "support first responses are 25% slower than the 2-business-hour target (GAP §3C): "
            f"every month's mean is {RESPONSE_BH_TARGET} business hours, at the red flag"
        ),
        department="customer_support",
        grain="month",
        period_start=world.start,
        period_end=world.end,
        kind="below_target",
        planned_value=RESPONSE_BH_TARGET,
    )
    fixed = complaint_fix_month(world)
    last_red = fixed - timedelta(days=1) if fixed else world.end
    if last_red >= world.start:
        ctx.plant_gap(
            kpi_id="complaint_resolution_time",
            expected_status={"red"},
            description=(
                "complaints take ~30% longer to resolve than the 24-hour target (GAP §3C): every "
                f"month's mean is {COMPLAINT_HOURS_TARGET} calendar hours (red at >= 30) until "
                "the complaint corrective actions take effect"
            ),
            department="customer_support",
            grain="month",
            period_start=world.start,
            period_end=last_red,
            kind="below_target",
            planned_value=COMPLAINT_HOURS_TARGET,
        )
    if fixed:
        ctx.plant_gap(
            kpi_id="complaint_resolution_time",
            expected_status={"green"},
            description=(
                "the complaint corrective actions (daily triage, escalation playbook) close the "
                f"gap: from {fixed:%Y-%m} every month's mean is {COMPLAINT_HOURS_AFTER_FIX} "
                "calendar hours (target < 24), so their verified effect is `effective`"
            ),
            department="customer_support",
            grain="month",
            period_start=fixed,
            period_end=world.end,
            kind="recovered",
            planned_value=COMPLAINT_HOURS_AFTER_FIX,
        )
    null_channel: set[str] = set()
    null_month = world.start
    late_day: date | None = None
    late: set[str] = set()
    if ctx.defects:
        rng = world.rng("support.tickets.defects")
        months = window_months(world)
        null_month = months[len(months) // 2]
        null_channel = {
            t.ticket_id
            for t in all_tickets
            if month_of(t.created) == null_month and rng.random() < 0.10
        }
        late_day = _late_file_day(world)
        if late_day is not None:
            event_day = late_day - timedelta(days=3)
            late = {t.ticket_id for t in all_tickets if t.created.date() == event_day}
            ctx.plant_defect(
                kind="late_file",
                raw_table=extract.raw_table,
                description=(
                    f"the {event_day} tickets were missing from the export that day and arrived "
                    f"3 days late, in the file of {late_day} (first delivery of each ticket_id "
                    "is 3 days after its created_at)"
                ),
                rows=len(late),
                column="created_at",
                check="timeliness",
                partition=late_day.isoformat(),
                event_date=event_day.isoformat(),
            )
    by_day: dict[date, list[dict]] = defaultdict(list)
    for t in all_tickets:
        days = delivery_days(world, [t.created, t.first_response, t.resolved])
        if t.ticket_id in late and late_day is not None:
            days = [late_day, *(d for d in days if d > late_day)]
        for day in days:
            cutoff = end_of(day)
            responded = known(t.first_response, cutoff)
            resolved = known(t.resolved, cutoff)
            by_day[day].append(
                {
                    "ticket_id": t.ticket_id,
                    "client_id": t.client_id,
                    "channel": None if t.ticket_id in null_channel else t.channel,
                    "category": t.category,
                    "is_complaint": t.is_complaint,
                    "created_by": t.created_by,
                    "assignee_id": t.assignee_id,
                    "status": "solved" if resolved else "open" if responded else "new",
                    "created_at": clk.utc(t.created),
                    "first_response_at": clk.utc(responded),
                    "resolved_at": clk.utc(resolved),
                    "resolved_on_first_contact": t.fcr if resolved else None,
                    "sla_due_at": clk.utc(t.sla_due),
                }
            )
    if null_channel:
        ctx.plant_defect(
            kind="null_beyond_tier",
            raw_table=extract.raw_table,
            description=(
                f"channel (primary tier, 95% complete) is empty on ~10% of the tickets created "
                f"in {null_month:%Y-%m} (every delivered version of them): the phone "
                "integration stopped sending it"
            ),
            rows=sum(row["channel"] is None for rows in by_day.values() for row in rows),
            column="channel",
            check="completeness",
            period_start=null_month.isoformat(),
            tickets=len(null_channel),
        )
    return write_daily(ctx, extract, by_day)


WRITERS: dict[str, Writer] = {
    "support.tickets": write_tickets,
}
