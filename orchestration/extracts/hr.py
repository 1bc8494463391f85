"""HR system exports: the employee master, time entries, reviews, training, certifications,
promotions and innovation submissions, all drawn from the world's staff.

Delivery (one CSV per day, DESIGN.md §3):
- every table is **changes-only**: a row is delivered the day it is created and again on each
  day it changes; the first day's file also carries the state of records that predate the window.
  `employees`: every employee on the first day (leavers stay in the master), then an employee's
  full record whenever it changes (hired, termination recorded - two weeks ahead for voluntary
  leavers who gave notice, on the day for involuntary ones -, terminated, promoted, new head or
  manager). A daily full snapshot would repeat identical bytes on quiet days, which the loader
  rightly rejects as duplicate deliveries. Training assignments: when assigned, overdue,
  completed or cancelled; certifications: when issued, renewed or lapsed.

The attendance calendar (`workdays`) is the one source of worked days and hours: the dialer
generator reads it too, so a sales agent's talk time always fits the hours in their time entry.
The world already plants the turnover gap (ANNUAL_TURNOVER); this module measures it and records it.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.world import Employee, World

# Seed kpi_params.turnover_benchmark_pct and the employee_turnover_rate red flag (1.25 x).
TURNOVER_BENCHMARK_PCT = 20.0
TURNOVER_RED_PCT = 1.25 * TURNOVER_BENCHMARK_PCT

DIALER_ROLES = ("sales_agent", "client_rep")
# Roles whose time entries count cases (catalogue cases_per_employee_per_day, seed case_roles).
CASE_ROLES = ("case_manager",)
CASE_DEPARTMENT = "operations"
ABSENCE_RATE = 0.045  # share of business days an employee is on leave or sick
WEAK_AGENT_SHARE = 0.17  # share of sales agents who underperform (dialer triggers fire more)
PROMOTIONS_PER_SEAT_YEAR = 0.12
INNOVATION_IDEAS_PER_QUARTER = 1.4
NOTICE_DAYS = 14  # voluntary leavers are recorded when they hand in their notice
ON_TIME_SHARE, LATE_SHARE = 0.975, 0.02  # of training assignments; the rest are never done
LOOKBACK_DAYS = 92  # records made this long before the window are delivered on its first day

ROLE_TITLES = {
    "sales_agent": "Sales Agent",
    "sales_manager": "Sales Manager",
    "client_rep": "Client Representative",
    "dispute_specialist": "Dispute Specialist",
    "csm": "Client Success Manager",
    "case_manager": "Case Manager",
    "marketing_specialist": "Marketing Specialist",
    "accountant": "Accountant",
    "hr_generalist": "HR Generalist",
    "engineer": "Software Engineer",
    "compliance_officer": "Compliance Officer",
}
GRADES = ("I", "II", "III")
UNGRADED_ROLES = ("sales_manager",)

ANNUAL_COURSES = ("fcra_annual_refresher", "data_privacy_security", "anti_harassment")
ONBOARDING_COURSES = ("new_hire_orientation", *ANNUAL_COURSES)
ROLE_COURSES = {
    "sales_agent": ("objection_handling", "compliant_sales_disclosures"),
    "sales_manager": ("sales_coaching", "compliant_sales_disclosures"),
    "client_rep": ("deescalation_techniques", "complaint_handling"),
    "dispute_specialist": ("dispute_letter_writing", "metro2_reporting"),
    "csm": ("client_onboarding_playbook", "deescalation_techniques"),
    "case_manager": ("case_documentation", "metro2_reporting"),
    "marketing_specialist": ("marketing_compliance", "tcpa_consent"),
    "accountant": ("revenue_recognition", "payroll_controls"),
    "hr_generalist": ("employment_law_update", "interviewing_skills"),
    "engineer": ("secure_coding", "incident_response"),
    "compliance_officer": ("regulatory_update", "audit_techniques"),
}

# (certification, required, validity in days or None) per role.
CERTIFICATIONS = {
    "sales_agent": (("croa_sales_compliance", True, 365),),
    "sales_manager": (("croa_sales_compliance", True, 365),),
    "client_rep": (("fcra_consumer_rights", True, 730),),
    "dispute_specialist": (
        ("fcra_consumer_rights", True, 730),
        ("certified_credit_repair_specialist", True, 730),
    ),
    "csm": (("fcra_consumer_rights", True, 730),),
    "case_manager": (("fcra_consumer_rights", True, 730),),
    "marketing_specialist": (("google_ads_certification", False, 365),),
    "accountant": (("cpa_license", False, 730),),
    "hr_generalist": (("shrm_cp", False, 1095),),
    "engineer": (("aws_solutions_architect", False, 1095),),
    "compliance_officer": (
        ("certified_compliance_professional", True, 730),
        ("cipp_us", False, 730),
    ),
}

IDEA_VERBS = ("Automate", "Simplify", "Standardise", "Speed up", "Track", "Template", "Rethink")
IDEA_OBJECTS = {
    "sales": ("lead callbacks", "quote follow-ups", "call openers", "application hand-off"),
    "customer_support": ("ticket triage", "call summaries", "FAQ answers", "complaint routing"),
    "disputes": ("bureau letters", "item tracking", "evidence packets", "response logging"),
    "client_success": ("onboarding checklists", "welcome calls", "progress reports"),
    "operations": ("case intake", "document scanning", "quality checks", "case hand-offs"),
    "marketing": ("campaign reporting", "landing pages", "lead scoring"),
    "finance": ("month-end close", "invoice reminders", "expense approvals"),
    "hr": ("new-hire onboarding", "timesheet reminders", "review scheduling"),
    "technology": ("deploy checks", "alert routing", "backup verification"),
    "compliance": ("audit evidence", "script reviews", "consent records"),
}
IDEA_CATEGORIES = ("process_improvement", "cost_saving", "client_experience", "product_idea")


# --- calendar -------------------------------------------------------------------------------


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@cache
def company_holidays(year: int) -> frozenset[date]:
    """US federal holidays observed that year (Saturday ones on Friday, Sunday ones on Monday),
    the calendar of seed `holidays`."""
    days = set()
    for y in (year, year + 1):  # New Year's Day of y + 1 can be observed on 31 December of y
        days |= {
            _observed(date(y, 1, 1)),
            _nth_weekday(y, 1, 0, 3),  # Martin Luther King Jr. Day
            _nth_weekday(y, 2, 0, 3),  # Presidents' Day
            _last_weekday(y, 5, 0),  # Memorial Day
            _observed(date(y, 6, 19)),  # Juneteenth
            _observed(date(y, 7, 4)),
            _nth_weekday(y, 9, 0, 1),  # Labor Day
            _nth_weekday(y, 10, 0, 2),  # Columbus Day
            _observed(date(y, 11, 11)),  # Veterans Day
            _nth_weekday(y, 11, 3, 4),  # Thanksgiving
            _observed(date(y, 12, 25)),
        }
    return frozenset(d for d in days if d.year == year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in company_holidays(day.year)


def _next_business_day(day: date) -> date:
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def _business_time(rng: random.Random, start_hour: int = 9, end_hour: int = 16) -> time:
    return time(rng.randint(start_hour, end_hour), rng.randint(0, 59), rng.randint(0, 59))


def _quarters(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar quarters overlapping [start, end], as (first day, last day)."""
    quarters = []
    first = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while first <= end:
        month = first.month + 3
        nxt = date(first.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        quarters.append((first, nxt - timedelta(days=1)))
        first = nxt
    return quarters


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


# --- shared plans (cached on the world; every one deterministic) ------------------------------


@dataclass(frozen=True)
class WorkDay:
    """One employee's worked day: what their time entry says."""

    employee: Employee
    day: date
    hours: float
    productive_hours: float
    cases_handled: int | None


def _staff(world: World) -> list[Employee]:
    return sorted(world.employees, key=lambda e: e.employee_id)


def workdays(world: World) -> dict[date, list[WorkDay]]:
    """Who worked which day and for how long: business days, minus leave, while employed.

    Sales agents and client reps work a little longer in January-March (the busy season).
    """
    cached = world.__dict__.get("_hr_workdays")
    if cached is not None:
        return cached
    rng = world.rng("hr.attendance")
    staff = _staff(world)
    by_day: dict[date, list[WorkDay]] = {}
    for day in world.days():
        entries: list[WorkDay] = []
        if is_business_day(day):
            busy = day.month <= 3
            for employee in staff:
                if not employee.employed_on(day) or rng.random() < ABSENCE_RATE:
                    continue
                mean = 8.4 if busy and employee.role in DIALER_ROLES else 8.0
                hours = round(min(9.5, max(6.0, rng.gauss(mean, 0.35))) * 4) / 4
                share = min(0.97, max(0.72, rng.gauss(0.885, 0.035)))
                cases = None
                if employee.role in CASE_ROLES:
                    cases = max(0, round(rng.gauss(17.5 * hours / 8, 3.0)))
                entries.append(WorkDay(employee, day, hours, round(hours * share, 2), cases))
        by_day[day] = entries
    world.__dict__["_hr_workdays"] = by_day
    return by_day


def performance_levels(world: World) -> dict[str, float]:
    """Each employee's underlying performance on the 1-5 review scale."""
    rng = world.rng("hr.performance")
    return {e.employee_id: min(4.9, max(3.0, rng.gauss(4.25, 0.3))) for e in _staff(world)}


def weak_sales_agents(world: World) -> frozenset[str]:
    """The lowest performers among the sales agents (WEAK_AGENT_SHARE of them)."""
    levels = performance_levels(world)
    agents = sorted(
        (e for e in world.employees if e.role == "sales_agent"),
        key=lambda e: (levels[e.employee_id], e.employee_id),
    )
    return frozenset(e.employee_id for e in agents[: int(WEAK_AGENT_SHARE * len(agents))])


def _initial_grade(employee: Employee, on: date) -> int:
    years = (on - employee.hire_date).days / 365
    return 0 if years < 2 else 1 if years < 4 else 2


def _title(employee: Employee, grade: int) -> str:
    base = ROLE_TITLES.get(employee.role, employee.role.replace("_", " ").title())
    return base if employee.role in UNGRADED_ROLES else f"{base} {GRADES[grade]}"


@dataclass(frozen=True)
class Promotion:
    promotion_id: str
    employee: Employee
    promoted_at: datetime  # UTC, naive
    from_grade: int

    @property
    def day(self) -> date:
        return self.promoted_at.date()


def promotions(world: World) -> list[Promotion]:
    """Grade promotions (I -> II -> III) of employees with a year's tenure, spread over the
    window: about PROMOTIONS_PER_SEAT_YEAR per seat and year, so that about a third of the
    positions filled are filled internally (catalogue internal_promotion_rate > 20%)."""
    cached = world.__dict__.get("_hr_promotions")
    if cached is not None:
        return cached
    rng = world.rng("hr.promotions")
    days = world.days()
    seats = sum(1 for e in world.employees if e.employed_on(world.start))
    wanted = max(1, round(PROMOTIONS_PER_SEAT_YEAR * seats * len(days) / 365))
    candidates = [
        e
        for e in _staff(world)
        if e.role not in UNGRADED_ROLES and _initial_grade(e, max(e.hire_date, world.start)) < 2
    ]
    chosen: dict[str, tuple[Employee, date]] = {}
    # One promotion in each of `wanted` equal slices of the window, so quarters get their share.
    for slot in range(wanted):
        slice_days = days[slot * len(days) // wanted : (slot + 1) * len(days) // wanted]
        for _ in range(200):
            employee, day = rng.choice(candidates), rng.choice(slice_days)
            if (
                employee.employee_id not in chosen
                and is_business_day(day)
                and employee.employed_on(day)
                and (day - employee.hire_date).days >= 365
            ):
                chosen[employee.employee_id] = (employee, day)
                break
    ordered = sorted(chosen.values(), key=lambda item: (item[1], item[0].employee_id))
    result = [
        Promotion(
            promotion_id=f"PR{number:05d}",
            employee=employee,
            promoted_at=world.to_utc(day, time(10, rng.randint(0, 59), rng.randint(0, 59))),
            from_grade=_initial_grade(employee, max(employee.hire_date, world.start)),
        )
        for number, (employee, day) in enumerate(ordered, start=1)
    ]
    world.__dict__["_hr_promotions"] = result
    return result


def _grade_on(world: World, employee: Employee, day: date, promoted: dict[str, Promotion]) -> int:
    promotion = promoted.get(employee.employee_id)
    if promotion is not None:
        return promotion.from_grade + (1 if day >= promotion.day else 0)
    return _initial_grade(employee, max(employee.hire_date, world.start))


def _department_heads(world: World, day: date) -> dict[str, Employee]:
    """Each department's head on `day`: the sales manager for sales, otherwise (and while the
    sales manager's seat is vacant) the longest-serving employee of the department."""
    heads: dict[str, Employee] = {}
    for employee in sorted(world.employees, key=lambda e: (e.hire_date, e.employee_id)):
        if not employee.employed_on(day):
            continue
        current = heads.get(employee.department)
        if current is None or (
            employee.role == "sales_manager" and current.role != "sales_manager"
        ):
            heads[employee.department] = employee
    return heads


# --- turnover (the planted gap) --------------------------------------------------------------


def _month_ends(first: date, last: date) -> list[date]:
    ends, day = [], first
    while day <= last:
        nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if nxt - timedelta(days=1) <= last:
            ends.append(nxt - timedelta(days=1))
        day = nxt
    return ends


def turnover(world: World, first: date, last: date) -> dict:
    """employee_turnover_rate over [first, last] exactly as catalogue §2.4 / §1.3 define it:
    terminations by termination_date / avg_hc x 100 x 12/months, where avg_hc is the mean
    headcount over the month-end before the period and each month-end in it."""
    month_ends = _month_ends(first, last)
    points = [first - timedelta(days=1), *month_ends]
    headcounts = [sum(1 for e in world.employees if e.employed_on(d)) for d in points]
    avg_hc = sum(headcounts) / len(headcounts)
    leavers = sum(
        1 for e in world.employees if e.termination_date and first <= e.termination_date <= last
    )
    raw = 100 * leavers / avg_hc
    annualised = raw * 12 / len(month_ends)
    if annualised <= TURNOVER_BENCHMARK_PCT:
        status = "green"
    elif annualised >= TURNOVER_RED_PCT:
        status = "red"
    else:
        status = "yellow"
    return {
        "terminations": leavers,
        "avg_hc": round(avg_hc, 4),
        "raw_pct": round(raw, 4),
        "measured_value": round(annualised, 4),
        "status": status,
    }


def _turnover_periods(world: World) -> tuple[str, list[tuple[date, date]]]:
    """Full calendar years in the window (the KPI's primary grain), else full quarters."""
    years = [
        (date(y, 1, 1), date(y, 12, 31))
        for y in range(world.start.year, world.end.year + 1)
        if date(y, 1, 1) >= world.start and date(y, 12, 31) <= world.end
    ]
    if years:
        return "year", years
    quarters = [
        q for q in _quarters(world.start, world.end) if world.start <= q[0] and q[1] <= world.end
    ]
    return "quarter", quarters


def retention(world: World, first: date, last: date) -> dict:
    """employee_retention_rate over [first, last] (catalogue §2.4): (hc_end - hires in P still
    employed on the last day) / hc_start x 100, annualised as r^(12/months) (§1.3)."""
    months = len(_month_ends(first, last))
    hc_start = sum(1 for e in world.employees if e.employed_on(first))
    hc_end = sum(1 for e in world.employees if e.employed_on(last))
    hires = sum(1 for e in world.employees if first <= e.hire_date <= last and e.employed_on(last))
    ratio = (hc_end - hires) / hc_start
    annualised = 100 * ratio ** (12 / months)
    status = "green" if annualised > 90 else "red" if annualised <= 80 else "yellow"
    return {
        "hc_start": hc_start,
        "hc_end": hc_end,
        "hires_still_employed": hires,
        "raw_pct": round(100 * ratio, 4),
        "measured_value": round(annualised, 4),
        "status": status,
    }


def plant_turnover_gap(ctx: GenerationContext) -> None:
    """The turnover gap the world plants, measured; and the retention rate it implies."""
    grain, periods = _turnover_periods(ctx.world)
    for first, last in periods:
        measured = turnover(ctx.world, first, last)
        ctx.plant_gap(
            kpi_id="employee_turnover_rate",
            expected_status=[measured.pop("status")],
            description=(
                "Employee turnover 18% above the 20% industry benchmark (GAP §3E): the world "
                "plants 23.6% a year; the measured value is what the catalogue formula gives on "
                "these employees (small scales round the number of leavers)."
            ),
            department=None,
            grain=grain,
            period_start=first,
            period_end=last,
            benchmark_pct=TURNOVER_BENCHMARK_PCT,
            **measured,
        )
        kept = retention(ctx.world, first, last)
        ctx.plant_gap(
            kpi_id="employee_retention_rate",
            expected_status=[kept.pop("status")],
            description=(
                "The other face of the turnover gap: with ~23% of staff leaving in a year, "
                "retention of the staff on the books at the start is below the 90% target."
            ),
            department=None,
            grain=grain,
            period_start=first,
            period_end=last,
            **kept,
        )


# --- writers ---------------------------------------------------------------------------------


def write_employees(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    promoted = {p.employee.employee_id: p for p in promotions(world)}
    staff = _staff(world)
    heads_on: dict[date, dict[str, Employee]] = {}

    def heads(day: date) -> dict[str, Employee]:
        if day not in heads_on:
            heads_on[day] = _department_heads(world, day)
        return heads_on[day]

    by_day: dict[date, list[dict]] = {}
    previous: dict[str, dict] = {}
    for day in world.days():
        rows = []
        for employee in staff:
            if employee.hire_date > day:
                continue
            left = employee.termination_date
            notice = NOTICE_DAYS if employee.termination_reason == "voluntary" else 0
            recorded = left is not None and day >= left - timedelta(days=notice)
            as_of = min(day, left) if left is not None else day  # leavers keep their last day
            head = heads(as_of).get(employee.department)
            is_head = head is not None and head.employee_id == employee.employee_id
            if not recorded:
                status = "active"
            elif day > left:
                status = "terminated"
            else:
                status = "on_notice"
            row = {
                "employee_id": employee.employee_id,
                "first_name": employee.first_name,
                "last_name": employee.last_name,
                "email": employee.email,
                "phone": employee.phone,
                "department": employee.department,
                "role": employee.role,
                "job_title": _title(employee, _grade_on(world, employee, as_of, promoted)),
                "job_level": "head" if is_head else "staff",
                "manager_id": None if is_head or head is None else head.employee_id,
                "hire_date": employee.hire_date,
                "employment_status": status,
                "termination_date": left if recorded else None,
                "termination_reason": employee.termination_reason if recorded else None,
            }
            if previous.get(employee.employee_id) != row:  # new, or changed since last export
                previous[employee.employee_id] = row
                rows.append(row)
        by_day[day] = rows
    plant_turnover_gap(ctx)
    return write_daily(ctx, extract, by_day)


def write_time_entries(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    by_day: dict[date, list[dict]] = {}
    for day, entries in workdays(world).items():
        by_day[day] = [
            {
                "entry_id": f"TE{day:%Y%m%d}{wd.employee.employee_id}",
                "employee_id": wd.employee.employee_id,
                "date": day,
                "department": wd.employee.department,
                "hours_worked": wd.hours,
                "productive_hours": wd.productive_hours,
                "cases_handled": wd.cases_handled,
            }
            for wd in entries
        ]
    if ctx.defects:
        _plant_time_entry_defects(ctx, extract, by_day)
    return write_daily(ctx, extract, by_day)


def _business_day_at(world: World, fraction: float) -> date:
    days = world.days()
    return _next_business_day(days[min(len(days) - 1, int(fraction * len(days)))])


def _plant_time_entry_defects(
    ctx: GenerationContext, extract: Extract, by_day: dict[date, list[dict]]
) -> None:
    world = ctx.world
    rng = world.rng("hr.defects")
    # Productive hours above hours worked on ~10% of one day's entries (operational accuracy).
    day = _business_day_at(world, 0.6)
    rows = by_day.get(day, [])
    if rows:
        bad = rng.sample(rows, max(2, round(0.1 * len(rows))) if len(rows) >= 2 else 1)
        for row in bad:
            row["productive_hours"] = round(row["hours_worked"] + rng.uniform(0.5, 2.0), 2)
        ctx.plant_defect(
            kind="productive_hours_above_hours_worked",
            raw_table=extract.raw_table,
            description=(
                f"{len(bad)} time entries on {day} report more productive hours than hours "
                "worked (catalogue §7.2: 0 <= productive hours <= hours_worked)."
            ),
            rows=len(bad),
            column="productive_hours",
            check="accuracy",
            partition=day.isoformat(),
            entry_ids=sorted(r["entry_id"] for r in bad),
        )
    # A sales agent's time entry missing on a day they made calls (§10.12, §10.23).
    day = _business_day_at(world, 0.4)
    while day <= world.end:
        agents = [r for r in by_day.get(day, []) if _is_sales(world, r)]
        if agents:
            missing = rng.choice(agents)
            by_day[day].remove(missing)
            ctx.plant_defect(
                kind="agent_day_without_time_entry",
                raw_table=extract.raw_table,
                description=(
                    f"Sales agent {missing['employee_id']} made calls on {day} but has no time "
                    "entry that day: an accuracy failure of time_entries (catalogue §10.23); "
                    "talk_time_per_hour leaves that agent-day out (§10.12)."
                ),
                rows=1,
                column="employee_id",
                check="accuracy",
                partition=day.isoformat(),
                employee_id=missing["employee_id"],
            )
            break
        day = _next_business_day(day + timedelta(days=1))


def _is_sales(world: World, row: dict) -> bool:
    roles = world.__dict__.setdefault("_hr_roles", {e.employee_id: e.role for e in world.employees})
    return roles[row["employee_id"]] == "sales_agent"


def write_performance_reviews(ctx: GenerationContext, extract: Extract) -> int:
    """Quarterly reviews, held 5-20 days after the quarter ends, of everyone employed at the
    quarter end with at least 45 days' tenure then and still employed on the review day."""
    world = ctx.world
    rng = world.rng("hr.performance_reviews")
    levels = performance_levels(world)
    by_day: dict[date, list[dict]] = defaultdict(list)
    for q_first, q_last in _quarters(world.start - timedelta(days=92), world.end):
        period = f"{q_first.year}-Q{(q_first.month - 1) // 3 + 1}"
        for employee in _staff(world):
            review_day = _next_business_day(q_last + timedelta(days=rng.randint(5, 20)))
            level = levels[employee.employee_id]
            score = min(5.0, max(1.0, round(rng.gauss(level, 0.25), 1)))
            peer = min(5.0, max(1.0, round(rng.gauss(level - 0.05, 0.3), 1)))
            goal = min(180.0, max(20.0, round(rng.gauss(99 + 25 * (level - 4.25), 11), 1)))
            at = _business_time(rng)
            if not (world.start <= review_day <= world.end):
                continue
            if (
                not employee.employed_on(q_last)
                or not employee.employed_on(review_day)
                or (q_last - employee.hire_date).days < 45
            ):
                continue
            by_day[review_day].append(
                {
                    "review_id": f"RV{q_first.year}Q{(q_first.month - 1) // 3 + 1}"
                    f"{employee.employee_id}",
                    "employee_id": employee.employee_id,
                    "review_period": period,
                    "reviewed_at": world.to_utc(review_day, at),
                    "score": score,
                    "peer_score": peer,
                    "goal_achievement_pct": goal,
                }
            )
    for rows in by_day.values():
        rows.sort(key=lambda r: (r["reviewed_at"], r["review_id"]))
    return write_daily(ctx, extract, by_day)


@dataclass
class _Assignment:
    assignment_id: str
    employee: Employee
    course: str
    assigned: date
    due: date
    onboarding: bool = False


def _training_assignments(world: World) -> list[_Assignment]:
    assignments: list[_Assignment] = []

    def add(employee: Employee, course: str, assigned: date, days: int, new: bool = False) -> None:
        due = assigned + timedelta(days=days)
        assignments.append(
            _Assignment(f"TA{len(assignments) + 1:06d}", employee, course, assigned, due, new)
        )

    staff = _staff(world)
    # A quarter before the window too: those still open at the start are in the first delivery.
    first = world.start - timedelta(days=LOOKBACK_DAYS)
    for q_first, _ in _quarters(first, world.end):
        quarter_index = q_first.year * 4 + (q_first.month - 1) // 3
        if q_first.month == 1:
            annual_day = _next_business_day(date(q_first.year, 1, 15))
            if first <= annual_day <= world.end:
                for employee in staff:
                    # Employees hired this year take the same courses in their onboarding set.
                    if employee.employed_on(annual_day) and employee.hire_date < q_first:
                        for course in ANNUAL_COURSES:
                            add(employee, course, annual_day, 30)
        quarter_day = _next_business_day(q_first)
        if first <= quarter_day <= world.end:
            for employee in staff:
                courses = ROLE_COURSES.get(employee.role)
                if courses and employee.employed_on(quarter_day):
                    add(employee, courses[quarter_index % len(courses)], quarter_day, 30)
    for employee in staff:
        if first <= employee.hire_date <= world.end:
            for course in ONBOARDING_COURSES:
                add(employee, course, employee.hire_date, 14, new=True)
    return assignments


def write_training_assignments(ctx: GenerationContext, extract: Extract) -> int:
    """Assigned -> completed (97.5% on time, 2% late, 0.5% never; new hires' onboarding set
    always on time), overdue the day after the due date when still open, cancelled when the
    employee leaves before completing."""
    world = ctx.world
    rng = world.rng("hr.training_assignments")
    levels = performance_levels(world)
    by_day: dict[date, list[dict]] = defaultdict(list)
    for item in _training_assignments(world):
        employee = item.employee
        assigned_at = world.to_utc(item.assigned, time(8, rng.randint(30, 59), rng.randint(0, 59)))
        due_at = world.to_utc(item.due, time(17, 0))
        outcome = rng.random()
        if outcome < ON_TIME_SHARE or item.onboarding:
            done = item.assigned + timedelta(days=rng.randint(1, (item.due - item.assigned).days))
        elif outcome < ON_TIME_SHARE + LATE_SHARE:
            done = item.due + timedelta(days=rng.randint(1, 20))
        else:
            done = None
        done_time = _business_time(rng)
        level = levels[employee.employee_id]
        score = float(min(100, max(40, round(rng.gauss(88 + 6 * (level - 4.25), 6)))))
        left = employee.termination_date
        if done is not None and left is not None and done > left:
            done = None
        base = {
            "assignment_id": item.assignment_id,
            "employee_id": employee.employee_id,
            "course": item.course,
            "assigned_at": assigned_at,
            "due_at": due_at,
            "completed_at": None,
            "assessment_score": None,
        }
        events = [(item.assigned, {**base, "status": "assigned"})]
        overdue_day = item.due + timedelta(days=1)
        if (done is None or done > item.due) and (left is None or overdue_day <= left):
            events.append((overdue_day, {**base, "status": "overdue"}))
        if done is not None:
            completed = {
                **base,
                "status": "completed",
                "completed_at": world.to_utc(done, done_time),
                "assessment_score": score,
            }
            events.append((done, completed))
        elif left is not None:
            events.append((left, {**base, "status": "cancelled"}))
        before = [row for day, row in events if day < world.start]
        if before and (item.due >= world.start - timedelta(days=31) or before[-1] != events[-1][1]):
            by_day[world.start].append(before[-1])  # its state when the window opens
        for day, row in events:
            if world.start <= day <= world.end:
                by_day[day].append(row)
    return write_daily(ctx, extract, by_day)


def write_certifications(ctx: GenerationContext, extract: Extract) -> int:
    """Each (employee, certification) is one record, renewed in place 5-40 days before it
    expires while the employee is employed. Required certifications are always renewed (the
    certification_maintenance_rate is 100% on a clean run); optional ones lapse 30% of the
    time, delivered as a change with current = false on the expiry day."""
    world = ctx.world
    rng = world.rng("hr.certifications")
    by_day: dict[date, list[dict]] = defaultdict(list)
    number = 0
    for employee in _staff(world):
        for name, required, validity in CERTIFICATIONS.get(employee.role, ()):
            number += 1
            cert_id = f"CE{number:05d}"
            if employee.hire_date < world.start:
                earliest = employee.hire_date + timedelta(days=10)
                issued = max(earliest, world.start - timedelta(days=rng.randint(0, validity - 1)))
            else:
                issued = _next_business_day(employee.hire_date + timedelta(days=rng.randint(5, 30)))
            history: list[tuple[date, date]] = []  # (issued, expires) of each certificate
            while True:
                expires = issued + timedelta(days=validity)
                history.append((issued, expires))
                renew = expires - timedelta(days=rng.randint(5, 40))
                renewed = required or rng.random() < 0.7
                if renew > world.end or not employee.employed_on(renew) or not renewed:
                    break
                issued = renew
            if history[0][0] >= world.start and not employee.employed_on(history[0][0]):
                continue  # left before the certificate was issued
            record = (employee, cert_id, name, required)
            held_at_start = [h for h in history if h[0] <= world.start]
            if held_at_start:  # the first delivery carries the state at the start
                by_day[world.start].append(
                    _certification_row(*record, *held_at_start[-1], world.start)
                )
            for issued, expires in history:
                if world.start < issued <= world.end:
                    by_day[issued].append(_certification_row(*record, issued, expires, issued))
            issued, expires = history[-1]
            if (
                not required
                and employee.employed_on(expires)
                and world.start < expires <= world.end
            ):
                by_day[expires].append(_certification_row(*record, issued, expires, expires))
    return write_daily(ctx, extract, by_day)


def _certification_row(
    employee: Employee,
    cert_id: str,
    name: str,
    required: bool,
    issued: date,
    expires: date,
    on: date,
) -> dict:
    return {
        "certification_id": cert_id,
        "employee_id": employee.employee_id,
        "certification": name,
        "required": required,
        "issued_at": issued,
        "expires_at": expires,
        "current": expires > on,
    }


def write_promotions(ctx: GenerationContext, extract: Extract) -> int:
    by_day: dict[date, list[dict]] = defaultdict(list)
    for promotion in promotions(ctx.world):
        employee = promotion.employee
        by_day[promotion.day].append(
            {
                "promotion_id": promotion.promotion_id,
                "employee_id": employee.employee_id,
                "promoted_at": promotion.promoted_at,
                "from_role": _title(employee, promotion.from_grade),
                "to_role": _title(employee, promotion.from_grade + 1),
            }
        )
    return write_daily(ctx, extract, by_day)


def write_innovation_submissions(ctx: GenerationContext, extract: Extract) -> int:
    """About INNOVATION_IDEAS_PER_QUARTER ideas per employee and quarter (Poisson), on days
    they are employed: about 70% of the staff contribute each quarter (target > 50%)."""
    world = ctx.world
    rng = world.rng("hr.innovation_submissions")
    submissions: list[tuple[datetime, Employee]] = []
    for q_first, q_last in _quarters(world.start, world.end):
        first, last = max(q_first, world.start), min(q_last, world.end)
        span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        quarter_days = (q_last - q_first).days + 1
        for employee in _staff(world):
            days = [d for d in span if is_business_day(d) and employee.employed_on(d)]
            if not days:
                continue
            mean = INNOVATION_IDEAS_PER_QUARTER * len(days) / (quarter_days * 5 / 7)
            for _ in range(_poisson(rng, mean)):
                day = rng.choice(days)
                submissions.append((world.to_utc(day, _business_time(rng)), employee))
    submissions.sort(key=lambda item: (item[0], item[1].employee_id))
    by_day: dict[date, list[dict]] = defaultdict(list)
    for number, (at, employee) in enumerate(submissions, start=1):
        objects = IDEA_OBJECTS.get(employee.department, ("our workflow",))
        by_day[_local_date(world, at)].append(
            {
                "submission_id": f"IN{number:05d}",
                "employee_id": employee.employee_id,
                "submitted_at": at,
                "category": rng.choice(IDEA_CATEGORIES),
                "title": f"{rng.choice(IDEA_VERBS)} {rng.choice(objects)}",
            }
        )
    return write_daily(ctx, extract, by_day)


def _local_date(world: World, utc: datetime) -> date:
    return utc.replace(tzinfo=UTC).astimezone(world.tz).date()


WRITERS: dict[str, Writer] = {
    "hr.employees": write_employees,
    "hr.time_entries": write_time_entries,
    "hr.performance_reviews": write_performance_reviews,
    "hr.training_assignments": write_training_assignments,
    "hr.certifications": write_certifications,
    "hr.promotions": write_promotions,
    "hr.innovation_submissions": write_innovation_submissions,
}
