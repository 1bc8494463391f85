"""The alert sink sends each row of marts.mart_alerts once: log, alerts.jsonl and webhook.

A real HTTP server on 127.0.0.1 plays the webhook; it answers 500 to the first request to prove
the retry, and records every body it accepted. The alerts come from an analytics snapshot file
created here with the columns agreed in contracts.md.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.alerts import AlertSink, AlertsTableMissing, read_alerts
from orchestration.sensors import alert_delivery_sensor

COLUMNS = """
    alert_id varchar, rule_id varchar, kpi_id varchar, entity_type varchar, entity_id varchar,
    department_id varchar, grain varchar, period_start date, opened_at timestamp,
    closed_at timestamp, status varchar, severity varchar, escalation_level varchar,
    audience varchar, delivery varchar, title varchar, detail varchar, observed double,
    threshold double
"""
ALERTS = [
    ("a-red-cac", "AK1", "cac", "company", "company", None, "month", "2025-11-01",
     "2025-12-01 14:00:00", None, "open", "critical", "L3", "executive", "immediate",
     "CAC red for November", "CAC 412 vs red flag 400", 412.0, 400.0),
    ("a-blocker", "AC4", None, "client", "C0042", "client_success", None, None,
     "2025-12-02 09:30:00", None, "open", "warning", "L1", "CSM", "immediate",
     "Critical onboarding blocker", "Blocker severity critical", None, None),
    ("a-trend", "AK4", "gross_margin", "company", "company", None, "month", "2025-11-01",
     "2025-12-01 14:00:00", "2025-12-20 14:00:00", "closed", "info", "L1", "team lead",
     "digest", "Gross margin declining inside target", "3 months down", 61.0, 60.0),
]  # fmt: skip


def _snapshot(path: Path, rows) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute(f"create or replace table marts.mart_alerts ({COLUMNS})")
    con.executemany(f"insert into marts.mart_alerts values ({', '.join('?' * 19)})", rows)
    con.close()
    return path


class _Webhook:
    """Answers 500 to the first `failures` requests, then 200; keeps every accepted body."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0
        self.accepted: list[dict] = []

    def handler(self):
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.attempts += 1
                if hook.attempts <= hook.failures:
                    self.send_response(500)
                    self.end_headers()
                    return
                assert self.headers["Content-Type"] == "application/json"
                hook.accepted.append(body)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):  # keep the test output quiet
                pass

        return Handler


@pytest.fixture
def webhook() -> Iterator[tuple[_Webhook, str]]:
    hook = _Webhook(failures=1)
    server = ThreadingHTTPServer(("127.0.0.1", 0), hook.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook, f"http://127.0.0.1:{server.server_address[1]}/hooks/scorecard"
    server.shutdown()
    server.server_close()


def _ids(payload: dict) -> list[str]:
    """alert_ids named in the context blocks of a Slack payload."""
    return [
        block["elements"][0]["text"].rsplit("alert_id ", 1)[1]
        for block in payload["blocks"]
        if block["type"] == "context"
    ]


def test_each_alert_goes_once_to_log_file_and_webhook_with_a_retry(tmp_path, webhook, caplog):
    hook, url = webhook
    snapshot = _snapshot(tmp_path / "analytics.duckdb", ALERTS)
    sink = AlertSink(tmp_path / "alerts", url, logging.getLogger("sink"), backoff_seconds=0.01)

    with caplog.at_level(logging.INFO, logger="sink"):
        result = sink.deliver(read_alerts(snapshot))

    # First POST answered 500, the retry was accepted: 2 attempts, 1 message with 3 alerts.
    assert (result.new, result.posted, result.pending, result.error) == (3, 3, 0, None)
    assert hook.attempts == 2
    assert len(hook.accepted) == 1
    payload = hook.accepted[0]
    assert payload["text"] == "Scorecard: 3 new alerts (1 critical)"
    assert payload["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Scorecard: 3 new alerts (1 critical)"},
    }
    # Oldest first (opened_at, then alert_id).
    assert _ids(payload) == ["a-red-cac", "a-trend", "a-blocker"]
    assert payload["blocks"][1]["text"]["text"] == (
        "*[CRITICAL · L3] CAC red for November*\nCAC 412 vs red flag 400\n"
        "observed 412 vs threshold 400"
    )
    # The log names every alert once, critical ones as errors.
    logged = [r for r in caplog.records if r.getMessage().startswith("ALERT ")]
    assert [(r.levelname, r.getMessage().split()[1]) for r in logged] == [
        ("ERROR", "a-red-cac"),
        ("WARNING", "a-blocker"),
        ("INFO", "a-trend"),
    ]
    lines = (tmp_path / "alerts" / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(line)["alert_id"] for line in lines] == ["a-red-cac", "a-trend", "a-blocker"]
    assert json.loads(lines[0])["opened_at"] == "2025-12-01 14:00:00"

    # Running the sink again over the same snapshot sends and writes nothing new.
    again = sink.deliver(read_alerts(snapshot))
    assert (again.new, again.posted, again.pending) == (0, 0, 0)
    assert hook.attempts == 2
    assert len((tmp_path / "alerts" / "alerts.jsonl").read_text().splitlines()) == 3

    # A later snapshot with one more alert (and a closed status on an old one): only the new one.
    newer = (*ALERTS[:2], (*ALERTS[2][:9], "2025-12-21 00:00:00", *ALERTS[2][10:]))
    fourth = ("a-ticket", "AS4", None, "client", "C0007", "customer_support", None, None,
              "2025-12-03 10:00:00", None, "open", "warning", "L1", "team lead", "immediate",
              "Complaint ticket created", "Complaint from client", None, None)  # fmt: skip
    _snapshot(snapshot, [*newer, fourth])
    third = sink.deliver(read_alerts(snapshot))
    assert (third.new, third.posted) == (1, 1)
    assert [_ids(p) for p in hook.accepted] == [
        ["a-red-cac", "a-trend", "a-blocker"],
        ["a-ticket"],
    ]


def test_a_webhook_that_stays_down_keeps_alerts_queued_for_the_next_tick(tmp_path, webhook):
    hook, url = webhook
    hook.failures = 3  # every attempt of the first delivery fails
    snapshot = _snapshot(tmp_path / "analytics.duckdb", ALERTS[:2])
    sink = AlertSink(tmp_path / "alerts", url, attempts=3, backoff_seconds=0.01)

    first = sink.deliver(read_alerts(snapshot))
    assert (first.new, first.posted, first.pending) == (2, 0, 2)
    assert first.error == "HTTPError: HTTP Error 500: Internal Server Error"
    assert hook.accepted == []
    # Logged and written once although the webhook failed.
    assert len((tmp_path / "alerts" / "alerts.jsonl").read_text().splitlines()) == 2

    # Next tick: the server is back; the queued alerts go out once, nothing is logged twice.
    second = sink.deliver(read_alerts(snapshot))
    assert (second.new, second.posted, second.pending, second.error) == (0, 2, 0, None)
    assert [_ids(p) for p in hook.accepted] == [["a-red-cac", "a-blocker"]]
    assert hook.attempts == 4
    assert len((tmp_path / "alerts" / "alerts.jsonl").read_text().splitlines()) == 2


def test_a_torn_last_line_is_dropped_and_that_alert_written_again(tmp_path):
    snapshot = _snapshot(tmp_path / "analytics.duckdb", ALERTS[:2])
    sink = AlertSink(tmp_path / "alerts", None)
    sink.deliver(read_alerts(snapshot)[:1])
    jsonl = tmp_path / "alerts" / "alerts.jsonl"
    with jsonl.open("a") as handle:  # a crash in the middle of writing the second alert
        handle.write('{"alert_id": "a-blo')
    result = sink.deliver(read_alerts(snapshot))
    assert result.new == 1
    assert [json.loads(line)["alert_id"] for line in jsonl.read_text().splitlines()] == [
        "a-red-cac",
        "a-blocker",
    ]


def test_the_sensor_delivers_from_the_snapshot_and_skips_when_mart_alerts_is_missing(
    isolated_data_dir, webhook, monkeypatch
):
    hook, url = webhook
    hook.failures = 0
    isolated_data_dir.mkdir(parents=True)
    snapshot = isolated_data_dir / "analytics.duckdb"
    duckdb.connect(str(snapshot)).close()
    skip = alert_delivery_sensor(dg.build_sensor_context())
    assert "has no marts.mart_alerts" in skip.skip_message
    with pytest.raises(AlertsTableMissing):
        read_alerts(snapshot)

    _snapshot(snapshot, ALERTS)
    monkeypatch.setenv("SCORECARD_ALERT_WEBHOOK_URL", url)
    skip = alert_delivery_sensor(dg.build_sensor_context())
    assert skip.skip_message == "3 new alert(s), 3 posted, 0 queued"
    skip = alert_delivery_sensor(dg.build_sensor_context())
    assert skip.skip_message == "0 new alert(s), 0 posted, 0 queued"
    assert [_ids(p) for p in hook.accepted] == [["a-red-cac", "a-trend", "a-blocker"]]
    assert (isolated_data_dir / "alerts" / "alerts.jsonl").exists()
