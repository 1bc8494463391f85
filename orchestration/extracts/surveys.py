"""Survey-tool export: NPS, CSAT, onboarding satisfaction and the employee survey.

- csat (1-5): sent when a client's ticket is solved, ~30% answer, at most one per 72 hours;
  mean ~4.65 (target > 4.5).
- nps (0-10): a relationship survey every 91 days of tenure (~35% answer, NPS ~77) and the
  Month-1 onboarding survey's recommend question (NPS ~62); company NPS ~74 (> 70), onboarding
  NPS ~62 (>= 50).
- onboarding_satisfaction (0-10): Day-7, Week-2 and Month-1 (at handoff) surveys; mean ~8.6 (>= 8).
- employee_satisfaction (1-5): quarterly, in the last month of the quarter, ~85% of staff answer;
  mean ~4.2 (> 4.0); people who leave within four months answer lower.

Each month's (each quarter's, for employees) scores are spread over the planned distribution, so
the KPIs hold at any scale; within a month, complaints, serious blockers and leavers draw the
lower scores. Responses are immutable and delivered on the day they were given.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.onboarding import (
    business_time,
    cached,
    client_spans,
    clock,
    history_start,
    month_of,
    next_business_day,
    onboardings,
    spread,
    waking_time,
    window_end,
    window_months,
)
from orchestration.extracts.support import tickets
from orchestration.extracts.world import World

CSAT_SCORES = ((1, 0.01), (2, 0.015), (3, 0.045), (4, 0.18), (5, 0.75))  # mean 4.65
ONBOARDING_SCORES = (
    (3, 0.01), (5, 0.02), (6, 0.04), (7, 0.09), (8, 0.22), (9, 0.32), (10, 0.30),
)  # fmt: skip
EMPLOYEE_SCORES = ((1, 0.01), (2, 0.04), (3, 0.10), (4, 0.45), (5, 0.40))
# NPS bands (detractor 0-6, passive 7-8, promoter 9-10) per stream.
RELATIONSHIP_NPS = (("detractor", 0.04), ("passive", 0.15), ("promoter", 0.81))  # NPS 77
ONBOARDING_NPS = (("detractor", 0.08), ("passive", 0.22), ("promoter", 0.70))  # NPS 62
NPS_BAND_SCORES = {
    "detractor": ((0, 0.04), (1, 0.04), (2, 0.07), (3, 0.10), (4, 0.15), (5, 0.25), (6, 0.35)),
    "passive": ((7, 0.45), (8, 0.55)),
    "promoter": ((9, 0.40), (10, 0.60)),
}
CSAT_RESPONSE_RATE = 0.30
RELATIONSHIP_RESPONSE_RATE = 0.35
ONBOARDING_RESPONSE_RATE = 0.72
EMPLOYEE_RESPONSE_RATE = 0.85
NO_COMMENT_SHARE = 0.12

COMMENTS = {
    "low": (
        "Too slow to hear back from support.",
        "Still waiting on my dispute results.",
        "Hard to reach anyone by phone.",
        "Not seeing the progress I was promised.",
        "Billing was confusing.",
    ),
    "mid": (
        "Good so far, a bit slow.",
        "Helpful, but I had to follow up twice.",
        "The portal could be easier to use.",
        "Okay experience overall.",
    ),
    "high": (
        "Great team, very responsive.",
        "My score went up, thank you!",
        "The AI letter builder saved me hours.",
        "Clear updates on every dispute.",
        "Friendly and knowledgeable staff.",
    ),
}
EMPLOYEE_COMMENTS = {
    "low": ("Workload is too high.", "Need clearer career paths.", "Tools keep breaking."),
    "mid": ("Decent place to work.", "Training could be better.", "Team is good, pay is okay."),
    "high": ("Great team and manager.", "I feel supported.", "Proud of the results we get."),
}


@dataclass
class Response:
    survey_type: str
    touchpoint: str
    responded: datetime  # local
    client_id: str | None = None
    employee_id: str | None = None
    ticket_id: str | None = None
    stream: str = ""  # which score distribution it draws from
    lowness: float = 0.0  # higher = draws a lower score within its month
    score: int = 0
    comment: str | None = None
    response_id: str = ""


def _band(survey_type: str, score: int) -> str:
    if survey_type in ("csat", "employee_satisfaction"):
        return "low" if score <= 2 else "mid" if score == 3 else "high"
    return "low" if score <= 6 else "mid" if score <= 8 else "high"


def _assign_scores(rng: random.Random, group: list[Response], stream: str) -> None:
    """Spread the planned distribution over the group; lower scores go to higher `lowness`."""
    group.sort(key=lambda r: (-(r.lowness + rng.random()), r.responded))
    if stream in ("relationship_nps", "onboarding_nps"):
        bands = RELATIONSHIP_NPS if stream == "relationship_nps" else ONBOARDING_NPS
        for response, band in zip(group, spread(len(group), bands), strict=True):
            response.score = _pick(rng, NPS_BAND_SCORES[band])
        return
    weights: Sequence[tuple[int, float]] = {
        "csat": CSAT_SCORES,
        "onboarding_satisfaction": ONBOARDING_SCORES,
        "employee_satisfaction": EMPLOYEE_SCORES,
    }[stream]
    for response, score in zip(group, spread(len(group), weights), strict=True):
        response.score = score


def _pick(rng: random.Random, options: Sequence[tuple[int, float]]) -> int:
    pick, cumulative = rng.random(), 0.0
    for value, weight in options:
        cumulative += weight
        if pick < cumulative:
            return value
    return options[-1][0]


def _simulate(world: World) -> list[Response]:
    rng = world.rng("surveys.responses")
    first = datetime.combine(history_start(world), datetime.min.time())
    last = window_end(world)
    responses: list[Response] = []

    # CSAT after each solved client ticket.
    for t in tickets(world):
        if t.resolved is None or t.created_by != "client":
            continue
        if rng.random() >= CSAT_RESPONSE_RATE:
            continue
        responded = (t.resolved + timedelta(hours=rng.uniform(0.05, 48))).replace(microsecond=0)
        if responded < last:
            lowness = 1.5 if t.is_complaint else 0.6 if not t.fcr else 0.0
            responses.append(
                Response("csat", "post_ticket", responded, client_id=t.client_id,
                         ticket_id=t.ticket_id, stream="csat", lowness=lowness)
            )  # fmt: skip

    # Relationship NPS every 91 days of tenure.
    for span in client_spans(world):
        k = 1
        while True:
            sent = span.contract + timedelta(days=91 * k)
            k += 1
            if sent >= span.end:
                break
            if sent < span.start or rng.random() >= RELATIONSHIP_RESPONSE_RATE:
                continue
            responded = waking_time(rng, sent.date() + timedelta(days=rng.randint(0, 5)))
            if first <= responded < span.end:
                responses.append(
                    Response("nps", "relationship_quarterly", responded,
                             client_id=span.client.client_id, stream="relationship_nps")
                )  # fmt: skip

    # Onboarding surveys: Day 7, Week 2, Month 1 (sent at handoff).
    for o in onboardings(world):
        serious = sum(b.severity in ("high", "critical") for b in o.blockers)
        lowness = 0.8 * serious + (0.5 if o.training_done is None else 0.0)
        month_1 = o.handoff or (
            o.contract + timedelta(days=30) if o.end > o.contract + timedelta(days=30) else None
        )
        sends = (
            ("day_7", o.contract + timedelta(days=7)),
            ("week_2", o.contract + timedelta(days=14)),
            ("month_1", month_1),
        )
        for touchpoint, sent in sends:
            if sent is None or rng.random() >= ONBOARDING_RESPONSE_RATE:
                continue
            responded = waking_time(rng, sent.date() + timedelta(days=rng.randint(0, 3)))
            if not (first <= responded < o.span.end and responded >= sent):
                continue
            responses.append(
                Response("onboarding_satisfaction", touchpoint, responded, client_id=o.client_id,
                         stream="onboarding_satisfaction", lowness=lowness)
            )  # fmt: skip
            if touchpoint == "month_1" and rng.random() < 0.9:
                responses.append(
                    Response("nps", "month_1", responded + timedelta(minutes=rng.randint(1, 4)),
                             client_id=o.client_id, stream="onboarding_nps", lowness=lowness)
                )  # fmt: skip

    # Employee survey, quarterly, from the 8th of the quarter's last month for ten days.
    for month in _months_between(history_start(world), world.end + timedelta(days=1)):
        if month.month % 3:
            continue
        opens = next_business_day(month.replace(day=8))
        for employee in world.employees:
            if not employee.employed_on(opens) or rng.random() >= EMPLOYEE_RESPONSE_RATE:
                continue
            day = next_business_day(opens + timedelta(days=rng.randint(0, 9)))
            responded = business_time(rng, day)
            if not employee.employed_on(day) or not first <= responded < last:
                continue
            leaving = employee.termination_date is not None and (
                employee.termination_date - day
            ) <= timedelta(days=120)
            responses.append(
                Response("employee_satisfaction", "employee_quarterly", responded,
                         employee_id=employee.employee_id, stream="employee_satisfaction",
                         lowness=1.5 if leaving else 0.0)
            )  # fmt: skip

    responses = [r for r in responses if first <= r.responded < last]
    # The survey tool does not ask a client the same survey twice within 72 hours.
    responses.sort(key=lambda r: (r.responded, r.survey_type, r.client_id or r.employee_id or ""))
    latest: dict[tuple[str, str], datetime] = {}
    kept = []
    for r in responses:
        key = (r.survey_type, r.client_id or r.employee_id or "")
        if key in latest and r.responded - latest[key] < timedelta(hours=72):
            continue
        latest[key] = r.responded
        kept.append(r)
    responses = kept
    groups: dict[tuple[str, date], list[Response]] = defaultdict(list)
    for r in responses:
        period = month_of(r.responded)
        if r.stream == "employee_satisfaction":
            period = period.replace(month=(period.month - 1) // 3 * 3 + 1)
        groups[(r.stream, period)].append(r)
    for (stream, _), group in sorted(groups.items()):
        _assign_scores(rng, group, stream)
    responses.sort(key=lambda r: (r.responded, r.survey_type, r.client_id or r.employee_id or ""))
    by_day: dict[date, list[Response]] = defaultdict(list)
    for number, r in enumerate(responses, start=1):
        r.response_id = f"R{number:08d}"
        texts = EMPLOYEE_COMMENTS if r.employee_id else COMMENTS
        r.comment = rng.choice(texts[_band(r.survey_type, r.score)])
        by_day[max(r.responded.date(), world.start)].append(r)
    # Some respondents skip the comment box: a fixed share of each day's file, so the optional
    # tier's 80% completeness holds on every load day.
    for day in sorted(by_day):
        for r in rng.sample(by_day[day], int(len(by_day[day]) * NO_COMMENT_SHARE)):
            r.comment = None
    return responses


def _months_between(first: date, end: date) -> list[date]:
    months, month = [], first
    while month < end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def responses(world: World) -> list[Response]:
    return cached(world, "survey_responses", lambda: _simulate(world))


# Out-of-scale values a misconfigured survey form produces (planted with --defects).
OUT_OF_SCALE = {
    "csat": (6, 10),  # a 0-10 scale shown for the 1-5 question
    "nps": (11,),
    "onboarding_satisfaction": (11,),
    "employee_satisfaction": (0,),
}


def write_responses(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    clk = clock(world)
    all_responses = responses(world)
    broken: set[str] = set()
    if ctx.defects:
        rng = world.rng("surveys.responses.defects")
        months = window_months(world)
        month = months[min(len(months) - 1, len(months) // 2 + 2)]
        broken = {
            r.response_id
            for r in all_responses
            if month_of(r.responded) == month and rng.random() < 0.08
        }
        if broken:
            ctx.plant_defect(
                kind="out_of_range",
                raw_table=extract.raw_table,
                description=(
                    f"~8% of the survey responses of {month:%Y-%m} carry a score outside their "
                    "survey type's scale (csat 6/10, nps 11, onboarding 11, employee 0): a "
                    "misconfigured form"
                ),
                rows=len(broken),
                column="score",
                check="accuracy",
                period_start=month.isoformat(),
            )
    by_day: dict[date, list[dict]] = defaultdict(list)
    for r in all_responses:
        score = r.score
        if r.response_id in broken:
            choices = OUT_OF_SCALE[r.survey_type]
            score = choices[int(r.response_id[1:]) % len(choices)]
        by_day[max(r.responded.date(), world.start)].append(
            {
                "response_id": r.response_id,
                "survey_type": r.survey_type,
                "touchpoint": r.touchpoint,
                "client_id": r.client_id,
                "employee_id": r.employee_id,
                "ticket_id": r.ticket_id,
                "score": score,
                "comment": r.comment,
                "responded_at": clk.utc(r.responded),
            }
        )
    return write_daily(ctx, extract, by_day)


WRITERS: dict[str, Writer] = {
    "surveys.responses": write_responses,
}
