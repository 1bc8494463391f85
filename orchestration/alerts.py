"""The alert sink: every new row of marts.mart_alerts goes out once (DESIGN.md §6, catalogue §7.1).

Alerts are read from the ANALYTICS SNAPSHOT (read-only; never the working warehouse, whose lock
belongs to the refresh). Each alert, deduplicated by its stable alert_id, goes

1. to the run log (or the sensor's tick log),
2. to `data/alerts/alerts.jsonl`, one JSON object per line (the durable record of what was sent),
3. when SCORECARD_ALERT_WEBHOOK_URL is set, to that URL as a Slack-compatible JSON POST
   ({"text": ..., "blocks": [...]}), with retries and exponential backoff.

State lives in `data/alerts/`: alerts.jsonl itself says which alerts were logged, and
webhook_state.json which are still to be posted. An alert is queued for the webhook before it is
logged, so a crash between the two re-logs nothing and loses nothing; a POST that fails after its
retries stays queued and is tried again on the next tick, and an alert posted once is never queued
again. A file lock keeps a sensor tick and a run from delivering at the same time.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb

ALERTS_TABLE = "marts.mart_alerts"
# Columns agreed in contracts.md (producer: the operating marts).
ALERT_COLUMNS = (
    "alert_id",
    "rule_id",
    "kpi_id",
    "entity_type",
    "entity_id",
    "department_id",
    "grain",
    "period_start",
    "opened_at",
    "closed_at",
    "status",
    "severity",
    "escalation_level",
    "audience",
    "delivery",
    "title",
    "detail",
    "observed",
    "threshold",
)
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
# Slack allows 50 blocks per message: a header plus two blocks per alert.
ALERTS_PER_MESSAGE = 20


class Log(Protocol):
    def info(self, msg: str) -> Any: ...
    def warning(self, msg: str) -> Any: ...
    def error(self, msg: str) -> Any: ...


class AlertsTableMissing(RuntimeError):
    """The snapshot has no marts.mart_alerts yet (the operating marts build it)."""


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_alerts(snapshot_path: Path) -> list[dict[str, Any]]:
    """Every alert row of the snapshot, oldest first; read-only, so never blocks a refresh."""
    if not snapshot_path.exists():
        raise AlertsTableMissing(f"the analytics snapshot {snapshot_path} does not exist yet")
    con = duckdb.connect(str(snapshot_path), read_only=True)
    try:
        present = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'mart_alerts'"
        ).fetchone()[0]
        if not present:
            raise AlertsTableMissing(
                f"{snapshot_path} has no {ALERTS_TABLE}: the dbt model mart_alerts builds it"
            )
        cursor = con.execute(
            f"select {', '.join(ALERT_COLUMNS)} from {ALERTS_TABLE} order by opened_at, alert_id"
        )
        return [
            {name: _json_value(value) for name, value in zip(ALERT_COLUMNS, row, strict=True)}
            for row in cursor.fetchall()
        ]
    finally:
        con.close()


def format_alert(alert: dict[str, Any]) -> str:
    """One line for logs: severity, level, rule, title, subject."""
    subject = f"{alert['entity_type']} {alert['entity_id']}"
    kpi = f" kpi={alert['kpi_id']}" if alert.get("kpi_id") else ""
    return (
        f"ALERT {alert['alert_id']} [{alert['severity']} {alert['escalation_level']}] "
        f"{alert['rule_id']}: {alert['title']} ({subject}{kpi}, {alert['status']}, "
        f"to {alert['audience']}, {alert['delivery']})"
    )


def slack_payload(alerts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A Slack-compatible message (text fallback + blocks) for up to ALERTS_PER_MESSAGE alerts."""
    critical = sum(a["severity"] == "critical" for a in alerts)
    text = f"Scorecard: {len(alerts)} new alert{'s' if len(alerts) != 1 else ''}"
    if critical:
        text += f" ({critical} critical)"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": text}}
    ]
    for alert in alerts:
        measure = ""
        if alert.get("observed") is not None:
            measure = f"\nobserved {alert['observed']:g}"
            if alert.get("threshold") is not None:
                measure += f" vs threshold {alert['threshold']:g}"
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": (
                        f"*[{alert['severity'].upper()} · {alert['escalation_level']}] "
                        f"{alert['title']}*\n{alert['detail'] or ''}{measure}"
                    ),
                },
            }
        )
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": (
                            f"{alert['rule_id']} · {alert['entity_type']} {alert['entity_id']}"
                            f" · {alert['status']} · for {alert['audience']}"
                            f" · alert_id {alert['alert_id']}"
                        ),
                    }
                ],
            }
        )
    return {"text": text, "blocks": blocks}


class DeliveryError(RuntimeError):
    """The webhook did not accept a message after every attempt."""


def post_json(url: str, payload: dict[str, Any], timeout: float = 10.0) -> None:
    """POST JSON; any non-2xx answer or network error raises."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise DeliveryError(f"{url} answered HTTP {response.status}")


@dataclass
class WebhookState:
    pending: list[str] = field(default_factory=list)
    delivered: set[str] = field(default_factory=set)
    failures: int = 0
    last_error: str | None = None

    @classmethod
    def load(cls, path: Path) -> WebhookState:
        if not path.exists():
            return cls()
        raw = json.loads(path.read_text())
        return cls(raw["pending"], set(raw["delivered"]), raw["failures"], raw["last_error"])

    def save(self, path: Path) -> None:
        """Atomically (write, fsync, rename): a crash leaves the old state or the new one."""
        staging = path.with_name(f".{path.name}.new")
        body = {
            "pending": self.pending,
            "delivered": sorted(self.delivered),
            "failures": self.failures,
            "last_error": self.last_error,
        }
        with staging.open("w") as handle:
            json.dump(body, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, path)


@dataclass(frozen=True)
class SinkResult:
    new: int
    posted: int
    pending: int
    error: str | None


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class AlertSink:
    """Sends each alert once to the log, alerts.jsonl and (if configured) the webhook."""

    def __init__(
        self,
        alerts_dir: Path,
        webhook_url: str | None,
        log: Log | None = None,
        *,
        attempts: int = 3,
        backoff_seconds: float = 1.0,
        post: Callable[[str, dict[str, Any]], None] = post_json,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.alerts_dir = alerts_dir
        self.webhook_url = webhook_url
        self.log: Log = log or logging.getLogger(__name__)
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self._post = post
        self._sleep = sleep

    @property
    def jsonl_path(self) -> Path:
        return self.alerts_dir / "alerts.jsonl"

    @property
    def state_path(self) -> Path:
        return self.alerts_dir / "webhook_state.json"

    def deliver(self, alerts: Sequence[dict[str, Any]]) -> SinkResult:
        self.alerts_dir.mkdir(parents=True, exist_ok=True)
        with _exclusive(self.alerts_dir / ".lock"):
            logged = self._logged_alerts()
            new, seen = [], set(logged)
            for alert in alerts:
                if alert["alert_id"] not in seen:
                    seen.add(alert["alert_id"])
                    new.append(alert)
            state = WebhookState.load(self.state_path)
            if self.webhook_url and new:
                queued = set(state.pending) | state.delivered
                state.pending += [a["alert_id"] for a in new if a["alert_id"] not in queued]
                state.save(self.state_path)
            self._log_and_record(new)
            logged.update({a["alert_id"]: a for a in new})
            posted = self._post_pending(state, logged) if self.webhook_url else 0
            return SinkResult(len(new), posted, len(state.pending), state.last_error)

    def _logged_alerts(self) -> dict[str, dict[str, Any]]:
        """alert_id -> record of alerts.jsonl; a torn last line (crash mid-write) is dropped."""
        if not self.jsonl_path.exists():
            return {}
        raw = self.jsonl_path.read_bytes()
        complete = raw[: raw.rfind(b"\n") + 1]
        if len(complete) != len(raw):
            self.log.warning(f"{self.jsonl_path}: dropping an incomplete last line")
            with self.jsonl_path.open("r+b") as handle:
                handle.truncate(len(complete))
        records = (json.loads(line) for line in complete.decode().splitlines() if line)
        return {record["alert_id"]: record for record in records}

    def _log_and_record(self, new: Sequence[dict[str, Any]]) -> None:
        if not new:
            return
        for alert in sorted(new, key=lambda a: SEVERITY_ORDER.get(a["severity"], 3)):
            line = format_alert(alert)
            if alert["severity"] == "critical":
                self.log.error(line)
            elif alert["severity"] == "warning":
                self.log.warning(line)
            else:
                self.log.info(line)
        with self.jsonl_path.open("a") as handle:
            handle.write("".join(json.dumps(a, sort_keys=True) + "\n" for a in new))
            handle.flush()
            os.fsync(handle.fileno())

    def _post_pending(self, state: WebhookState, logged: dict[str, dict[str, Any]]) -> int:
        posted = 0
        while state.pending:
            batch_ids = state.pending[:ALERTS_PER_MESSAGE]
            batch = [logged[alert_id] for alert_id in batch_ids if alert_id in logged]
            if not batch:  # cannot happen: an alert is queued and logged in the same call
                state.pending = state.pending[len(batch_ids) :]
                continue
            try:
                self._post_with_retries(slack_payload(batch))
            except Exception as error:
                state.failures += 1
                state.last_error = f"{type(error).__name__}: {error}"
                state.save(self.state_path)
                self.log.error(
                    f"webhook delivery failed after {self.attempts} attempts "
                    f"({state.last_error}); {len(state.pending)} alert(s) stay queued for the "
                    "next tick"
                )
                return posted
            state.pending = state.pending[len(batch_ids) :]
            state.delivered.update(batch_ids)
            state.failures, state.last_error = 0, None
            state.save(self.state_path)
            posted += len(batch_ids)
        return posted

    def _post_with_retries(self, payload: dict[str, Any]) -> None:
        assert self.webhook_url
        for attempt in range(self.attempts):
            try:
                self._post(self.webhook_url, payload)
                return
            except (urllib.error.URLError, DeliveryError, TimeoutError, ConnectionError) as error:
                if attempt + 1 == self.attempts:
                    raise
                wait = self.backoff_seconds * 2**attempt
                self.log.warning(
                    f"webhook attempt {attempt + 1} of {self.attempts} failed ({error}); "
                    f"retrying in {wait:g} s"
                )
                self._sleep(wait)
