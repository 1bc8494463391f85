"""The simulated company every source generator draws from, so extracts agree with each other.

A `World` holds the time window, the staff (with hires and leavers), the clients (with their
lead, subscription history and assigned staff). Each source generator reads it and writes its
files; the same (scale, seed, start, end) always gives the same world, and the same bytes.
Generators draw their own randomness from `world.rng(name)`, so adding a source never changes
the bytes of another.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Plans as the billing system sells them: (plan id, unit amount in cents, interval, weight).
# Priced so that revenue per employee (> $150K) and per hour worked (> $75) are on target for
# the staff of STAFF below, as the catalogue's targets expect of a healthy business. Below scale
# 1 prices are multiplied by World.money_scale (see there).
PLANS = (
    ("essential_monthly", 33900, "month", 0.40),
    ("premier_monthly", 50900, "month", 0.35),
    ("premier_annual", 509000, "year", 0.10),
    ("family_monthly", 76900, "month", 0.15),
)

# Clients already on the books when the window opens, and new clients per month, at scale 1.
CLIENTS_AT_START = 1800
NEW_CLIENTS_PER_MONTH = 75
# ~7% a year: client retention (> 90%) and churn (< 10%) on target.
MONTHLY_CHURN = 0.006

# Staff at scale 1: (department, role, headcount). Role names are the ones the role seeds list.
STAFF = (
    ("sales", "sales_agent", 18),
    ("sales", "sales_manager", 1),
    ("customer_support", "client_rep", 8),
    ("disputes", "dispute_specialist", 10),
    ("client_success", "csm", 5),
    ("operations", "case_manager", 6),
    ("marketing", "marketing_specialist", 3),
    ("finance", "accountant", 3),
    ("hr", "hr_generalist", 2),
    ("technology", "engineer", 3),
    ("compliance", "compliance_officer", 2),
)
# Planted gap (DESIGN.md §3): annual turnover 18% above the seeded 20% benchmark = 23.6%.
ANNUAL_TURNOVER = 0.236

LEAD_SOURCES = (
    ("google_ads", 0.30),
    ("facebook_ads", 0.20),
    ("organic_search", 0.15),
    ("referral", 0.20),
    ("affiliate", 0.10),
    ("partner_import", 0.05),
)
FIRST_NAMES = (
    "Ava",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jamal",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
)
LAST_NAMES = (
    "Adams",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Moreau",
    "Nguyen",
    "Okafor",
    "Patel",
    "Rossi",
    "Silva",
)


@dataclass(frozen=True)
class Employee:
    employee_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    department: str
    role: str
    hire_date: date
    termination_date: date | None
    termination_reason: str | None

    def employed_on(self, day: date) -> bool:
        return self.hire_date <= day and (
            self.termination_date is None or day <= self.termination_date
        )


@dataclass(frozen=True)
class Subscription:
    id: str
    customer: str
    plan_id: str
    unit_amount: int
    interval: str
    quantity: int
    created: datetime  # UTC, naive
    start: datetime
    trial_end: datetime | None
    canceled_at: datetime | None
    ended_at: datetime | None
    cancellation_reason: str | None


@dataclass(frozen=True)
class Client:
    client_id: str
    stripe_customer_id: str
    became_client_at: datetime  # UTC, naive; also the contract signature
    lead_created_at: datetime
    lead_source: str
    first_name: str
    last_name: str
    email: str
    phone: str
    csm_id: str  # employee_id of the client-success manager
    specialist_id: str  # employee_id of the dispute specialist
    goal_score: int  # credit score the client aims for


@dataclass
class World:
    scale: float
    seed: int
    start: date
    end: date
    tz: ZoneInfo
    employees: list[Employee] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)

    @property
    def money_scale(self) -> float:
        """Below scale 1, the factor on every price: scale shrinks the company's volumes
        (clients, staff, records) but not its money. The catalogue's absolute targets (MRR >
        $500K, operating cash flow > $100K a month, the seeded sales targets) are company-level
        money totals; with prices × 1/scale those totals, and so their statuses, are the same at
        every scale in [0.1, 1]. Per-client money KPIs (ARPC, CLV, revenue per employee or hour)
        only rise, all higher-is-better; costs tied to a count (acquisition, disputes, payroll)
        stay at their scale-1 unit level (quickbooks.py). At scale >= 1: 1, unchanged."""
        return max(1.0, 1.0 / self.scale)

    def rng(self, name: str) -> random.Random:
        """An independent, deterministic random stream for one generator."""
        return random.Random(f"{self.seed}:{float(self.scale)}:{name}")

    def staff(self, role: str, day: date | None = None) -> list[Employee]:
        return [e for e in self.employees if e.role == role and (day is None or e.employed_on(day))]

    def churned_at(self, client: Client) -> datetime | None:
        return self.subscription_of(client).ended_at

    def subscription_of(self, client: Client) -> Subscription:
        return self._subscription_by_customer[client.stripe_customer_id]

    @property
    def _subscription_by_customer(self) -> dict[str, Subscription]:
        cache = self.__dict__.setdefault("_subs_cache", {})
        if not cache:
            cache.update({s.customer: s for s in self.subscriptions})
        return cache

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def to_utc(self, day: date, at: time) -> datetime:
        local = datetime.combine(day, at, tzinfo=self.tz)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _business_time(rng: random.Random) -> time:
    return time(hour=rng.randint(9, 16), minute=rng.randint(0, 59), second=rng.randint(0, 59))


def _choose_plan(rng: random.Random) -> tuple[str, int, str]:
    pick = rng.random()
    cumulative = 0.0
    for plan_id, amount, interval, weight in PLANS:
        cumulative += weight
        if pick < cumulative:
            return plan_id, amount, interval
    plan_id, amount, interval, _ = PLANS[-1]
    return plan_id, amount, interval


def build_world(scale: float, seed: int, start: date, end: date, tz: str) -> World:
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    if scale <= 0:
        raise ValueError(f"--scale must be positive, got {scale}")
    world = World(scale=scale, seed=seed, start=start, end=end, tz=ZoneInfo(tz))
    world.employees = _build_staff(world)
    rng = random.Random(f"world:{seed}")
    onboard_days: list[date] = []
    for _ in range(round(CLIENTS_AT_START * scale)):
        onboard_days.append(start - timedelta(days=rng.randint(1, 720)))
    for day in world.days():
        expected = NEW_CLIENTS_PER_MONTH * scale * 12 / 365
        arrivals = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        onboard_days.extend([day] * arrivals)
    onboard_days.sort()
    for number, day in enumerate(onboard_days, start=1):
        became = world.to_utc(day, _business_time(rng))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        csms = world.staff("csm", day) or world.staff("csm")
        specialists = world.staff("dispute_specialist", day) or world.staff("dispute_specialist")
        client = Client(
            client_id=f"C{number:07d}",
            stripe_customer_id=f"cus_{seed:04d}{number:08d}",
            became_client_at=became,
            lead_created_at=became - timedelta(days=rng.randint(2, 60), hours=rng.randint(0, 8)),
            lead_source=_weighted(rng, LEAD_SOURCES),
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{number}@example.com".lower(),
            phone=f"+1-555-{number // 10000 % 1000:03d}-{number % 10000:04d}",
            csm_id=csms[number % len(csms)].employee_id,
            specialist_id=specialists[number % len(specialists)].employee_id,
            goal_score=rng.choice((650, 680, 700, 720, 740)),
        )
        world.clients.append(client)
        world.subscriptions.append(_subscription_for(rng, world, client, number))
    return world


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    pick, cumulative = rng.random(), 0.0
    for value, weight in options:
        cumulative += weight
        if pick < cumulative:
            return value
    return options[-1][0]


def _build_staff(world: World) -> list[Employee]:
    """Staff on the books at the start; exactly the planted share of them leave, evenly spread
    over the window, each replaced three weeks later, so headcount stays flat while annual
    turnover is ANNUAL_TURNOVER."""
    rng = world.rng("staff")
    window_days = (world.end - world.start).days + 1
    seats = [
        (department, role)
        for department, role, headcount in STAFF
        for _ in range(max(1, round(headcount * world.scale)))
    ]
    vacancy_days = 21
    # leavers / average headcount = ANNUAL_TURNOVER, where each leaver's seat is empty 21 days.
    yearly = ANNUAL_TURNOVER * len(seats) / (1 + ANNUAL_TURNOVER * vacancy_days / 365)
    leavers = round(yearly * window_days / 365)
    leaving_seats = set(rng.sample(range(len(seats)), min(leavers, len(seats))))
    leave_days = iter(
        world.start + timedelta(days=int((i + 0.5) * window_days / max(leavers, 1)))
        for i in range(leavers)
    )
    employees: list[Employee] = []

    def add(department: str, role: str, hired: date, leaves: date | None) -> None:
        number = len(employees) + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        employees.append(
            Employee(
                employee_id=f"E{number:05d}",
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{number}@scorecard-demo.com".lower(),
                phone=f"+1-555-01{number % 100:02d}-{number:04d}",
                department=department,
                role=role,
                hire_date=hired,
                termination_date=leaves,
                termination_reason=(
                    rng.choice(("voluntary", "voluntary", "involuntary")) if leaves else None
                ),
            )
        )

    for seat, (department, role) in enumerate(seats):
        hired = world.start - timedelta(days=rng.randint(30, 6 * 365))
        leaves = next(leave_days) if seat in leaving_seats else None
        add(department, role, hired, leaves)
        if leaves is not None and leaves + timedelta(days=vacancy_days) <= world.end:
            add(department, role, leaves + timedelta(days=vacancy_days), None)
    return employees


def _subscription_for(
    rng: random.Random, world: World, client: Client, number: int
) -> Subscription:
    plan_id, amount, interval = _choose_plan(rng)
    amount = round(amount * world.money_scale / 100) * 100  # whole dollars
    quantity = 2 if plan_id == "family_monthly" and rng.random() < 0.3 else 1
    start = client.became_client_at
    # Monthly churn hazard turned into a lifetime in days; many clients outlive the window.
    lifetime_days = int(rng.expovariate(MONTHLY_CHURN / 30.4))
    ended_at = start + timedelta(days=lifetime_days, seconds=rng.randint(0, 3600))
    window_end = world.to_utc(world.end + timedelta(days=1), time(0, 0))
    if ended_at >= window_end:
        ended_at = None
    canceled_at = ended_at - timedelta(days=rng.randint(0, 20)) if ended_at else None
    if canceled_at is not None and canceled_at < start:
        canceled_at = start
    reason = (
        rng.choice(["cancellation_requested", "payment_failed", "program_completed"])
        if ended_at
        else None
    )
    return Subscription(
        id=f"sub_{world.seed:04d}{number:08d}",
        customer=client.stripe_customer_id,
        plan_id=plan_id,
        unit_amount=amount,
        interval=interval,
        quantity=quantity,
        created=start,
        start=start,
        trial_end=None,
        canceled_at=canceled_at,
        ended_at=ended_at,
        cancellation_reason=reason,
    )
