"""Stripe-shaped JSON-lines exports: amounts in cents, epoch-second timestamps, nested items."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
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


WRITERS: dict[str, Writer] = {
    "stripe.subscriptions": write_subscriptions,
}
