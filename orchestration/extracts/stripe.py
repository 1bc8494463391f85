"""Stripe-shaped JSON-lines exports: amounts in cents, epoch-second timestamps, nested items.

Subscriptions come straight from the world. Invoices, charges and refunds come from one billing
simulation (`billing(world)`, computed once per world) that the QuickBooks generator also reads,
so the ledger's income is the Stripe money that actually moved.
"""

from __future__ import annotations

import calendar
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.world import Subscription, World


def epoch(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return int(moment.replace(tzinfo=UTC).timestamp())


def subscription_object(sub: Subscription, as_of: datetime) -> dict:
    """The subscription as the Stripe API returns it at `as_of`."""
    ended = sub.ended_at is not None and sub.ended_at <= as_of
    canceled = sub.canceled_at is not None and sub.canceled_at <= as_of
    if ended:
        status = "canceled"
    elif sub.trial_end is not None and as_of < sub.trial_end:
        status = "trialing"
    else:
        status = "active"
    return {
        "id": sub.id,
        "object": "subscription",
        "customer": sub.customer,
        "status": status,
        "created": epoch(sub.created),
        "start_date": epoch(sub.start),
        "trial_end": epoch(sub.trial_end),
        "cancel_at_period_end": canceled and not ended,
        "canceled_at": epoch(sub.canceled_at) if canceled else None,
        "ended_at": epoch(sub.ended_at) if ended else None,
        "cancellation_details": {"reason": sub.cancellation_reason if canceled else None},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_" + sub.id[4:],
                    "object": "subscription_item",
                    "quantity": sub.quantity,
                    "price": {
                        "id": f"price_{sub.plan_id}",
                        "object": "price",
                        "currency": "usd",
                        "unit_amount": sub.unit_amount,
                        "recurring": {"interval": sub.interval, "interval_count": 1},
                    },
                }
            ],
        },
        "livemode": True,
        "metadata": {"plan": sub.plan_id},
    }


def _local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.replace(tzinfo=UTC).astimezone(tz).date()


def subscription_changes_by_day(world: World) -> dict[date, list[tuple[datetime, Subscription]]]:
    """Which subscriptions each day's export holds: those created, canceled or ended that day.

    Subscriptions that started before the window are all in the first day's export, as the first
    delivery of a new integration would be.
    """
    by_day: dict[date, list[tuple[datetime, Subscription]]] = defaultdict(list)
    for sub in world.subscriptions:
        for moment in (sub.created, sub.canceled_at, sub.ended_at):
            if moment is None:
                continue
            day = max(_local_day(moment, world.tz), world.start)
            if day > world.end:
                continue
            by_day[day].append((moment, sub))
    return by_day


def write_subscriptions(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    # A known limit of the simulation, recorded as truth so it is never mistaken for a finding:
    # every client keeps the one plan it signed for, so no client ever expands.
    ctx.plant_gap(
        kpi_id="expansion_rate_3m",
        expected_status={"red", "no_data"},
        department="client_success",
        description=(
            "The demo world sells one plan per client and never upgrades it, so no cohort "
            "expands (0%, red) or a month has no cohort (no_data). Simulating upgrades is "
            "future generator work."
        ),
        kind="simulation_limit",
    )
    changes = subscription_changes_by_day(world)
    by_day: dict[date, list[dict]] = {}
    for day in world.days():
        end_of_day = world.to_utc(day, datetime.max.time())
        seen: set[str] = set()
        objects = []
        for _, sub in sorted(changes.get(day, []), key=lambda item: (item[0], item[1].id)):
            if sub.id not in seen:
                seen.add(sub.id)
                objects.append(subscription_object(sub, end_of_day))
        by_day[day] = objects
    return write_daily(ctx, extract, by_day)


# --- Billing: invoices, charges and refunds --------------------------------------------------

# Invoices go out with 30-day terms. Some clients pay at once with a saved card, most within
# terms, some late, a few never (on_time_payment_rate, revenue_collection_rate and the month-end
# receivables behind dso all come from this).
DAYS_UNTIL_DUE = 30
# Invoices created this long before the window can still be open inside it.
LOOKBACK_DAYS = 100
# Outcomes of renewal invoices; the rest are paid within terms.
NEVER_PAID = 0.015  # with the final invoice of every payment_failed churn: ~2% uncollectible
PAID_LATE = 0.058
PAID_AT_ONCE = 0.18
FIRST_INVOICE_AT_ONCE = 0.85  # the sign-up invoice is paid with the card given at sign-up
DECLINED_FIRST = 0.04  # in-terms payers whose first (saved card) attempt was declined
DUPLICATE_CHARGE = 0.003  # a double-submitted payment, refunded as `duplicate` the same month
# Other refunds are rare: per month they stay within this share of the month's charges, so that
# Σ(charges − refunds) matches Σ invoice amount_paid within the 0.1% of catalogue §7.2.
OTHER_REFUND_BUDGET = 0.0005
OTHER_REFUND_ODDS = (
    ("requested_by_customer", 0.004),
    ("billing_error", 0.002),
    ("fraudulent", 0.0004),
)
FAILURE_MESSAGES = {
    "card_declined": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "expired_card": "Your card has expired.",
}
# With --defects: this share of invoices is exported with a negative amount_due.
NEGATIVE_AMOUNT_SHARE = 0.005
# Stripe test-mode objects (livemode false): one QA invoice a month, excluded from every KPI.
TEST_CUSTOMER = "cus_test0000qa01"
TEST_SUBSCRIPTION = "sub_test0000qa01"


@dataclass
class Refund:
    id: str
    charge: str
    amount: int
    reason: str
    created: datetime


@dataclass
class Charge:
    id: str
    customer: str
    invoice: str
    amount: int
    created: datetime
    succeeded: bool
    failure_code: str | None = None
    livemode: bool = True
    refunds: list[Refund] = field(default_factory=list)


@dataclass
class Invoice:
    id: str
    customer: str
    subscription: str
    plan_id: str
    interval: str
    unit_amount: int
    quantity: int
    created: datetime  # = start of the billed period (UTC, naive)
    period_end: datetime
    due_at: datetime
    billing_reason: str
    livemode: bool = True
    declined: list[datetime] = field(default_factory=list)  # failed charge attempts
    paid_at: datetime | None = None
    voided_at: datetime | None = None
    uncollectible_at: datetime | None = None

    @property
    def amount(self) -> int:
        return self.unit_amount * self.quantity

    @property
    def finalized_at(self) -> datetime:
        """Stripe finalises a subscription invoice an hour after creating the draft."""
        return self.created + timedelta(hours=1)

    @property
    def settled_at(self) -> datetime | None:
        return self.paid_at or self.voided_at or self.uncollectible_at

    def is_open(self, as_of: datetime) -> bool:
        """Finalised and neither paid, voided nor written off at `as_of` (a receivable)."""
        settled = self.settled_at
        return self.finalized_at <= as_of and (settled is None or settled > as_of)


@dataclass
class Billing:
    invoices: list[Invoice]
    charges: list[Charge]  # created inside the window
    refunds: list[Refund]  # created inside the window


def window_bounds(world: World) -> tuple[datetime, datetime]:
    """[first instant, end) of the window in naive UTC."""
    return world.to_utc(world.start, time(0, 0)), world.to_utc(
        world.end + timedelta(days=1), time(0, 0)
    )


def _period_start(sub: Subscription, n: int) -> datetime:
    if sub.interval == "week":
        return sub.start + timedelta(weeks=n)
    if sub.interval == "day":
        return sub.start + timedelta(days=n)
    months = n * (12 if sub.interval == "year" else 1)
    years, month0 = divmod(sub.start.month - 1 + months, 12)
    year, month = sub.start.year + years, month0 + 1
    day = min(sub.start.day, calendar.monthrange(year, month)[1])
    return sub.start.replace(year=year, month=month, day=day)


def _customer_time(rng: random.Random, world: World, day: date) -> datetime:
    """Clients pay invoices from 07:00 to 23:00 local time."""
    at = time(rng.randint(7, 22), rng.randint(0, 59), rng.randint(0, 59))
    return world.to_utc(day, at)


def _office_time(rng: random.Random, world: World, day: date) -> datetime:
    return world.to_utc(day, time(rng.randint(9, 16), rng.randint(0, 59), rng.randint(0, 59)))


def _settle(rng: random.Random, world: World, sub: Subscription, inv: Invoice, n: int) -> None:
    """Decide how (and whether) the invoice gets paid: attempts, payment, void or write-off."""
    issued = _local_day(inv.created, world.tz)
    at_once = inv.finalized_at + timedelta(seconds=rng.randint(20, 900))
    due_day = issued + timedelta(days=DAYS_UNTIL_DUE)
    is_final = sub.ended_at is not None and _period_start(sub, n + 1) >= sub.ended_at
    if is_final and sub.cancellation_reason == "payment_failed":
        # Retries fail until the subscription is cancelled for non-payment.
        stop = max(sub.ended_at, at_once + timedelta(minutes=1))
        retries = (at_once, at_once + timedelta(days=3), at_once + timedelta(days=5))
        inv.declined = [t for t in retries if t < stop]
        inv.uncollectible_at = stop
        return
    pick = rng.random()
    if n == 0:
        outcome = "at_once" if pick < FIRST_INVOICE_AT_ONCE else "in_terms"
    elif pick < NEVER_PAID:
        outcome = "never"
    elif pick < NEVER_PAID + PAID_LATE:
        outcome = "late"
    elif pick < NEVER_PAID + PAID_LATE + PAID_AT_ONCE:
        outcome = "at_once"
    else:
        outcome = "in_terms"
    if outcome == "at_once":
        inv.paid_at = at_once
    elif outcome == "in_terms":
        day = issued + timedelta(days=round(rng.triangular(3, DAYS_UNTIL_DUE, 24)))
        inv.paid_at = max(_customer_time(rng, world, day), at_once)
        if rng.random() < DECLINED_FIRST and inv.paid_at > at_once + timedelta(hours=1):
            inv.declined = [at_once]
    elif outcome == "late":
        day = issued + timedelta(days=rng.randint(DAYS_UNTIL_DUE + 1, DAYS_UNTIL_DUE + 28))
        inv.paid_at = _customer_time(rng, world, day)
        if rng.random() < 0.6:
            inv.declined.append(at_once)
        if rng.random() < 0.5:
            inv.declined.append(_customer_time(rng, world, due_day))
    else:
        inv.declined = [
            at_once,
            _customer_time(rng, world, due_day),
            _customer_time(rng, world, due_day + timedelta(days=7)),
        ]
        inv.uncollectible_at = world.to_utc(due_day + timedelta(days=30), time(6, 0))
    if is_final and inv.settled_at is not None and inv.settled_at > sub.ended_at:
        # The client left before paying: the last invoice is voided when the subscription ends.
        inv.voided_at = max(sub.ended_at, inv.finalized_at + timedelta(minutes=1))
        inv.paid_at = inv.uncollectible_at = None
        inv.declined = [t for t in inv.declined if t < inv.voided_at]


def _test_invoices(world: World) -> list[Invoice]:
    """QA's monthly smoke test of the billing flow in Stripe test mode."""
    invoices: list[Invoice] = []
    months: set[tuple[int, int]] = set()
    for day in world.days():
        if day.day < 3 or day.weekday() >= 5 or (day.year, day.month) in months:
            continue
        months.add((day.year, day.month))
        created = world.to_utc(day, time(10, 15))
        invoices.append(
            Invoice(
                id=f"in_test{day:%Y%m}qa",
                customer=TEST_CUSTOMER,
                subscription=TEST_SUBSCRIPTION,
                plan_id="qa_smoke_test",
                interval="month",
                unit_amount=100,
                quantity=1,
                created=created,
                period_end=created + timedelta(days=30),
                due_at=world.to_utc(day + timedelta(days=DAYS_UNTIL_DUE), time(23, 59, 59)),
                billing_reason="manual",
                livemode=False,
                paid_at=created + timedelta(hours=1, minutes=2),
            )
        )
    return invoices


def _simulate_billing(world: World) -> Billing:
    rng = world.rng("stripe.invoices")
    window_start, window_end = window_bounds(world)
    lookback = window_start - timedelta(days=LOOKBACK_DAYS)
    invoices: list[Invoice] = []
    for sub in world.subscriptions:
        n = 0
        while True:
            begins = _period_start(sub, n)
            if begins >= window_end or (sub.ended_at is not None and begins >= sub.ended_at):
                break
            if begins >= lookback:
                issued = _local_day(begins, world.tz)
                invoice = Invoice(
                    id=f"in_{sub.id[4:]}{n:03d}",
                    customer=sub.customer,
                    subscription=sub.id,
                    plan_id=sub.plan_id,
                    interval=sub.interval,
                    unit_amount=sub.unit_amount,
                    quantity=sub.quantity,
                    created=begins,
                    period_end=_period_start(sub, n + 1),
                    due_at=world.to_utc(issued + timedelta(days=DAYS_UNTIL_DUE), time(23, 59, 59)),
                    billing_reason="subscription_create" if n == 0 else "subscription_cycle",
                )
                _settle(rng, world, sub, invoice, n)
                invoices.append(invoice)
            n += 1
    invoices.extend(_test_invoices(world))

    failure_rng = world.rng("stripe.charges")
    charges: list[Charge] = []
    for inv in invoices:
        attempts = [(t, False) for t in inv.declined]
        if inv.paid_at is not None:
            attempts.append((inv.paid_at, True))
        for number, (at, succeeded) in enumerate(attempts, start=1):
            code = None if succeeded else failure_rng.choice(list(FAILURE_MESSAGES))
            if window_start <= at < window_end:
                charges.append(
                    Charge(
                        id=f"ch_{inv.id[3:]}{number:02d}",
                        customer=inv.customer,
                        invoice=inv.id,
                        amount=inv.amount,
                        created=at,
                        succeeded=succeeded,
                        failure_code=code,
                        livemode=inv.livemode,
                    )
                )
    refunds = _refund(world, charges, window_end)
    charges.sort(key=lambda c: (c.created, c.id))
    refunds.sort(key=lambda r: (r.created, r.id))
    return Billing(invoices=invoices, charges=charges, refunds=refunds)


def _month_key(moment: datetime, tz: ZoneInfo) -> tuple[int, int]:
    day = _local_day(moment, tz)
    return day.year, day.month


def _refund(world: World, charges: list[Charge], window_end: datetime) -> list[Refund]:
    """Duplicate payments (refunded within the month) and a few other refunds. Adds the duplicate
    charges to `charges` and links every refund to its charge."""
    rng = world.rng("stripe.refunds")
    tz = world.tz
    paid = [c for c in charges if c.succeeded and c.livemode]
    refunds: list[Refund] = []
    for charge in paid:
        if rng.random() >= DUPLICATE_CHARGE:
            continue
        local = charge.created.replace(tzinfo=UTC).astimezone(tz)
        if local.hour >= 22:
            continue
        duplicate = Charge(
            id=charge.id[:-2] + "90",
            customer=charge.customer,
            invoice=charge.invoice,
            amount=charge.amount,
            created=charge.created + timedelta(seconds=rng.randint(20, 240)),
            succeeded=True,
        )
        last_day = local.date().replace(day=calendar.monthrange(local.year, local.month)[1])
        month_end = world.to_utc(last_day, time(23, 59))
        at = duplicate.created + timedelta(minutes=rng.randint(120, 1800))
        at = max(min(at, month_end, window_end - timedelta(seconds=1)),
                 duplicate.created + timedelta(seconds=10))  # fmt: skip
        refund = Refund(f"re_{duplicate.id[3:]}", duplicate.id, duplicate.amount, "duplicate", at)
        duplicate.refunds.append(refund)
        charges.append(duplicate)
        refunds.append(refund)

    gross: dict[tuple[int, int], int] = defaultdict(int)
    for charge in paid:
        gross[_month_key(charge.created, tz)] += charge.amount
    candidates = []
    for charge in paid:
        pick, cumulative = rng.random(), 0.0
        for reason, odds in OTHER_REFUND_ODDS:
            cumulative += odds
            if pick < cumulative:
                day = _local_day(charge.created, tz) + timedelta(days=rng.randint(1, 14))
                share = rng.choice((0.1, 0.2, 0.25, 0.5)) if reason == "billing_error" else 1.0
                amount = round(charge.amount * share)
                candidates.append(
                    (_office_time(rng, world, day), charge.id, charge, reason, amount)
                )
                break
    spent: dict[tuple[int, int], int] = defaultdict(int)
    for at, _, charge, reason, amount in sorted(candidates, key=lambda c: (c[0], c[1])):
        month = _month_key(at, tz)
        if at >= window_end or spent[month] + amount > OTHER_REFUND_BUDGET * gross[month]:
            continue
        spent[month] += amount
        refund = Refund(f"re_{charge.id[3:]}r{len(charge.refunds) + 1}", charge.id, amount,
                        reason, at)  # fmt: skip
        charge.refunds.append(refund)
        refunds.append(refund)
    return refunds


def billing(world: World) -> Billing:
    """The billing simulation of `world`, computed once and shared with the ledger generator."""
    cached = world.__dict__.get("_stripe_billing")
    if cached is None:
        cached = world.__dict__["_stripe_billing"] = _simulate_billing(world)
    return cached


def invoice_object(inv: Invoice, as_of: datetime, negative_amount: bool = False) -> dict:
    """The invoice as the Stripe API returns it at `as_of`."""
    finalized = inv.finalized_at <= as_of
    paid = inv.paid_at is not None and inv.paid_at <= as_of
    voided = inv.voided_at is not None and inv.voided_at <= as_of
    written_off = inv.uncollectible_at is not None and inv.uncollectible_at <= as_of
    if paid:
        status = "paid"
    elif voided:
        status = "void"
    elif written_off:
        status = "uncollectible"
    else:
        status = "open" if finalized else "draft"
    attempts = sum(1 for t in inv.declined if t <= as_of) + (1 if paid else 0)
    amount_due = -inv.amount if negative_amount else inv.amount
    amount_paid = inv.amount if paid else 0
    return {
        "id": inv.id,
        "object": "invoice",
        "customer": inv.customer,
        "subscription": inv.subscription,
        "status": status,
        "billing_reason": inv.billing_reason,
        "collection_method": "send_invoice",
        "currency": "usd",
        "subtotal": inv.amount,
        "total": inv.amount,
        "amount_due": amount_due,
        "amount_paid": amount_paid,
        "amount_remaining": 0 if paid or voided else amount_due,
        "attempt_count": attempts,
        "attempted": attempts > 0,
        "paid": paid,
        "created": epoch(inv.created),
        "due_date": epoch(inv.due_at),
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": "il_" + inv.id[3:],
                    "object": "line_item",
                    "amount": inv.amount,
                    "currency": "usd",
                    "quantity": inv.quantity,
                    "subscription": inv.subscription,
                    "period": {"start": epoch(inv.created), "end": epoch(inv.period_end)},
                    "price": {
                        "id": f"price_{inv.plan_id}",
                        "object": "price",
                        "unit_amount": inv.unit_amount,
                        "recurring": {"interval": inv.interval, "interval_count": 1},
                    },
                }
            ],
        },
        "status_transitions": {
            "finalized_at": epoch(inv.finalized_at) if finalized else None,
            "paid_at": epoch(inv.paid_at) if paid else None,
            "voided_at": epoch(inv.voided_at) if voided else None,
            "marked_uncollectible_at": epoch(inv.uncollectible_at) if written_off else None,
        },
        "livemode": inv.livemode,
        "metadata": {"plan": inv.plan_id},
    }


def charge_object(charge: Charge, as_of: datetime) -> dict:
    refunded = sum(r.amount for r in charge.refunds if r.created <= as_of)
    return {
        "id": charge.id,
        "object": "charge",
        "amount": charge.amount,
        "amount_captured": charge.amount if charge.succeeded else 0,
        "amount_refunded": refunded,
        "captured": charge.succeeded,
        "created": epoch(charge.created),
        "currency": "usd",
        "customer": charge.customer,
        "invoice": charge.invoice,
        "paid": charge.succeeded,
        "refunded": refunded > 0 and refunded == charge.amount,
        "status": "succeeded" if charge.succeeded else "failed",
        "failure_code": charge.failure_code,
        "failure_message": FAILURE_MESSAGES.get(charge.failure_code or ""),
        "outcome": {
            "network_status": "approved_by_network" if charge.succeeded else "declined_by_network",
            "type": "authorized" if charge.succeeded else "issuer_declined",
        },
        "livemode": charge.livemode,
    }


def refund_object(refund: Refund, as_of: datetime) -> dict:
    return {
        "id": refund.id,
        "object": "refund",
        "amount": refund.amount,
        "charge": refund.charge,
        "created": epoch(refund.created),
        "currency": "usd",
        "reason": refund.reason,
        "status": "succeeded",
        "metadata": {},
    }


def _changes_by_day(world: World, items: list, events_of) -> dict[date, list[dict]]:
    """Each day's export: the objects created or changed that day, at their end-of-day state.
    Changes before the window are in the first day's export (the integration's first delivery)."""
    _, window_end = window_bounds(world)
    changes: dict[date, list[tuple[datetime, str, int]]] = defaultdict(list)
    for index, item in enumerate(items):
        for moment in events_of(item):
            if moment is not None and moment < window_end:
                day = max(_local_day(moment, world.tz), world.start)
                changes[day].append((moment, item.id, index))
    return changes


def _daily_objects(world: World, items: list, events_of, state_of) -> dict[date, list[dict]]:
    changes = _changes_by_day(world, items, events_of)
    by_day: dict[date, list[dict]] = {}
    for day in world.days():
        end_of_day = world.to_utc(day, datetime.max.time())
        seen: set[str] = set()
        objects = []
        for _, item_id, index in sorted(changes.get(day, [])):
            if item_id not in seen:
                seen.add(item_id)
                objects.append(state_of(items[index], end_of_day))
        by_day[day] = objects
    return by_day


def _invoice_events(window_start: datetime):
    def events(inv: Invoice) -> list[datetime | None]:
        settled = inv.settled_at
        if settled is not None and settled < window_start:
            return []  # settled before the integration's first delivery
        return [inv.created, inv.finalized_at, *inv.declined, settled]

    return events


def write_invoices(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    invoices = billing(world).invoices
    window_start, _ = window_bounds(world)
    events = _invoice_events(window_start)
    negative: set[str] = set()
    if ctx.defects:
        exported = sorted(i.id for i in invoices if i.livemode and events(i))
        rng = world.rng("stripe.invoices.defects")
        negative = set(rng.sample(exported, max(1, round(NEGATIVE_AMOUNT_SHARE * len(exported)))))

    def state(inv: Invoice, as_of: datetime) -> dict:
        return invoice_object(inv, as_of, negative_amount=inv.id in negative)

    by_day = _daily_objects(world, invoices, events, state)
    written = write_daily(ctx, extract, by_day)
    if negative:
        rows = sum(1 for objs in by_day.values() for o in objs if o["id"] in negative)
        ctx.plant_defect(
            kind="negative_amount",
            raw_table=extract.raw_table,
            description=(
                f"{len(negative)} invoices ({NEGATIVE_AMOUNT_SHARE:.1%}) exported with a negative "
                "amount_due in every version; an amount due cannot be negative"
            ),
            rows=rows,
            column="amount_due",
            check="accuracy",
            invoices=len(negative),
        )
    return written


def write_charges(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world

    def events(charge: Charge) -> list[datetime]:
        return [charge.created, *(r.created for r in charge.refunds)]

    by_day = _daily_objects(world, billing(world).charges, events, charge_object)
    return write_daily(ctx, extract, by_day)


def write_refunds(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    by_day = _daily_objects(world, billing(world).refunds, lambda r: [r.created], refund_object)
    return write_daily(ctx, extract, by_day)


WRITERS: dict[str, Writer] = {
    "stripe.subscriptions": write_subscriptions,
    "stripe.invoices": write_invoices,
    "stripe.charges": write_charges,
    "stripe.refunds": write_refunds,
}
