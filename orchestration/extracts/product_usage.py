"""Product analytics exports: client portal feature events and mobile app sessions.

Each active client uses the portal on a daily-Bernoulli rhythm per feature, much more during
onboarding (portal_login ~0.6/day, so an onboarding sees ~14 logins, catalogue target > 10).
AI tools (seed ai_tool_features: ai_letter_builder, ai_score_simulator) are used only after the
client's first AI use (onboarding milestone ai_tools_setup); clients who adopt them do so in
their first week and always use them again in week 2, the rest never in week 2, so
onboarding.tool_active_by_week2 and the feature events agree. Monthly shares of active clients
using each tracked feature are ~70-99% (feature_adoption_rate > 80 on the mean); ~75% of
clients use the mobile app every month (mobile_app_usage_rate > 60).

Events are immutable: each is delivered once, in the file of the day it happened (history
before the window in the first day's file).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.onboarding import (
    Onboarding,
    Span,
    cached,
    client_spans,
    clock,
    geometric_days,
    onboarding_of,
    waking_time,
)
from orchestration.extracts.world import World

AI_FEATURES = ("ai_letter_builder", "ai_score_simulator")
# Daily probability of using each feature for an engaged client: (after onboarding, during).
FEATURE_RATES = {
    "portal_login": (0.26, 0.60),
    "dispute_tracker": (0.12, 0.15),
    "ai_score_simulator": (0.07, 0.16),
    "ai_letter_builder": (0.065, 0.14),
    "document_upload": (0.045, 0.12),
    "education_center": (0.03, 0.10),
}
MOBILE_SHARE = 0.75
PLATFORMS = (("ios", 0.55), ("android", 0.45))

Event = tuple[datetime, str, str]  # (used_at local, client_id, feature or platform)


def _segments(span: Span, onboarding: Onboarding | None) -> list[tuple[datetime, datetime, int]]:
    """[start, end, phase) pieces of the client's active span; phase 1 = in onboarding."""
    if onboarding is None or onboarding.end <= span.start:
        return [(span.start, span.end, 0)]
    pieces = []
    first, last = max(span.start, onboarding.contract), min(span.end, onboarding.end)
    if first < last:
        pieces.append((first, last, 1))
    if last < span.end:
        pieces.append((max(last, span.start), span.end, 0))
    return pieces


def _daily_events(rng: random.Random, start: datetime, end: datetime, p: float) -> list[datetime]:
    """Instants of a daily Bernoulli(p) process between start and end, at waking hours."""
    events = []
    day: date = start.date() - timedelta(days=1)
    while True:
        day += timedelta(days=geometric_days(rng, p))
        if day > end.date():
            return events
        moment = waking_time(rng, day)
        if start <= moment < end:
            events.append(moment)


def _simulate(world: World) -> tuple[list[Event], list[Event]]:
    rng = world.rng("product.feature_usage")
    mobile_rng = world.rng("product.mobile_usage")
    by_client = onboarding_of(world)
    features: list[Event] = []
    mobile: list[Event] = []
    for span in client_spans(world):
        client_id = span.client.client_id
        engaged = rng.random() < 0.9
        g = rng.uniform(0.8, 1.3) if engaged else rng.uniform(0.2, 0.5)
        onboarding = by_client.get(client_id)
        # Clients onboarded before the history started use every feature already.
        ai_from = span.start if onboarding is None else onboarding.ai_setup
        for start, end, phase in _segments(span, onboarding):
            for feature, rates in FEATURE_RATES.items():
                lo = start
                if feature in AI_FEATURES:
                    if ai_from is None or ai_from >= end:
                        continue
                    lo = max(start, ai_from)
                weight = max(g, 0.7) if phase else g
                p = min(0.95, rates[phase] * weight)
                features.extend((t, client_id, feature) for t in _daily_events(rng, lo, end, p))
        if onboarding is not None:
            if span.start <= onboarding.portal_access < span.end:
                features.append((onboarding.portal_access, client_id, "portal_login"))
            setup = onboarding.ai_setup
            if setup is not None and span.start <= setup < span.end:
                features.append((setup, client_id, rng.choice(AI_FEATURES)))
            if onboarding.tool_adopter and setup is not None:
                # Adopters come back to the AI tools in week 2 ([+7 d, +14 d)).
                week2 = onboarding.contract.date() + timedelta(days=rng.randint(7, 13))
                moment = waking_time(rng, week2)
                if moment > setup and span.start <= moment < span.end:
                    features.append((moment, client_id, rng.choice(AI_FEATURES)))
        if mobile_rng.random() < MOBILE_SHARE:
            platform = "ios" if mobile_rng.random() < PLATFORMS[0][1] else "android"
            installed = span.contract + timedelta(days=mobile_rng.uniform(0, 20))
            p = 0.33 * mobile_rng.uniform(0.5, 1.4)
            for t in _daily_events(mobile_rng, max(span.start, installed), span.end, p):
                mobile.append((t, client_id, platform))
    features.sort()
    mobile.sort()
    return features, mobile


def usage(world: World) -> tuple[list[Event], list[Event]]:
    """(feature events, mobile events), each sorted by time."""
    return cached(world, "product_usage", lambda: _simulate(world))


def portal_logins_by_client(world: World) -> dict[str, list[datetime]]:
    def build() -> dict[str, list[datetime]]:
        logins: dict[str, list[datetime]] = defaultdict(list)
        for moment, client_id, feature in usage(world)[0]:
            if feature == "portal_login":
                logins[client_id].append(moment)
        return logins

    return cached(world, "portal_logins", build)


def ai_uses_by_client(world: World) -> dict[str, list[datetime]]:
    def build() -> dict[str, list[datetime]]:
        uses: dict[str, list[datetime]] = defaultdict(list)
        for moment, client_id, feature in usage(world)[0]:
            if feature in AI_FEATURES:
                uses[client_id].append(moment)
        return uses

    return cached(world, "ai_uses", build)


def _write_events(
    ctx: GenerationContext, extract: Extract, events: list[Event], prefix: str, column: str
) -> int:
    world = ctx.world
    clk = clock(world)
    by_day: dict[date, list[dict]] = defaultdict(list)
    for number, (moment, client_id, value) in enumerate(events, start=1):
        by_day[max(moment.date(), world.start)].append(
            {
                "event_id": f"{prefix}{number:09d}",
                "client_id": client_id,
                column: value,
                "used_at": clk.utc(moment),
            }
        )
    return write_daily(ctx, extract, by_day)


def write_feature_usage(ctx: GenerationContext, extract: Extract) -> int:
    return _write_events(ctx, extract, usage(ctx.world)[0], "FE", "feature")


def write_mobile_usage(ctx: GenerationContext, extract: Extract) -> int:
    return _write_events(ctx, extract, usage(ctx.world)[1], "MO", "platform")


WRITERS: dict[str, Writer] = {
    "product.feature_usage": write_feature_usage,
    "product.mobile_usage": write_mobile_usage,
}
