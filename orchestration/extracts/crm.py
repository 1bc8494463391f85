"""CRM (contacts, opportunities) and marketing (spend, web sessions, lead forms) CSV exports.

The world decides who becomes a client and when; this module builds the funnel around them: the
leads that never signed, the opportunities the sales agents worked, the paid media that bought
the traffic, the website sessions and the forms that created web leads. One plan (`crm_plan`)
holds all of it, so the five extracts agree with each other and with the world.

Planted truth (DESIGN.md §3; GAP §3A/§3B), always:
- Lead generation 20% below plan: leads per month are the plan's volume × 0.8.
- Lead conversion 15% below target: the lead volume is set so that mature lead cohorts convert
  at 17% (target 20%), given the clients the world creates.
- CAC yellow: marketing spend is paced to the plan (planned CAC $270 for the planned new
  clients) while new clients come in 20% short, so spend / new clients ≈ $337.50 (target < 300,
  red ≥ 375). Spend follows the month's acquisitions (spend buys the leads that become clients).
- Seasonality: leads and web sessions ~25% higher in Jan–Mar than Apr–Oct, lower in Nov–Dec.
With `ctx.defects`: duplicate contact rows (in one file, and re-delivered in a later file), one
month of contacts with their lead_source lost, and malformed lines in one contacts file.
"""

from __future__ import annotations

import csv
import io
import random
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.world import FIRST_NAMES, LAST_NAMES, PLANS, Client, World

# --- the plan (GAP §3A, §3B) -------------------------------------------------------------------
TARGET_CONVERSION = 0.20  # lead-to-sale target; the GAP says "15% below target", gives no value
CONVERSION_SHORTFALL = 0.15
ACTUAL_CONVERSION = TARGET_CONVERSION * (1 - CONVERSION_SHORTFALL)  # 17%
LEAD_SHORTFALL = 0.20  # lead generation 20% below plan
PLANNED_CAC = 180.0  # USD of marketing spend per new client the budget was sized for
CLIENT_SHORTFALL = 0.20  # new clients ~20% below the plan the budget was paced to
# $225 of spend per client; with the ledger's sales costs (commissions, sales tools ≈ $110 per
# new client, seed sales_cost_accounts) CAC lands ≈ $335: yellow (target < 300, red ≥ 375).
ACTUAL_CAC = PLANNED_CAC / (1 - CLIENT_SHORTFALL)
CAC_JITTER = 0.04  # month-to-month pacing noise on spend
CONVERSION_WINDOW_DAYS = 90  # seed kpi_params.conversion_window_days

# Seasonality (planted truth): Jan–Mar +25% over Apr–Oct, Nov–Dec −15%.
SEASON = {1: 1.25, 2: 1.25, 3: 1.25, 11: 0.85, 12: 0.85}
VISITOR_TO_LEAD = 0.025  # lead forms per web session

# Lead sources (the world's names) and the marketing channel each maps to. This is the content
# of seed lead_source_channel_map: (lead_source, channel, is_marketing, is_paid).
LEAD_SOURCE_CHANNELS = (
    ("google_ads", "paid_search", True, True),
    ("facebook_ads", "paid_social", True, True),
    ("organic_search", "organic_search", True, False),
    ("affiliate", "affiliate", True, True),
    ("referral", "referral", False, False),
    ("partner_import", "partner", False, False),
)
CHANNEL_OF = {source: channel for source, channel, _, _ in LEAD_SOURCE_CHANNELS}
PAID_SOURCES = ("google_ads", "facebook_ads", "affiliate")
# Leads that never sign come more from paid social and less from referrals than clients do.
NON_CONVERTING_SOURCES = (
    ("google_ads", 0.30),
    ("facebook_ads", 0.30),
    ("organic_search", 0.17),
    ("referral", 0.10),
    ("affiliate", 0.13),
)
LOST_REASONS = (
    ("no_response", 0.35),
    ("not_qualified", 0.25),
    ("price", 0.15),
    ("competitor", 0.10),
    ("not_interested", 0.15),
)

# Spend: share of the monthly budget per channel, and the campaigns of each channel:
# (campaign_id, campaign name, channel, weight within the channel, months active or None).
CHANNEL_BUDGET = (
    ("paid_search", 0.46),
    ("paid_social", 0.30),
    ("affiliate", 0.14),
    ("organic_search", 0.10),
)
CAMPAIGNS = (
    ("CMP-101", "search_brand", "paid_search", 0.20, None),
    ("CMP-102", "search_credit_repair", "paid_search", 0.55, None),
    ("CMP-103", "search_competitor", "paid_search", 0.25, None),
    ("CMP-201", "social_prospecting", "paid_social", 0.50, None),
    ("CMP-202", "social_retargeting", "paid_social", 0.30, None),
    ("CMP-203", "social_new_year_reset", "paid_social", 0.40, (1, 2, 3)),
    ("CMP-301", "affiliate_network", "affiliate", 1.00, None),
    ("CMP-401", "seo_content", "organic_search", 1.00, None),
)

# Web analytics.
SESSION_CHANNELS = (
    ("organic_search", 0.38),
    ("paid_search", 0.27),
    ("paid_social", 0.22),
    ("affiliate", 0.07),
    ("referral", 0.06),
)
LANDING_PAGES = {
    "paid_search": ("/credit-repair", "/free-consultation", "/pricing"),
    "paid_social": ("/fresh-start", "/free-consultation", "/success-stories"),
    "organic_search": (
        "/",
        "/how-it-works",
        "/blog/how-to-dispute-credit-report-errors",
        "/blog/what-affects-your-credit-score",
    ),
    "affiliate": ("/partners/offer", "/pricing"),
    "referral": ("/refer", "/"),
}
DEVICES = (("mobile", 0.58), ("desktop", 0.36), ("tablet", 0.06))
FORM_NAMES = (("free_consultation", 0.55), ("credit_analysis", 0.30), ("contact_us", 0.15))
# Local hour of day weights: web traffic peaks in the evening, forms follow it.
WEB_HOURS = (1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 9, 10, 10, 9, 6, 3)
WEB_HOUR_CUM = tuple(accumulate(WEB_HOURS))
# Deal value of an opportunity: the first-year contract value of a plan, in USD (× the world's
# money_scale below scale 1, like every price).
FIRST_YEAR_VALUES = tuple(
    round(amount * (12 if interval == "month" else 1) / 100, 2) for _, amount, interval, _ in PLANS
)


# --- the plan's records ------------------------------------------------------------------------
@dataclass
class Opportunity:
    created_at: datetime
    qualified: bool
    amount: float | None
    proposal_at: datetime | None = None
    won_at: datetime | None = None
    lost_at: datetime | None = None
    opportunity_id: str = ""


@dataclass
class LeadForm:
    submitted_at: datetime
    session_started_at: datetime
    session_id: str
    channel: str
    form_name: str
    landing_page: str
    device: str
    visitor_key: str
    form_id: str = ""


@dataclass
class Lead:
    created_at: datetime
    lead_source: str
    first_name: str
    last_name: str
    email: str
    phone: str
    owner_id: str
    campaign: str | None = None
    client: Client | None = None
    goal_achieved_at: datetime | None = None
    lost_at: datetime | None = None
    lost_reason: str | None = None
    deleted_at: datetime | None = None
    is_test: bool = False
    form: LeadForm | None = None
    opportunity: Opportunity | None = None
    contact_id: str = ""


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    days: tuple[date, ...]  # the month's days inside the window

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass
class CrmPlan:
    leads: list[Lead]
    months: list[Month]
    planned_leads: dict[str, float]  # per month, the plan's lead volume (before the shortfall)
    mature_months: list[str]  # months whose lead cohorts have had their conversion window


# --- helpers -----------------------------------------------------------------------------------
def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    pick, cumulative = rng.random() * sum(w for _, w in options), 0.0
    for value, weight in options:
        cumulative += weight
        if pick < cumulative:
            return value
    return options[-1][0]


def _local_day(world: World, moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(world.tz).date()


def _business_time(rng: random.Random) -> time:
    return time(rng.randint(9, 16), rng.randint(0, 59), rng.randint(0, 59))


def _web_time(rng: random.Random) -> time:
    hour = bisect_left(WEB_HOUR_CUM, rng.random() * WEB_HOUR_CUM[-1] + 1e-9)
    return time(min(hour, 23), rng.randint(0, 59), rng.randint(0, 59))


def _business_moment(world: World, rng: random.Random, day: date) -> datetime:
    return world.to_utc(day, _business_time(rng))


def _season(month: int) -> float:
    return SEASON.get(month, 1.0)


DAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.9, 0.6, 0.5)  # Monday … Sunday
MEAN_DAY_WEIGHT = sum(DAY_WEIGHTS) / 7


def _day_weight(day: date) -> float:
    return DAY_WEIGHTS[day.weekday()]


def _months(world: World) -> list[Month]:
    by_month: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day in world.days():
        by_month[(day.year, day.month)].append(day)
    return [Month(y, m, tuple(days)) for (y, m), days in by_month.items()]


def _mature(world: World, months: list[Month]) -> list[Month]:
    """Months whose lead cohort has had its full conversion window inside the data."""
    mature = [
        m
        for m in months
        if m.days[-1] + timedelta(days=CONVERSION_WINDOW_DAYS) <= world.end
        and m.days[0].day == 1
        and (m.days[-1] + timedelta(days=1)).day == 1
    ]
    return mature or months


def _first_year_value(world: World, client: Client) -> float:
    sub = world.subscription_of(client)
    periods = 12 if sub.interval == "month" else 1
    return round(sub.unit_amount * sub.quantity * periods / 100, 2)


class _Owners:
    """The sales agent a new lead is assigned to: one of the agents employed that day."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.agents = sorted(world.staff("sales_agent"), key=lambda e: (e.hire_date, e.employee_id))
        self.by_day: dict[date, list[str]] = {}

    def pick(self, rng: random.Random, day: date) -> str:
        ids = self.by_day.get(day)
        if ids is None:
            ids = [e.employee_id for e in self.agents if e.employed_on(day)]
            if not ids:  # before the earliest agent still on the books: the earliest hire
                ids = [self.agents[0].employee_id]
            self.by_day[day] = ids
        return rng.choice(ids)


def _campaign_for(rng: random.Random, lead_source: str, day: date) -> str | None:
    if lead_source not in PAID_SOURCES:
        return None
    channel = CHANNEL_OF[lead_source]
    options = tuple(
        (name, weight)
        for _, name, ch, weight, months in CAMPAIGNS
        if ch == channel and (months is None or day.month in months)
    )
    return _weighted(rng, options)


def _new_visitor(rng: random.Random) -> str:
    return f"v_{rng.getrandbits(64):016x}"


def _session_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def _lead_form(
    rng: random.Random, created_at: datetime, lead_source: str, window_start: datetime
) -> LeadForm:
    channel = CHANNEL_OF[lead_source]
    started = created_at - timedelta(seconds=rng.randint(60, 1500))
    return LeadForm(
        submitted_at=created_at,
        session_started_at=max(started, window_start),
        session_id=_session_id(rng),
        channel=channel,
        form_name=_weighted(rng, FORM_NAMES),
        landing_page=rng.choice(LANDING_PAGES[channel]),
        device=_weighted(rng, DEVICES),
        visitor_key=_new_visitor(rng),
    )


def _via_form(rng: random.Random, lead_source: str) -> bool:
    """Web leads come through a website form; half the referrals do, the rest are typed in."""
    if lead_source == "partner_import":
        return False
    return lead_source != "referral" or rng.random() < 0.5


# --- building the plan -------------------------------------------------------------------------
def _client_leads(world: World, owners: _Owners, window_start: datetime, window_end: datetime):
    """Every world client is a contact, with the lead, opportunity and goal that led there."""
    rng = world.rng("crm.contacts")
    leads = []
    for client in world.clients:
        created_day = _local_day(world, client.lead_created_at)
        lead = Lead(
            created_at=client.lead_created_at,
            lead_source=client.lead_source,
            first_name=client.first_name,
            last_name=client.last_name,
            email=client.email,
            phone=client.phone,
            owner_id=owners.pick(rng, created_day),
            campaign=_campaign_for(rng, client.lead_source, created_day),
            client=client,
        )
        if client.lead_created_at >= window_start and _via_form(rng, client.lead_source):
            lead.form = _lead_form(rng, client.lead_created_at, client.lead_source, window_start)
        # The CSM records the goal as reached for most clients who stay long enough.
        if rng.random() < 0.6:
            achieved = client.became_client_at + timedelta(
                days=rng.randint(60, 240), hours=rng.randint(0, 6)
            )
            churned = world.churned_at(client)
            if achieved < window_end and (churned is None or achieved < churned):
                lead.goal_achieved_at = achieved
        # The opportunity: opened once the lead engaged, won at the signature.
        span = client.became_client_at - client.lead_created_at
        opened = client.lead_created_at + span * rng.uniform(0.15, 0.6)
        opportunity = Opportunity(
            created_at=opened.replace(microsecond=0),
            qualified=True,
            amount=_first_year_value(world, client),
            won_at=client.became_client_at,
        )
        if rng.random() < 0.7:
            proposal = opened + (client.became_client_at - opened) * rng.uniform(0.3, 0.8)
            opportunity.proposal_at = proposal.replace(microsecond=0)
        lead.opportunity = opportunity
        leads.append(lead)
    return leads


def _prospect(
    world: World,
    rng: random.Random,
    owners: _Owners,
    day: date,
    sequence: int,
    window_start: datetime,
    window_end: datetime,
) -> list[Lead]:
    """One lead that will not sign (plus, sometimes, its duplicate submission)."""
    source = _weighted(rng, NON_CONVERTING_SOURCES)
    form = _via_form(rng, source)
    created = world.to_utc(day, _web_time(rng) if form else _business_time(rng))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    lead = Lead(
        created_at=created,
        lead_source=source,
        first_name=first,
        last_name=last,
        email=f"{first}.{last}.p{sequence}@example.net".lower(),
        phone=f"+1-555-{900 + sequence // 10000 % 100:03d}-{sequence % 10000:04d}",
        owner_id=owners.pick(rng, day),
        campaign=_campaign_for(rng, source, day),
    )
    if form and created >= window_start:
        lead.form = _lead_form(rng, created, source, window_start)
    if form and rng.random() < 0.01:  # spam submission, deleted by the team
        lead.deleted_at = created + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5))
        lead.lost_at, lead.lost_reason = lead.deleted_at, "spam"
        return [lead]
    lost_day = day + timedelta(days=rng.randint(10, 120))
    lost_at = _business_moment(world, rng, lost_day)
    if lost_at < window_end:
        lead.lost_at, lead.lost_reason = lost_at, _weighted(rng, LOST_REASONS)
    if rng.random() < 0.45:  # sales opened an opportunity
        opened = _business_moment(world, rng, day + timedelta(days=rng.randint(1, 10)))
        if opened > created and (lead.lost_at is None or opened < lead.lost_at):
            qualified = rng.random() < 0.45
            amount = None
            if qualified or rng.random() < 0.5:  # the plan the prospect was quoted
                amount = round(rng.choice(FIRST_YEAR_VALUES) * world.money_scale, 2)
            opportunity = Opportunity(created_at=opened, qualified=qualified, amount=amount)
            if opened < window_end:
                if qualified and rng.random() < 0.5:
                    proposal = opened + timedelta(days=rng.randint(2, 10))
                    if lead.lost_at is None or proposal < lead.lost_at:
                        opportunity.proposal_at = proposal
                opportunity.lost_at = lead.lost_at
                lead.opportunity = opportunity
    leads = [lead]
    if form and lead.form is not None and rng.random() < 0.015:
        # The same person submitted the form twice: a second contact, same email and phone,
        # closed as a duplicate the next working day. leads_generated dedups on email/phone.
        twin_created = created + timedelta(minutes=rng.randint(2, 30))
        twin = Lead(
            created_at=twin_created,
            lead_source=source,
            first_name=first,
            last_name=last,
            email=lead.email,
            phone=lead.phone,
            owner_id=lead.owner_id,
            campaign=lead.campaign,
            lost_reason="duplicate",
        )
        twin.lost_at = _business_moment(world, rng, day + timedelta(days=1))
        twin.form = LeadForm(
            submitted_at=twin_created,
            session_started_at=lead.form.session_started_at,
            session_id=lead.form.session_id,
            channel=lead.form.channel,
            form_name=lead.form.form_name,
            landing_page=lead.form.landing_page,
            device=lead.form.device,
            visitor_key=lead.form.visitor_key,
        )
        if twin.lost_at >= window_end:
            twin.lost_at, twin.lost_reason = None, None
        leads.append(twin)
    return leads


def _pick_day(rng: random.Random, days: tuple[date, ...], cumulative: list[float]) -> date:
    return days[bisect_left(cumulative, rng.random() * cumulative[-1] + 1e-12)]


def _build_plan(world: World) -> CrmPlan:
    window_start = world.to_utc(world.start, time(0))
    window_end = world.to_utc(world.end + timedelta(days=1), time(0))
    owners = _Owners(world)
    leads = _client_leads(world, owners, window_start, window_end)
    months = _months(world)
    mature = _mature(world, months)

    # Lead volume: mature cohorts convert at ACTUAL_CONVERSION given the world's clients.
    signing = [
        c
        for c in world.clients
        if c.lead_source != "partner_import" and c.became_client_at >= window_start
    ]
    per_day = len(signing) / len(world.days())
    mature_days = sum(len(m.days) for m in mature)
    mature_weight = sum(_season(m.month) * len(m.days) for m in mature)
    leads_per_weighted_day = per_day * mature_days / (ACTUAL_CONVERSION * mature_weight)

    converting: dict[str, int] = defaultdict(int)
    for lead in leads:
        if lead.client and lead.lead_source != "partner_import" and lead.created_at >= window_start:
            converting[_month_key(_local_day(world, lead.created_at))] += 1

    rng = world.rng("crm.leads")
    planned: dict[str, float] = {}
    sequence = 0
    cumulative_target, placed = 0.0, 0
    for month in months:
        target = leads_per_weighted_day * _season(month.month) * len(month.days)
        cumulative_target += target
        month_total = round(cumulative_target) - placed
        placed += month_total
        planned[month.key] = target / (1 - LEAD_SHORTFALL)
        weights = list(accumulate(_day_weight(d) for d in month.days))
        made = 0
        while made < month_total - converting[month.key]:
            sequence += 1
            day = _pick_day(rng, month.days, weights)
            new = _prospect(world, rng, owners, day, sequence, window_start, window_end)
            leads.extend(new)
            made += new[0].deleted_at is None  # spam that was deleted is not a lead

    # The open pipeline the first delivery finds: leads of the 90 days before the window.
    before = [world.start - timedelta(days=i) for i in range(90, 0, -1)]
    for day in before:
        expected = leads_per_weighted_day * _season(day.month) * _day_weight(day) / MEAN_DAY_WEIGHT
        expected -= per_day  # those that sign are the world's clients
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        for _ in range(max(0, count)):
            sequence += 1
            leads.extend(_prospect(world, rng, owners, day, sequence, window_start, window_end))

    leads.extend(_imports(world, owners, window_end))
    leads.extend(_test_contacts(world, owners))
    _assign_ids(leads)
    return CrmPlan(
        leads=leads,
        months=months,
        planned_leads=planned,
        mature_months=[m.key for m in mature],
    )


def _month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _imports(world: World, owners: _Owners, window_end: datetime) -> list[Lead]:
    """Quarterly partner list imports: excluded from lead KPIs (catalogue seed exclusions)."""
    rng = world.rng("crm.imports")
    leads = []
    size = max(1, round(120 * world.scale))
    sequence = 0
    for day in world.days():
        if day.month not in (2, 5, 8, 11) or day.weekday() != 1 or day.day > 7:
            continue
        moment = world.to_utc(day, time(6, 15, 0))
        for i in range(size):
            sequence += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            lead = Lead(
                created_at=moment + timedelta(seconds=i),
                lead_source="partner_import",
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.i{sequence}@example.org".lower(),
                phone=f"+1-555-{800 + sequence // 10000 % 100:03d}-{sequence % 10000:04d}",
                owner_id=owners.pick(rng, day),
            )
            if rng.random() < 0.8:
                lost = _business_moment(world, rng, day + timedelta(days=rng.randint(20, 90)))
                if lost < window_end:
                    lead.lost_at, lead.lost_reason = lost, _weighted(rng, LOST_REASONS)
            leads.append(lead)
    return leads


def _test_contacts(world: World, owners: _Owners) -> list[Lead]:
    """Records the team creates to test the CRM; flagged is_test, excluded from KPIs."""
    rng = world.rng("crm.test_contacts")
    days = world.days()
    count = max(1, round(12 * world.scale))
    leads = []
    for i in range(count):
        day = days[int((i + 0.5) * len(days) / count)]
        leads.append(
            Lead(
                created_at=_business_moment(world, rng, day),
                lead_source=rng.choice(("google_ads", "organic_search")),
                first_name="Test",
                last_name="Lead",
                email=f"qa+crm{i + 1}@scorecard-demo.com",
                phone="+1-555-0100-0000",
                owner_id=owners.pick(rng, day),
                is_test=True,
            )
        )
    return leads


def _assign_ids(leads: list[Lead]) -> None:
    leads.sort(key=lambda lead: (lead.created_at, lead.email, lead.lost_reason or ""))
    for number, lead in enumerate(leads, start=1):
        lead.contact_id = f"CT{number:07d}"
    opportunities = sorted(
        (lead.opportunity.created_at, lead.contact_id, lead.opportunity)
        for lead in leads
        if lead.opportunity is not None
    )
    for number, (_, _, opportunity) in enumerate(opportunities, start=1):
        opportunity.opportunity_id = f"OP{number:07d}"
    forms = sorted(
        (lead.form.submitted_at, lead.contact_id, lead.form) for lead in leads if lead.form
    )
    for number, (_, _, form) in enumerate(forms, start=1):
        form.form_id = f"F{number:08d}"


_PLAN_CACHE: dict[tuple, CrmPlan] = {}


def crm_plan(world: World) -> CrmPlan:
    """The CRM and marketing plan of `world` (built once per world; deterministic)."""
    key = (id(world), world.scale, world.seed, world.start, world.end, str(world.tz))
    if key not in _PLAN_CACHE:
        _PLAN_CACHE.clear()
        _PLAN_CACHE[key] = _build_plan(world)
    return _PLAN_CACHE[key]


# --- rows --------------------------------------------------------------------------------------
def _contact_row(lead: Lead, end_of_day: datetime) -> dict:
    client = lead.client
    is_client = client is not None and client.became_client_at <= end_of_day
    lost = lead.lost_at is not None and lead.lost_at <= end_of_day
    achieved = lead.goal_achieved_at is not None and lead.goal_achieved_at <= end_of_day
    deleted = lead.deleted_at is not None and lead.deleted_at <= end_of_day
    changes = [lead.created_at]
    changes += [m for m in (lead.lost_at, lead.deleted_at, lead.goal_achieved_at) if m]
    if client is not None:
        changes.append(client.became_client_at)
    status = "client" if is_client else "lost" if lost else "lead"
    return {
        "contact_id": lead.contact_id,
        "created_at": lead.created_at,
        "updated_at": max(m for m in changes if m <= end_of_day),
        "status": status,
        "became_client_at": client.became_client_at if is_client else None,
        "lead_source": lead.lead_source,
        "campaign": lead.campaign,
        "lost_reason": lead.lost_reason if status == "lost" else None,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "phone": lead.phone,
        "client_id": client.client_id if is_client else None,
        "stripe_customer_id": client.stripe_customer_id if is_client else None,
        "goal_score": client.goal_score if is_client else None,
        "goal_status": ("achieved" if achieved else "in_progress") if is_client else None,
        "goal_achieved_at": lead.goal_achieved_at if is_client and achieved else None,
        "owner_id": lead.owner_id,
        "is_test": lead.is_test,
        "is_deleted": deleted,
    }


def _opportunity_row(lead: Lead, opportunity: Opportunity, end_of_day: datetime) -> dict:
    def done(moment: datetime | None) -> bool:
        return moment is not None and moment <= end_of_day

    if done(opportunity.won_at):
        stage = "closed_won"
    elif done(opportunity.lost_at):
        stage = "closed_lost"
    elif done(opportunity.proposal_at):
        stage = "proposal"
    else:
        stage = "qualified" if opportunity.qualified else "new"
    moments = (
        opportunity.created_at,
        opportunity.proposal_at,
        opportunity.won_at,
        opportunity.lost_at,
    )
    return {
        "opportunity_id": opportunity.opportunity_id,
        "lead_id": lead.contact_id,
        "owner_id": lead.owner_id,
        "created_at": opportunity.created_at,
        "updated_at": max(m for m in moments if done(m)),
        "stage": stage,
        "qualified": opportunity.qualified,
        "amount": opportunity.amount,
        "won_at": opportunity.won_at if stage == "closed_won" else None,
        "lost_at": opportunity.lost_at if stage == "closed_lost" else None,
    }


def _delivery_days(world: World, moments: list[datetime | None]) -> list[date]:
    """The days whose export holds a record changed at `moments` (before the window: day one)."""
    days = []
    for moment in moments:
        if moment is None:
            continue
        day = max(_local_day(world, moment), world.start)
        if day <= world.end and day not in days:
            days.append(day)
    return sorted(days)


def _end_of_day(world: World, day: date) -> datetime:
    return world.to_utc(day + timedelta(days=1), time(0)) - timedelta(seconds=1)


def contact_rows_by_day(world: World, plan: CrmPlan) -> dict[date, list[dict]]:
    by_day: dict[date, list[dict]] = defaultdict(list)
    for lead in plan.leads:
        moments = [lead.created_at, lead.lost_at, lead.deleted_at, lead.goal_achieved_at]
        if lead.client is not None:
            moments.append(lead.client.became_client_at)
        for day in _delivery_days(world, moments):
            by_day[day].append(_contact_row(lead, _end_of_day(world, day)))
    for rows in by_day.values():
        rows.sort(key=lambda r: (r["updated_at"], r["contact_id"]))
    return by_day


# --- writers -----------------------------------------------------------------------------------
def write_contacts(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    plan = crm_plan(world)
    by_day = contact_rows_by_day(world, plan)
    malformed: tuple[date, list[str]] | None = None
    if ctx.defects:
        _duplicate_rows(ctx, extract, by_day)
        malformed = _pick_malformed(world, by_day)
        _null_lead_sources(ctx, extract, plan, by_day, malformed)
    total = write_daily(ctx, extract, by_day)
    if malformed is not None:
        _write_malformed(ctx, extract, by_day, *malformed)
    _plant_gaps(ctx, plan)
    return total


def write_opportunities(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    by_day: dict[date, list[dict]] = defaultdict(list)
    for lead in crm_plan(world).leads:
        opportunity = lead.opportunity
        if opportunity is None:
            continue
        moments = [
            opportunity.created_at,
            opportunity.proposal_at,
            opportunity.won_at,
            opportunity.lost_at,
        ]
        for day in _delivery_days(world, moments):
            by_day[day].append(_opportunity_row(lead, opportunity, _end_of_day(world, day)))
    for rows in by_day.values():
        rows.sort(key=lambda r: (r["updated_at"], r["opportunity_id"]))
    return write_daily(ctx, extract, by_day)


def spend_rows_by_day(world: World) -> dict[date, list[dict]]:
    """Spend paced to the plan: each month's budget is the planned CAC × the planned clients,
    and the month's acquisitions came in CLIENT_SHORTFALL below the plan."""
    rng = world.rng("marketing.spend")
    window_start = world.to_utc(world.start, time(0))
    new_clients: dict[str, int] = defaultdict(int)
    for client in world.clients:
        if client.became_client_at >= window_start:
            new_clients[_month_key(_local_day(world, client.became_client_at))] += 1
    per_day = sum(new_clients.values()) / len(world.days())
    by_day: dict[date, list[dict]] = defaultdict(list)
    for month in _months(world):
        clients = new_clients[month.key] or per_day * len(month.days)
        planned_clients = clients / (1 - CLIENT_SHORTFALL)
        budget = planned_clients * PLANNED_CAC * rng.uniform(1 - CAC_JITTER, 1 + CAC_JITTER)
        for channel, share in CHANNEL_BUDGET:
            active = [
                c for c in CAMPAIGNS if c[2] == channel and (c[4] is None or month.month in c[4])
            ]
            weight_total = sum(c[3] for c in active)
            for campaign_id, name, _, weight, _ in active:
                campaign_budget = budget * share * weight / weight_total
                daily = [_day_weight(d) * rng.uniform(0.85, 1.15) for d in month.days]
                scale = campaign_budget / sum(daily)
                for day, w in zip(month.days, daily, strict=True):
                    by_day[day].append(
                        {
                            "date": day,
                            "channel": channel,
                            "campaign_id": campaign_id,
                            "campaign": name,
                            "spend": round(w * scale, 2),
                        }
                    )
    return by_day


def write_spend(ctx: GenerationContext, extract: Extract) -> int:
    return write_daily(ctx, extract, spend_rows_by_day(ctx.world))


def write_lead_forms(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    by_day: dict[date, list[dict]] = defaultdict(list)
    for lead in crm_plan(world).leads:
        form = lead.form
        if form is None:
            continue
        by_day[_local_day(world, form.submitted_at)].append(
            {
                "form_id": form.form_id,
                "submitted_at": form.submitted_at,
                "session_id": form.session_id,
                "lead_id": lead.contact_id,
                "channel": form.channel,
                "form_name": form.form_name,
            }
        )
    for rows in by_day.values():
        rows.sort(key=lambda r: (r["submitted_at"], r["form_id"]))
    return write_daily(ctx, extract, by_day)


def session_rows_by_day(world: World, plan: CrmPlan) -> dict[date, list[dict]]:
    """Sessions that submitted a form, plus the far larger traffic that did not."""
    rng = world.rng("marketing.web_sessions")
    by_day: dict[date, list[dict]] = defaultdict(list)
    seen: set[str] = set()
    form_sessions: dict[str, int] = defaultdict(int)
    for lead in plan.leads:
        form = lead.form
        if form is None or form.session_id in seen:
            continue
        seen.add(form.session_id)
        day = _local_day(world, form.session_started_at)
        if day < world.start:
            continue
        form_sessions[_month_key(day)] += 1
        by_day[day].append(
            {
                "session_id": form.session_id,
                "started_at": form.session_started_at,
                "channel": form.channel,
                "landing_page": form.landing_page,
                "device": form.device,
                "visitor_key": form.visitor_key,
            }
        )
    months = _months(world)
    forms = sum(form_sessions.values())
    weight = sum(_season(m.month) * len(m.days) for m in months)
    per_weighted_day = forms / VISITOR_TO_LEAD / weight if weight else 0.0
    visitors: list[str] = []
    for month in months:
        total = per_weighted_day * _season(month.month) * len(month.days)
        background = max(0.0, total - form_sessions[month.key])
        day_weights = [_day_weight(d) * rng.uniform(0.9, 1.1) for d in month.days]
        day_total = sum(day_weights)
        carried = 0.0
        for day, w in zip(month.days, day_weights, strict=True):
            carried += background * w / day_total
            count = int(carried)
            carried -= count
            for _ in range(count):
                session_id = _session_id(rng)
                while session_id in seen:
                    session_id = _session_id(rng)
                seen.add(session_id)
                channel = _weighted(rng, SESSION_CHANNELS)
                if visitors and rng.random() < 0.3:
                    visitor = visitors[rng.randrange(len(visitors))]
                else:
                    visitor = _new_visitor(rng)
                    visitors.append(visitor)
                    if len(visitors) > 20000:
                        del visitors[:10000]
                by_day[day].append(
                    {
                        "session_id": session_id,
                        "started_at": world.to_utc(day, _web_time(rng)),
                        "channel": channel,
                        "landing_page": rng.choice(LANDING_PAGES[channel]),
                        "device": _weighted(rng, DEVICES),
                        "visitor_key": visitor,
                    }
                )
    for rows in by_day.values():
        rows.sort(key=lambda r: (r["started_at"], r["session_id"]))
    return by_day


def write_web_sessions(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    plan = crm_plan(world)
    by_day = session_rows_by_day(world, plan)
    _plant_seasonal_sessions(ctx, plan, by_day)
    return write_daily(ctx, extract, by_day)


# --- planted truth -----------------------------------------------------------------------------
def _plant_gaps(ctx: GenerationContext, plan: CrmPlan) -> None:
    world = ctx.world
    if world.scale < 1:
        # Levels hold at every scale (World.money_scale); the monthly spread does not.
        ctx.plant_gap(
            kpi_id="sales_target_achievement",
            expected_status={"green", "yellow", "red"},
            description=(
                "Below scale 1, the won amount keeps its scale-1 level (~85% of the seeded "
                "$561K monthly target, yellow), but it comes from scale × as many (larger) "
                "deals, so its monthly spread grows as 1/sqrt(scale) (a few family plans more "
                "or less) and a month can fall to the 75% red flag by sampling alone."
            ),
            department="sales",
            kind="simulation_limit",
            scale=world.scale,
        )
    window_start = world.to_utc(world.start, time(0))
    months = plan.months
    full = [m for m in months if m.days[0].day == 1 and (m.days[-1] + timedelta(days=1)).day == 1]
    full = full or months

    # CAC from marketing spend (GL sales-cost accounts come on top; see the report).
    spend = spend_rows_by_day(world)
    new_clients: dict[str, int] = defaultdict(int)
    for client in world.clients:
        if client.became_client_at >= window_start:
            new_clients[_month_key(_local_day(world, client.became_client_at))] += 1
    monthly_cac = {}
    for month in full:
        total = sum(r["spend"] for d in month.days for r in spend.get(d, []))
        if new_clients[month.key]:
            monthly_cac[month.key] = round(total / new_clients[month.key], 2)
    ctx.plant_gap(
        kpi_id="cac",
        expected_status=["yellow"],
        description=(
            "Client acquisition cost above target: marketing spend was budgeted for the planned "
            f"new clients at ${PLANNED_CAC:.0f} each, and new clients came in "
            f"{CLIENT_SHORTFALL:.0%} short (lead generation and conversion gaps, GAP §3A/§3B)."
        ),
        department="marketing",
        grain="month",
        period_start=full[0].days[0],
        period_end=full[-1].days[-1],
        planned_cac=PLANNED_CAC,
        expected_cac=round(ACTUAL_CAC, 2),
        measured_cac_from_marketing_spend=monthly_cac,
        note="Measured on marketing spend only; GL sales_cost_accounts add to the numerator.",
    )

    # Lead-to-sale conversion (cohorts by created_at, mature only) and lead volume.
    cohorts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    volumes: dict[str, set[str]] = defaultdict(set)
    for lead in plan.leads:
        if lead.is_test or lead.deleted_at is not None or lead.lead_source == "partner_import":
            continue
        if lead.created_at < window_start:
            continue
        key = _month_key(_local_day(world, lead.created_at))
        volumes[key].add(lead.email)
        cohort = cohorts[key]
        cohort[1] += 1
        if lead.client is not None and lead.client.became_client_at <= lead.created_at + timedelta(
            days=CONVERSION_WINDOW_DAYS
        ):
            cohort[0] += 1
    mature = plan.mature_months
    converted = sum(cohorts[k][0] for k in mature)
    cohort_leads = sum(cohorts[k][1] for k in mature)
    measured = round(100 * converted / cohort_leads, 2) if cohort_leads else None
    mature_months = [m for m in months if m.key in mature]
    ctx.plant_gap(
        kpi_id="lead_to_sale_conversion_rate",
        expected_status=["no_target"],
        description=(
            f"Lead-to-sale conversion {CONVERSION_SHORTFALL:.0%} below the sales target of "
            f"{TARGET_CONVERSION:.0%} (GAP §3A); the catalogue has no target value, so the gap is "
            "descriptive."
        ),
        department="sales",
        grain="month",
        period_start=mature_months[0].days[0],
        period_end=mature_months[-1].days[-1],
        target_pct=100 * TARGET_CONVERSION,
        planned_pct=100 * TARGET_CONVERSION,
        expected_pct=round(100 * ACTUAL_CONVERSION, 2),
        measured_pct=measured,
        measured_monthly_pct={
            k: round(100 * cohorts[k][0] / cohorts[k][1], 2) for k in mature if cohorts[k][1]
        },
    )
    ctx.plant_gap(
        kpi_id="leads_generated",
        expected_status=["no_target"],
        description=(
            f"Lead generation {LEAD_SHORTFALL:.0%} below the marketing plan (GAP §3B); the "
            "catalogue has no target value, so the gap is descriptive."
        ),
        department="marketing",
        grain="month",
        period_start=full[0].days[0],
        period_end=full[-1].days[-1],
        planned_per_month={k: round(v, 1) for k, v in plan.planned_leads.items()},
        measured_per_month={m.key: len(volumes[m.key]) for m in months},
        shortfall_pct=100 * LEAD_SHORTFALL,
    )
    q1, base, low = _season_ratios({m.key: len(volumes[m.key]) for m in months}, months)
    ctx.plant_gap(
        kpi_id="leads_generated",
        expected_status=["green", "yellow", "red", "no_target"],
        description="Seasonal pattern: leads ~25% higher in Jan–Mar, lower in Nov–Dec.",
        department="marketing",
        grain="month",
        kind="seasonal",
        seasonal_index=dict(sorted(SEASON.items())),
        measured_q1_vs_apr_oct=q1,
        measured_nov_dec_vs_apr_oct=low,
        measured_apr_oct_mean_per_day=base,
    )


def _season_ratios(
    counts: dict[str, int], months: list[Month]
) -> tuple[float | None, float | None, float | None]:
    """Per-day volume of Jan–Mar and Nov–Dec relative to Apr–Oct."""

    def per_day(selected: list[Month]) -> float | None:
        days = sum(len(m.days) for m in selected)
        return sum(counts.get(m.key, 0) for m in selected) / days if days else None

    base = per_day([m for m in months if 4 <= m.month <= 10])
    q1 = per_day([m for m in months if m.month <= 3])
    low = per_day([m for m in months if m.month >= 11])
    if not base:
        return None, None, None
    return (
        round(q1 / base, 3) if q1 is not None else None,
        round(base, 2),
        round(low / base, 3) if low is not None else None,
    )


def _plant_seasonal_sessions(ctx: GenerationContext, plan: CrmPlan, by_day: dict) -> None:
    counts: dict[str, int] = defaultdict(int)
    for day, rows in by_day.items():
        counts[_month_key(day)] += len(rows)
    q1, base, low = _season_ratios(counts, plan.months)
    ctx.plant_gap(
        kpi_id="website_sessions",
        expected_status=["green", "yellow", "red", "no_target"],
        description="Seasonal pattern: web sessions ~25% higher in Jan–Mar, lower in Nov–Dec.",
        department="marketing",
        grain="month",
        kind="seasonal",
        seasonal_index=dict(sorted(SEASON.items())),
        measured_q1_vs_apr_oct=q1,
        measured_nov_dec_vs_apr_oct=low,
        measured_apr_oct_mean_per_day=base,
    )


# --- defects (only with ctx.defects) -----------------------------------------------------------
def _defect_day(world: World, fraction: float) -> date:
    days = world.days()
    return days[min(len(days) - 1, int(len(days) * fraction))]


def _null_lead_sources(
    ctx: GenerationContext,
    extract: Extract,
    plan: CrmPlan,
    by_day: dict,
    malformed: tuple[date, list[str]] | None,
) -> None:
    """A month in which the web-form integration dropped the source of ~40% of new contacts.

    Runs after the other defects, so the days it reports are those of the delivered files
    (re-delivered copies included, quarantined lines excluded)."""
    world = ctx.world
    rng = world.rng("crm.defects.lead_source")
    month = _month_key(_defect_day(world, 0.45))
    affected = []
    for lead in plan.leads:
        if lead.created_at < world.to_utc(world.start, time(0)):
            continue
        if _month_key(_local_day(world, lead.created_at)) == month and rng.random() < 0.4:
            affected.append(lead.contact_id)
    lost = set(affected)
    rows = 0
    days_hit: dict[str, tuple[int, int]] = {}
    for day in sorted(by_day):
        skipped = malformed[1] if malformed and malformed[0] == day else []
        nulls = loaded = 0
        for row in by_day[day]:
            if row["contact_id"] in lost:
                row["lead_source"] = None
            if row["contact_id"] in skipped:
                continue  # quarantined at ingest: not in raw
            loaded += 1
            nulls += row["lead_source"] is None
        rows += nulls
        if nulls:
            days_hit[day.isoformat()] = (nulls, loaded)
    failing = {d: round(1 - n / t, 3) for d, (n, t) in days_hit.items() if n / t > 0.05}
    ctx.plant_defect(
        kind="null_values",
        raw_table=extract.raw_table,
        description=(
            f"lead_source missing on {len(affected)} contacts created in {month} (~40% of that "
            "month's new contacts; a web-form integration fault). Primary tier needs 95% per day."
        ),
        rows=rows,
        column="lead_source",
        check="completeness",
        contacts=len(affected),
        month=month,
        days_below_95pct=failing,
    )


def _duplicate_rows(ctx: GenerationContext, extract: Extract, by_day: dict) -> None:
    """The same rows twice in one file, and unchanged rows re-delivered in a later file."""
    world = ctx.world
    days = sorted(by_day)
    day = next((d for d in days if d >= _defect_day(world, 0.6) and len(by_day[d]) >= 3), None)
    if day is not None:
        copies = [dict(r) for r in by_day[day][:5]]
        by_day[day].extend(copies)
        ctx.plant_defect(
            kind="duplicate_rows",
            raw_table=extract.raw_table,
            description=(
                f"{len(copies)} contact rows appear twice in the {day} file (exact duplicates): "
                "raw is not unique on (contact_id, _partition); staging keeps one row."
            ),
            rows=len(copies),
            column="contact_id",
            check="accuracy",
            unique_key=["contact_id", "_partition"],
            partition=day.isoformat(),
            contact_ids=[r["contact_id"] for r in copies],
        )
    # Re-delivery: rows of `first` delivered again, unchanged, 3 days later. Only contacts with
    # no change in between, so the re-delivered version is still the latest state.
    for first in days:
        again = first + timedelta(days=3)
        if first < _defect_day(world, 0.7) or again > world.end:
            continue
        changed = {r["contact_id"] for d in days if first < d <= again for r in by_day[d]}
        resent = [dict(r) for r in by_day[first] if r["contact_id"] not in changed][:8]
        if len(resent) < 3:
            continue
        by_day[again].extend(resent)
        ctx.plant_defect(
            kind="redelivered_rows",
            raw_table=extract.raw_table,
            description=(
                f"{len(resent)} contact rows of the {first} file delivered again unchanged in "
                f"the {again} file: raw is not unique on the version key (contact_id, "
                "updated_at); staging deduplication absorbs them."
            ),
            rows=len(resent),
            column="contact_id",
            check="accuracy",
            unique_key=["contact_id", "updated_at"],
            partition=again.isoformat(),
            first_partition=first.isoformat(),
            contact_ids=[r["contact_id"] for r in resent],
        )
        return


def _pick_malformed(world: World, by_day: dict) -> tuple[date, list[str]] | None:
    """A day with three rows that update contacts created earlier (the contact is already in
    the warehouse, so a lost row only leaves its previous version in place)."""
    for day in sorted(by_day):
        if day < _defect_day(world, 0.8):
            continue
        start = world.to_utc(day, time(0)) - timedelta(hours=1)
        ids = [r["contact_id"] for r in by_day[day] if r["created_at"] < start]
        unique = list(dict.fromkeys(ids))
        if len(unique) >= 3:
            return day, unique[:3]
    return None


def _write_malformed(
    ctx: GenerationContext, extract: Extract, by_day: dict, day: date, ids: list[str]
) -> None:
    """Re-write the day's file with three broken lines, as a faulty export produces them."""
    columns = [c.name for c in extract.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    broken = 0
    for row in by_day[day]:
        values = ["" if row.get(c) is None else _text(row.get(c)) for c in columns]
        kind = ids.index(row["contact_id"]) if row["contact_id"] in ids else None
        if kind is None or broken >= len(ids):
            writer.writerow(values)
            continue
        if kind == 0:  # a last name with an unquoted comma: one field too many
            values.insert(columns.index("last_name") + 1, " Jr.")
        elif kind == 1:  # created_at in a US locale format: not a timestamp
            values[columns.index("created_at")] = row["created_at"].strftime("%m/%d/%Y %I:%M %p")
        else:  # the export cut the line short
            values = values[:6]
        buffer.write(",".join(values) + "\n")
        broken += 1
    ctx.path(extract, day).write_text(buffer.getvalue(), encoding="utf-8")
    ctx.plant_defect(
        kind="malformed_rows",
        raw_table=extract.raw_table,
        description=(
            f"{broken} malformed lines in the {day} contacts file: an unquoted comma (too many "
            "fields), a created_at in US format (cast error), a truncated line (too few fields)."
        ),
        rows=broken,
        check="ingest_quarantine",
        partition=day.isoformat(),
        contact_ids=ids,
    )


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


WRITERS: dict[str, Writer] = {
    "crm.contacts": write_contacts,
    "crm.opportunities": write_opportunities,
    "marketing.spend": write_spend,
    "marketing.web_sessions": write_web_sessions,
    "marketing.lead_forms": write_lead_forms,
}
