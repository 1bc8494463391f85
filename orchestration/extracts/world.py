"""The simulated company every source generator draws from, so extracts agree with each other.

A `World` holds the clients (with their subscription history) and the time window. Each source
generator reads it and writes its files; the same (scale, seed, start, end) always gives the same
world, and therefore the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Plans as the billing system sells them: (plan id, unit amount in cents, interval, weight).
PLANS = (
    ("essential_monthly", 19900, "month", 0.40),
    ("premier_monthly", 29900, "month", 0.35),
    ("premier_annual", 299000, "year", 0.10),
    ("family_monthly", 44900, "month", 0.15),
)

# Clients already on the books when the window opens, and new clients per month, at scale 1.
CLIENTS_AT_START = 1600
NEW_CLIENTS_PER_MONTH = 60
MONTHLY_CHURN = 0.025


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
    became_client_at: datetime


@dataclass
class World:
    scale: float
    seed: int
    start: date
    end: date
    tz: ZoneInfo
    clients: list[Client] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)

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
        client = Client(f"C{number:07d}", f"cus_{seed:04d}{number:08d}", became)
        world.clients.append(client)
        world.subscriptions.append(_subscription_for(rng, world, client, number))
    return world


def _subscription_for(
    rng: random.Random, world: World, client: Client, number: int
) -> Subscription:
    plan_id, amount, interval = _choose_plan(rng)
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
