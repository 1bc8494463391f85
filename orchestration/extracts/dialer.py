"""Dialer call log: one CSV per day, one row per dial (connected or not), ~1M rows a year at
scale 1 (the biggest source).

Who calls: sales agents work the `sales` queue (outbound dials to leads, some inbound calls from
leads); client representatives work the `client_service` queue (calls with existing, active
clients). Every agent-day is a worked day of the HR attendance calendar (hr.workdays), and a
sales agent's talk time is drawn as talk-minutes per logged hour x the hours of that day's time
entry, so talk_time_per_hour is consistent by construction.

The funnel per sales agent (catalogue §2.3 and §6): quote rate on engaged calls ~74%, application
rate on quoted ~48%, close ~13% of engaged, talk time ~40 min per logged hour, connected calls
~7 min on average (short calls < 60 s included). A sixth of the agents are weaker (more short
calls, fewer quotes and applications), and new hires ramp up for 30 days: each intervention
trigger of §6 fires on 4-8% of sales agent-days (at scale 1: short calls 7%, engaged without quote
4%, quotes without application 8%; any of them 17%). Volumes are 20% higher in January-March.

Per row: the event flags follow the funnel (sale_closed => application_submitted => quoted =>
engaged). As dialers do, a few dispositions leave the flags after the last true one empty (null
= false, catalogue §1.2). Sales calls carry the dialer's own lead id (a person's identifier: PII,
pseudonymised in staging); the closing call of a lead that became a client that day (a world
client) also carries the client id.
"""

from __future__ import annotations

import csv
import io
import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer
from orchestration.extracts.hr import WorkDay, is_business_day, weak_sales_agents, workdays
from orchestration.extracts.world import Client, World

CALL_COLUMNS = (
    "call_id",
    "agent_id",
    "queue",
    "direction",
    "client_id",
    "dialer_lead_id",
    "started_at",
    "duration_s",
    "engaged",
    "quoted",
    "application_submitted",
    "sale_closed",
    "disposition",
)

SEASONAL_FACTOR = 1.2  # call volumes January-March
SALES_DIALS = (200, 22)  # dials per sales agent-day (mean, sd) outside the season
REP_DIALS = (40, 5)  # dials per client-rep day
# Talk minutes per logged hour rise a little less than volume: hours rise too (hr.workdays).
SEASONAL_TALK = 1.14
TYPICAL_CONNECTED = 46  # connected calls of a typical sales agent-day (40 min/h x 8 h / 7 min)
RAMP_DAYS = 30  # new sales agents perform like weak ones for their first month
NULL_FLAG_SHARE = 0.02
INBOUND_SHARE = 0.2  # of a sales agent's connected calls
LEAD_POOL_DAYS = 21  # leads are redialled for about three weeks

# Call outcome codes.
NOT_CONNECTED, SHORT, CONNECTED, ENGAGED, QUOTED, APPLIED, SOLD = range(7)
FLAGS = {
    NOT_CONNECTED: ("false", "false", "false", "false"),
    SHORT: ("false", "false", "false", "false"),
    CONNECTED: ("false", "false", "false", "false"),
    ENGAGED: ("true", "false", "false", "false"),
    QUOTED: ("true", "true", "false", "false"),
    APPLIED: ("true", "true", "true", "false"),
    SOLD: ("true", "true", "true", "true"),
}
NO_FLAGS = ("false", "false", "false", "false")
# As some wrap-ups leave them: the boxes after the last ticked one empty (null = false, §1.2).
NULLED_FLAGS = {
    code: tuple(f if f == "true" else "" for f in flags) for code, flags in FLAGS.items()
}
DISPOSITIONS = {
    NOT_CONNECTED: (("no_answer", 0.6), ("voicemail", 0.3), ("busy", 0.1)),
    SHORT: (("hung_up", 0.6), ("wrong_number", 0.25), ("not_interested", 0.15)),
    CONNECTED: (("not_interested", 0.6), ("callback_requested", 0.3), ("do_not_call", 0.1)),
    ENGAGED: (("not_interested", 0.5), ("callback_requested", 0.5)),
    QUOTED: (("quoted", 1.0),),
    APPLIED: (("application_submitted", 1.0),),
    SOLD: (("sale_closed", 1.0),),
}
REP_CONNECTED = (("resolved", 0.55), ("follow_up_scheduled", 0.3), ("escalated", 0.15))


@dataclass(frozen=True)
class AgentProfile:
    quote: float  # P(quoted | engaged)
    application: float  # P(application | quoted)
    close: float  # P(sale | application)
    engage: float  # P(engaged | connected, not short)
    short_calls: float  # mean short calls on a typical day
    talk_per_hour: float  # talk minutes per logged hour
    call_minutes: float  # mean connected call length


def _profile(rng: random.Random, weak: bool) -> AgentProfile:
    if weak:
        return AgentProfile(
            quote=rng.uniform(0.58, 0.65),
            application=rng.uniform(0.32, 0.38),
            close=rng.uniform(0.26, 0.32),
            engage=rng.uniform(0.27, 0.32),
            short_calls=rng.uniform(6.0, 8.0),
            talk_per_hour=rng.uniform(31.0, 35.0),
            call_minutes=rng.uniform(5.9, 6.6),
        )
    return AgentProfile(
        quote=rng.uniform(0.73, 0.79),
        application=rng.uniform(0.46, 0.52),
        close=rng.uniform(0.35, 0.40),
        engage=rng.uniform(0.30, 0.36),
        short_calls=rng.uniform(1.5, 2.5),
        talk_per_hour=rng.uniform(37.5, 44.0),
        call_minutes=rng.uniform(6.7, 7.5),
    )


def agent_profiles(world: World) -> dict[str, tuple[AgentProfile, AgentProfile]]:
    """Each sales agent's (usual, first-month) profile."""
    rng = world.rng("dialer.agents")
    weak = weak_sales_agents(world)
    profiles = {}
    for agent in sorted(world.staff("sales_agent"), key=lambda e: e.employee_id):
        usual = _profile(rng, agent.employee_id in weak)
        profiles[agent.employee_id] = (usual, _profile(rng, True))
    return profiles


def _pick(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    pick, cumulative = rng.random(), 0.0
    for value, weight in options:
        cumulative += weight
        if pick < cumulative:
            return value
    return options[-1][0]


def _raw_duration(rng: random.Random, code: int) -> float:
    if code == CONNECTED:
        return 60 + min(540.0, rng.expovariate(1 / 90))
    if code == ENGAGED:
        return rng.uniform(180, 540)
    if code == QUOTED:
        return rng.uniform(420, 900)
    if code == APPLIED:
        return rng.uniform(840, 1500)
    return rng.uniform(1080, 1800)  # SOLD


def _spacing(rng: random.Random, span_s: float, durations: list[int]) -> tuple[list[float], float]:
    """Random weights for the idle time before each call (ring, wrap-up, breaks) and the scale
    that makes calls plus idle time fill the shift."""
    idle = max(span_s - sum(durations), 10.0 * len(durations))
    weights = [0.3 + rng.random() for _ in durations]
    return weights, idle / sum(weights)


# A call row: the contract's columns in CALL_COLUMNS order (started_at still a datetime, call_id
# set once the day is sorted), then the outcome code, which is not written.
STARTED, DURATION, CODE = 6, 7, 13
ENGAGED_FLAG, QUOTED_FLAG, APPLICATION_FLAG, SALE_FLAG = 8, 9, 10, 11


def _sales_agent_day(
    rng: random.Random,
    world: World,
    wd: WorkDay,
    profile: AgentProfile,
    leads: tuple[int, int, int],
) -> list[list]:
    rand = rng.random
    season = wd.day.month <= 3
    volume = SEASONAL_FACTOR if season else 1.0
    form = min(1.2, max(0.8, rng.gauss(1.0, 0.07)))  # the agent's day-to-day form
    talk_per_hour = profile.talk_per_hour * form * (SEASONAL_TALK if season else 1.0)
    talk_s = talk_per_hour * wd.hours * 60
    call_minutes = profile.call_minutes * min(1.15, max(0.85, rng.gauss(1.0, 0.05)))
    connected = max(1, round(talk_s / (call_minutes * 60)))
    dials = max(connected + 20, round(rng.gauss(SALES_DIALS[0] * volume, SALES_DIALS[1])))
    p_connect = connected / dials
    p_short = min(0.3, profile.short_calls / TYPICAL_CONNECTED)
    engage, quote, application, close = (
        profile.engage, profile.quote, profile.application, profile.close
    )  # fmt: skip

    codes = []
    for _ in range(dials):
        if rand() >= p_connect:
            codes.append(NOT_CONNECTED)
        elif rand() < p_short:
            codes.append(SHORT)
        elif rand() >= engage:
            codes.append(CONNECTED)
        elif rand() >= quote:
            codes.append(ENGAGED)
        elif rand() >= application:
            codes.append(QUOTED)
        elif rand() >= close:
            codes.append(APPLIED)
        else:
            codes.append(SOLD)

    # Durations: shorts as drawn, longer calls scaled so the day's talk time is talk_s.
    durations = [0] * dials
    raw: dict[int, float] = {}
    short_total = 0
    for i, code in enumerate(codes):
        if code == SHORT:
            durations[i] = 5 + int(rand() * 55)
            short_total += durations[i]
        elif code != NOT_CONNECTED:
            raw[i] = _raw_duration(rng, code)
    factor = max(talk_s - short_total, 60.0 * len(raw)) / max(sum(raw.values()), 1.0)
    for i, value in raw.items():
        durations[i] = min(14400, max(60, round(value * factor)))

    shift = world.to_utc(wd.day, time(8, 30 + rng.randint(0, 29), rng.randint(0, 59)))
    weights, scale = _spacing(rng, (wd.hours + 0.5) * 3600, durations)
    agent = wd.employee.employee_id
    oldest, newest, today = leads
    rows = []
    offset = 0.0
    for code, duration, weight in zip(codes, durations, weights, strict=True):
        offset += weight * scale
        started = shift + timedelta(seconds=int(offset))
        offset += duration
        if code == NOT_CONNECTED:
            u = rand()
            disposition = "no_answer" if u < 0.6 else "voicemail" if u < 0.9 else "busy"
            direction = "outbound"
        else:
            disposition = _pick(rng, DISPOSITIONS[code])
            direction = "inbound" if rand() < INBOUND_SHARE else "outbound"
        # Outbound: a lead of the last three weeks; inbound: a lead created today.
        low = today if direction == "inbound" else oldest
        lead = low + int(rand() * (newest - low))
        flags = NULLED_FLAGS[code] if rand() < NULL_FLAG_SHARE else FLAGS[code]
        rows.append([None, agent, "sales", direction, "", f"LD{lead:08d}", started, duration,
                     *flags, disposition, code])  # fmt: skip
    return rows


def _rep_day(
    rng: random.Random, world: World, wd: WorkDay, clients: list[Client], starts_utc: list
) -> list[list]:
    """A client representative's calls with existing clients (client_calls_per_rep_per_day:
    ~30 connected calls a day against the target of > 20)."""
    volume = SEASONAL_FACTOR if wd.day.month <= 3 else 1.0
    dials = max(10, round(rng.gauss(REP_DIALS[0] * volume, REP_DIALS[1])))
    day_start = world.to_utc(wd.day, time(0, 0))
    known = bisect_right(starts_utc, day_start + timedelta(days=1))
    plan = []
    for _ in range(dials):
        inbound = rng.random() < 0.6
        connected = rng.random() < (0.95 if inbound else 0.55)
        if not connected:
            duration = 0
        elif rng.random() < 0.05:
            duration = rng.randint(20, 59)
        else:
            duration = min(2400, 120 + round(rng.expovariate(1 / 330)))
        client_id = ""
        for _ in range(10):  # an active client: signed up, not churned before this day
            client = clients[rng.randrange(known)] if known else None
            ended = world.churned_at(client) if client else None
            if client is not None and (ended is None or ended > day_start):
                client_id = client.client_id
                break
        if connected:
            disposition = _pick(rng, REP_CONNECTED)
        else:
            disposition = "abandoned" if inbound else _pick(rng, DISPOSITIONS[NOT_CONNECTED])
        plan.append((inbound, duration, client_id, disposition))
    shift = world.to_utc(wd.day, time(8, 30 + rng.randint(0, 29), rng.randint(0, 59)))
    durations = [p[1] for p in plan]
    weights, scale = _spacing(rng, (wd.hours + 0.5) * 3600, durations)
    agent = wd.employee.employee_id
    rows, offset = [], 0.0
    for (inbound, duration, client_id, disposition), weight in zip(plan, weights, strict=True):
        offset += weight * scale
        started = shift + timedelta(seconds=int(offset))
        offset += duration
        rows.append([None, agent, "client_service", "inbound" if inbound else "outbound",
                     client_id, "", started, duration, *NO_FLAGS, disposition, -1])  # fmt: skip
    return rows


def _local_day(moment: datetime, world: World) -> date:
    return moment.replace(tzinfo=UTC).astimezone(world.tz).date()


def iter_calls(world: World) -> Iterator[tuple[date, list[list]]]:
    """Every day of the window with its calls (clean, no defects), ordered by start, call ids
    set: one day at a time, so a year at scale 10 never sits in memory."""
    rng = world.rng("dialer.calls")
    profiles = agent_profiles(world)
    clients = sorted(world.clients, key=lambda c: (c.became_client_at, c.client_id))
    starts_utc = [c.became_client_at for c in clients]
    new_clients: dict[date, list[Client]] = defaultdict(list)
    for client in world.clients:
        new_clients[_local_day(client.became_client_at, world)].append(client)
    leads_per_day = max(20, round(1000 * world.scale))
    for index, (day, entries) in enumerate(workdays(world).items()):
        leads = (
            max(0, index - LEAD_POOL_DAYS) * leads_per_day,
            (index + 1) * leads_per_day,
            index * leads_per_day,
        )
        rows: list[list] = []
        for wd in entries:
            employee = wd.employee
            if employee.role == "sales_agent":
                usual, ramp = profiles[employee.employee_id]
                new = (wd.day - employee.hire_date).days < RAMP_DAYS
                rows.extend(_sales_agent_day(rng, world, wd, ramp if new else usual, leads))
            elif employee.role == "client_rep":
                rows.extend(_rep_day(rng, world, wd, clients, starts_utc))
        rows.sort(key=lambda r: (r[STARTED], r[1]))
        prefix = f"CL{day:%Y%m%d}"
        for number, row in enumerate(rows, start=1):
            row[0] = f"{prefix}{number:06d}"
        # The closing call of each lead that became a client today carries the client id.
        sales = [r for r in rows if r[CODE] == SOLD]
        for client in new_clients.get(day, []):
            if not sales:
                break
            sales.pop(rng.randrange(len(sales)))[4] = client.client_id
        yield day, rows


# --- defects ---------------------------------------------------------------------------------


def _funnel_violation_days(world: World, rng: random.Random) -> list[date]:
    """Three business days of the window's middle month."""
    middle = world.days()[len(world.days()) // 2]
    days = [
        d
        for d in world.days()
        if (d.year, d.month) == (middle.year, middle.month) and is_business_day(d)
    ]
    return sorted(rng.sample(days, min(3, len(days))))


def _break_funnel(rows: list[list], rng: random.Random) -> int:
    """~3.5% of a day's sales calls say sale_closed = true with quoted = false: with three such
    days ~0.5% of the month, and operational accuracy (99%) fails on each of those load days."""
    candidates = [r for r in rows if r[2] == "sales" and r[DURATION] > 0 and r[CODE] < QUOTED]
    wanted = round(0.035 * sum(1 for r in rows if r[2] == "sales"))
    for row in rng.sample(candidates, min(wanted, len(candidates))):
        row[ENGAGED_FLAG] = row[ENGAGED_FLAG] or "false"
        row[QUOTED_FLAG] = "false"
        row[APPLICATION_FLAG] = row[APPLICATION_FLAG] or "false"
        row[SALE_FLAG] = "true"
    return min(wanted, len(candidates))


def _malformed_days(world: World) -> dict[date, tuple[str, str]]:
    """Two calls files with two damaged lines each: a quarter and three quarters into the
    window. Kinds: an extra field, missing fields, non-numeric durations."""
    days = [d for d in world.days() if is_business_day(d)]
    if len(days) < 2:
        return {}
    return {
        days[len(days) // 4]: ("extra_field", "missing_fields"),
        days[3 * len(days) // 4]: ("N/A", "7m12s"),
    }


def _corrupt(lines: list[str], index: int, kind: str) -> str:
    """Damage one data line of a file the way a broken export does; returns its call id."""
    fields = lines[index].split(",")
    if kind == "extra_field":
        lines[index] = lines[index] + ",callback spanish"
    elif kind == "missing_fields":
        lines[index] = ",".join(fields[:8])
    else:
        fields[CALL_COLUMNS.index("duration_s")] = kind
        lines[index] = ",".join(fields)
    return fields[0]


# --- writer ----------------------------------------------------------------------------------


def write_calls(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    mismatch = {c.name for c in extract.columns} ^ set(CALL_COLUMNS)
    if mismatch:
        raise ValueError(f"dialer.calls: contract and generator disagree on columns {mismatch}")
    rng = world.rng("dialer.defects")
    funnel_days = _funnel_violation_days(world, rng) if ctx.defects else []
    malformed = _malformed_days(world) if ctx.defects else {}
    violations, month_calls = 0, 0
    season = {True: [0, 0], False: [0, 0]}  # in season?: [sales dials, sales agent-days]
    funnel = _FunnelTally(world)
    total = 0
    for day, rows in iter_calls(world):
        sales = [r for r in rows if r[2] == "sales"]
        funnel.add(day, sales)
        bucket = season[day.month <= 3]
        bucket[0] += len(sales)
        bucket[1] += len({r[1] for r in sales})
        if funnel_days and (day.year, day.month) == (funnel_days[0].year, funnel_days[0].month):
            month_calls += len(rows)
            if day in funnel_days:
                violations += _break_funnel(rows, rng)
        if not extract.is_due(day.isoformat()):
            continue
        for row in rows:
            row[STARTED] = row[STARTED].isoformat(sep=" ")
            del row[CODE]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CALL_COLUMNS)
        writer.writerows(rows)
        text = buffer.getvalue()
        if day in malformed and len(rows) >= 2:
            lines = text.rstrip("\n").split("\n")
            kinds = malformed[day]
            where = rng.sample(range(1, len(lines)), len(kinds))
            damaged = [_corrupt(lines, i, kind) for i, kind in zip(where, kinds, strict=True)]
            text = "\n".join(lines) + "\n"
            ctx.plant_defect(
                kind="malformed_rows",
                raw_table=extract.raw_table,
                description=(
                    f"{len(damaged)} malformed lines in the calls file of {day} "
                    f"({', '.join(kinds)}): the loader must quarantine them."
                ),
                rows=len(damaged),
                column="duration_s" if kinds[0] == "N/A" else None,
                check="ingest_quarantine",
                partition=day.isoformat(),
                call_ids=damaged,
            )
        ctx.path(extract, day).write_text(text, encoding="utf-8")
        total += len(rows)
    if funnel_days:
        month = f"{funnel_days[0]:%Y-%m}"
        ctx.plant_defect(
            kind="funnel_violation",
            raw_table=extract.raw_table,
            description=(
                f"{violations} sales calls in {month} ({violations / max(month_calls, 1):.2%} of "
                f"the month, on {', '.join(d.isoformat() for d in funnel_days)}) have "
                "sale_closed = true with quoted = false: the call funnel must be monotone "
                "(catalogue §7.2, operational accuracy 99%)."
            ),
            rows=violations,
            column="sale_closed",
            check="accuracy",
            partitions=[d.isoformat() for d in funnel_days],
        )
    _plant_seasonality(ctx, season)
    funnel.plant_weak_agent_gaps(ctx)
    return total


# Status bands of the dialer KPIs (catalogue §2.3, §3, §10.6): (green test, red test).
BANDS = {
    "quote_rate": (lambda v: v >= 70, lambda v: v <= 55),
    "application_rate": (lambda v: v >= 40, lambda v: v <= 25),
    "close_rate": (lambda v: v >= 10, lambda v: v <= 5),
    "talk_time_per_hour": (lambda v: v >= 35, lambda v: v <= 26.25),
    "avg_call_duration": (lambda v: 6 <= v <= 8, lambda v: v <= 5 or v >= 9),
}


def dialer_status(kpi_id: str, value: float) -> str:
    green, red = BANDS[kpi_id]
    return "green" if green(value) else "red" if red(value) else "yellow"


class _FunnelTally:
    """Each sales agent's monthly funnel, counted from the clean calls, to record the weaker
    agents' gaps with the values the warehouse must find."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.hours = workdays(world)
        # (agent, month) -> [engaged, quoted, applied, sold, connected, talk_s, hours, days]
        self.months: dict[tuple[str, date], list[float]] = defaultdict(lambda: [0.0] * 8)

    def add(self, day: date, sales: list[list]) -> None:
        hours = {wd.employee.employee_id: wd.hours for wd in self.hours[day]}
        month = day.replace(day=1)
        agents = {}
        for row in sales:
            tally = agents.get(row[1])
            if tally is None:
                tally = agents[row[1]] = self.months[(row[1], month)]
                tally[6] += hours[row[1]]
                tally[7] += 1
            code = row[CODE]
            tally[0] += code >= ENGAGED
            tally[1] += code >= QUOTED
            tally[2] += code >= APPLIED
            tally[3] += code == SOLD
            tally[4] += row[DURATION] > 0
            tally[5] += row[DURATION]

    def values(self, agent: str, month: date) -> dict[str, float]:
        engaged, quoted, applied, sold, connected, talk_s, hours, _ = self.months[(agent, month)]
        return {
            "quote_rate": 100 * quoted / engaged,
            "application_rate": 100 * applied / quoted,
            "close_rate": 100 * sold / engaged,
            "talk_time_per_hour": talk_s / 60 / hours,
            "avg_call_duration": talk_s / connected / 60,
        }

    def plant_weak_agent_gaps(self, ctx: GenerationContext) -> None:
        """The weaker agents (hr.weak_sales_agents) miss the quote, application, close and
        talk-time targets at agent x month grain: one truth record per agent and KPI, over the
        months the agent worked in full, with each month's value."""
        world = self.world
        for agent in sorted(weak_sales_agents(world)):
            employee = next(e for e in world.employees if e.employee_id == agent)
            months = sorted(
                month
                for (who, month), tally in self.months.items()
                if who == agent
                and tally[7] >= 10
                and employee.hire_date + timedelta(days=RAMP_DAYS) <= month
                and employee.employed_on(_month_end(month))
            )
            if not months:
                continue
            values = {month: self.values(agent, month) for month in months}
            for kpi_id in BANDS:
                monthly = {m.isoformat()[:7]: round(v[kpi_id], 4) for m, v in values.items()}
                statuses = sorted({dialer_status(kpi_id, v) for v in monthly.values()})
                if statuses == ["green"]:
                    continue
                ctx.plant_gap(
                    kpi_id=kpi_id,
                    expected_status=statuses,
                    description=(
                        f"Sales agent {agent} is one of the weaker agents the dialer plants: "
                        "fewer quotes and applications, shorter talk time and more short calls, "
                        "so this KPI misses its target at agent grain (and the §6 triggers fire "
                        "on many of the agent's days)."
                    ),
                    department="sales",
                    grain="month",
                    period_start=months[0],
                    period_end=_month_end(months[-1]),
                    entity="agent",
                    agent_id=agent,
                    monthly_values=monthly,
                )


def _month_end(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1) - timedelta(days=1)


def _plant_seasonality(ctx: GenerationContext, season: dict[bool, list[int]]) -> None:
    """Record the seasonal pattern (not a gap): sales dials per agent-day in January-March vs
    the rest of the window."""
    (peak_dials, peak_days), (rest_dials, rest_days) = season[True], season[False]
    if not peak_days or not rest_days:
        return
    peak, base = peak_dials / peak_days, rest_dials / rest_days
    ctx.plant_gap(
        kpi_id="talk_time_per_hour",
        expected_status=["green", "yellow", "red", "no_target"],
        description=(
            "Seasonal pattern, not a gap: call volumes are ~20% higher in January-March "
            f"({peak:.1f} vs {base:.1f} sales dials per agent-day); talk time per hour rises "
            "with them while the dialer KPIs stay on target at company level."
        ),
        department="sales",
        grain="month",
        kind="seasonal",
        factor=round(peak / base, 4),
        dials_per_agent_day_season=round(peak, 2),
        dials_per_agent_day_rest=round(base, 2),
    )


WRITERS: dict[str, Writer] = {
    "dialer.calls": write_calls,
}
