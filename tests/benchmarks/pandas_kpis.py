"""Baseline (c): three headline KPIs in a plain pandas script, as a small team might write it.

    python tests/benchmarks/pandas_kpis.py --landing L --start D --end D --month YYYY-MM-01 \
        --as-of T --out J

Reads the landing files of the range (Stripe subscriptions as JSON lines, CRM contacts, survey
responses and disputes as CSV) and computes, for one month, with the catalogue's definitions
(KPI_CATALOGUE.md §1.1-1.3, §2; clarification §10.1):
- mrr: Σ sub_mrr over subscriptions live at t1 (the latest delivered version of each, not
  test-mode, not incomplete; started before t1, not ended before it, trial over before it);
- nps_company: (promoters 9-10 − detractors 0-6) / responses × 100 over NPS responses of
  non-excluded clients, by responded_at in business time, up to the as-of time;
- dispute_success_rate: removed or updated / (removed, updated or verified) × 100 over disputes
  of non-excluded clients by resolved_at, answered at or after opening and by the as-of time.
The benchmark checks the numbers against the warehouse's fct_kpi_observations.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from orchestration.contract import get_extract
from orchestration.settings import SEEDS_DIR, get_settings

NPS_SCALE = (0, 10)
INTERVAL_MONTHS = {"month": 1.0, "year": 1.0 / 12, "week": 52.0 / 12, "day": 365.0 / 12}


def _files(landing: Path, identifier: str, start: date, end: date) -> list[tuple[str, Path]]:
    extract = get_extract(identifier)
    days = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    return [(d, p) for d in days if (p := extract.landing_file(landing, d)).exists()]


def _read_csv(landing: Path, identifier: str, start: date, end: date) -> pd.DataFrame:
    frames = []
    for day, path in _files(landing, identifier, start, end):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        frame["_partition"], frame["_line"] = day, range(len(frame))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _latest(frame: pd.DataFrame, key: str, *order: str) -> pd.DataFrame:
    """The latest delivered version of each key (staging's dedup)."""
    ordered = frame.sort_values(["_partition", "_line", *order])
    return ordered.drop_duplicates(key, keep="last")


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d %H:%M:%S")


def _local_date(values: pd.Series, tz: str) -> pd.Series:
    return values.dt.tz_localize("UTC").dt.tz_convert(tz).dt.date


def _excluded_clients(landing: Path, start: date, end: date) -> set[str]:
    contacts = _latest(_read_csv(landing, "crm__contacts", start, end), "contact_id", "updated_at")
    flagged = contacts[
        contacts["client_id"].notna()
        & ((contacts["is_test"] == "true") | (contacts["is_deleted"] == "true"))
    ]
    seeded = pd.read_csv(SEEDS_DIR / "excluded_client_ids.csv", dtype=str)["client_id"].dropna()
    return set(flagged["client_id"]) | set(seeded)


def mrr(landing: Path, start: date, end: date, t1: datetime) -> dict:
    rows = []
    for day, path in _files(landing, "stripe__subscriptions", start, end):
        for line, record in enumerate(pd.read_json(path, lines=True).to_dict("records")):
            item = record["items"]["data"][0]
            price = item["price"]
            rows.append(
                {
                    "id": record["id"],
                    "_partition": day,
                    "_line": line,
                    "status": record["status"],
                    "livemode": record.get("livemode"),
                    "start_date": record.get("start_date"),
                    "trial_end": record.get("trial_end"),
                    "ended_at": record.get("ended_at"),
                    "amount": price["unit_amount"],
                    "interval": price["recurring"]["interval"],
                    "interval_count": price["recurring"].get("interval_count"),
                    "quantity": item.get("quantity"),
                }
            )
    subs = _latest(pd.DataFrame(rows), "id")
    subs = subs[
        (subs["livemode"].fillna(True).astype(bool))
        & ~subs["status"].isin(["incomplete", "incomplete_expired"])
    ]
    monthly = (
        subs["amount"]
        / 100.0
        * subs["quantity"].fillna(1)
        / subs["interval_count"].fillna(1)
        * subs["interval"].map(INTERVAL_MONTHS)
    )
    started = pd.to_datetime(subs["start_date"], unit="s")
    ended = pd.to_datetime(subs["ended_at"], unit="s")
    trial = pd.to_datetime(subs["trial_end"], unit="s")
    live = (started < t1) & (ended.isna() | (ended >= t1)) & (trial.fillna(started) < t1)
    value = float(monthly[live].sum())
    return {"numerator": value, "denominator": None, "value": value}


def nps(landing, start, end, month: date, as_of: datetime, excluded: set[str], tz: str) -> dict:
    responses = _latest(_read_csv(landing, "surveys__responses", start, end), "response_id")
    responses = responses[
        (responses["survey_type"] == "nps")
        & responses["client_id"].notna()
        & ~responses["client_id"].isin(excluded)
    ].copy()
    responses["score"] = responses["score"].astype(float)
    responses["responded_at"] = _utc(responses["responded_at"])
    responses = responses[
        responses["score"].between(*NPS_SCALE) & (responses["responded_at"] <= as_of)
    ]
    local = pd.to_datetime(_local_date(responses["responded_at"], tz))
    in_month = responses[(local.dt.year == month.year) & (local.dt.month == month.month)]
    promoters = int((in_month["score"] >= 9).sum())
    detractors = int((in_month["score"] <= 6).sum())
    count = len(in_month)
    return {
        "numerator": float(promoters - detractors),
        "denominator": float(count),
        "value": 100.0 * (promoters - detractors) / count if count else None,
    }


def dispute_success_rate(landing, start, end, month, as_of, excluded, tz) -> dict:
    disputes = _latest(_read_csv(landing, "disputes__disputes", start, end), "dispute_id")
    disputes = disputes[~disputes["client_id"].isin(excluded)].copy()
    for column in ("opened_at", "resolved_at"):
        disputes[column] = _utc(disputes[column])
    answered = disputes[
        (disputes["opened_at"] <= as_of)
        & disputes["resolved_at"].notna()
        & disputes["outcome"].isin(["removed", "updated", "verified"])
        & (disputes["resolved_at"] >= disputes["opened_at"])
        & (disputes["resolved_at"] <= as_of)
    ]
    local = pd.to_datetime(_local_date(answered["resolved_at"], tz))
    in_month = answered[(local.dt.year == month.year) & (local.dt.month == month.month)]
    won = int(in_month["outcome"].isin(["removed", "updated"]).sum())
    count = len(in_month)
    return {
        "numerator": float(won),
        "denominator": float(count),
        "value": 100.0 * won / count if count else None,
    }


def run(landing: Path, start: date, end: date, month: date, as_of: datetime) -> dict:
    tz = get_settings().business_tz
    began = time.perf_counter()
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    # t1 of the month: its end at local midnight, as naive UTC, or as_of inside an open month.
    t1_local = pd.Timestamp(next_month).tz_localize(tz)
    t1 = min(t1_local.tz_convert("UTC").tz_localize(None).to_pydatetime(), as_of)
    excluded = _excluded_clients(landing, start, end)
    kpis = {
        "mrr": mrr(landing, start, end, t1),
        "nps_company": nps(landing, start, end, month, as_of, excluded, tz),
        "dispute_success_rate": dispute_success_rate(
            landing, start, end, month, as_of, excluded, tz
        ),
    }
    return {
        "month": month.isoformat(),
        "kpis": kpis,
        "seconds": round(time.perf_counter() - began, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--month", type=date.fromisoformat, required=True)
    parser.add_argument("--as-of", type=datetime.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = run(args.landing, args.start, args.end, args.month, args.as_of)
    args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
