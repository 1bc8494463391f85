"""`make ui` serves the code location: the webserver answers GraphQL with every asset grouped by
layer and domain, the asset checks, freshness policies, schedules and sensors.

The webserver runs as a subprocess on 127.0.0.1 and a free port, in its own process group (the
`set -m` of a shell), and is stopped with SIGTERM to that group at the end.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

QUERY = """
{
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes {
        name
        assetGroups { groupName }
        schedules { name cronSchedule executionTimezone }
        sensors { name }
        jobs { name }
        assetNodes {
          assetKey { path }
          groupName
          isPartitioned
          backfillPolicy { policyType }
          internalFreshnessPolicy {
            __typename
            ... on TimeWindowFreshnessPolicy { failWindowSeconds warnWindowSeconds }
            ... on CronFreshnessPolicy { deadlineCron lowerBoundDeltaSeconds timezone }
          }
          assetChecksOrError { ... on AssetChecks { checks { name } } }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def webserver(tmp_path: Path, dbt_manifest) -> Iterator[str]:
    port = _free_port()
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((PROJECT_ROOT / "orchestration/dagster.yaml").read_text())
    webserver_bin = Path(sys.executable).with_name("dagster-webserver")
    command = [str(webserver_bin), "-m", "orchestration.definitions", "-h", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "-p", str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "webserver.log").open("w"),
        start_new_session=True,  # its own process group, so the whole tree stops together
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, (tmp_path / "webserver.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, "the webserver did not answer within 240 s"
            time.sleep(1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _graphql(url: str) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def test_the_ui_shows_groups_checks_freshness_schedules_and_sensors(webserver):
    answer = _graphql(webserver)["data"]["repositoriesOrError"]
    assert answer["__typename"] == "RepositoryConnection", answer
    (repository,) = answer["nodes"]

    groups = {g["groupName"] for g in repository["assetGroups"]}
    # Layers, and domains inside the intermediate and mart layers (folders of the dbt project).
    assert {
        "raw",
        "seeds",
        "staging",
        "intermediate_finance",
        "intermediate_client",
        "intermediate_operations",
        "marts_core",
        "marts_scorecard",
        "publish",
        "alerts",
        "reports",
    } <= groups
    assert "default" not in groups

    assert {
        (s["name"], s["cronSchedule"], s["executionTimezone"]) for s in repository["schedules"]
    } == {
        ("daily_refresh_schedule", "0 6 * * *", "America/New_York"),
        ("weekly_summary_schedule", "0 7 * * 1", "America/New_York"),
        ("monthly_close_schedule", "0 7 1-10 * *", "America/New_York"),
    }
    assert {s["name"] for s in repository["sensors"]} == {
        "new_extracts_sensor",
        "alert_delivery_sensor",
        "deadline_checks_sensor",
    }
    assert {"ingest_extracts", "daily_refresh", "weekly_summary", "monthly_close"} <= {
        j["name"] for j in repository["jobs"]
    }

    nodes = {"/".join(n["assetKey"]["path"]): n for n in repository["assetNodes"]}
    calls = nodes["raw/dialer__calls"]
    assert calls["groupName"] == "raw"
    assert calls["backfillPolicy"]["policyType"] == "SINGLE_RUN"
    # The contract's dbt source freshness: warn after 26 h, error after 50 h.
    assert calls["internalFreshnessPolicy"] == {
        "__typename": "TimeWindowFreshnessPolicy",
        "failWindowSeconds": 50 * 3600,
        "warnWindowSeconds": 26 * 3600,
    }
    assert {c["name"] for c in calls["assetChecksOrError"]["checks"]} >= {"gx_completeness"}
    staged = nodes["staging/stg_dialer__calls"]
    assert (staged["isPartitioned"], staged["backfillPolicy"]["policyType"]) == (
        True,
        "SINGLE_RUN",
    )
    assert "unique_stg_dialer__calls_call_id" in {
        c["name"] for c in staged["assetChecksOrError"]["checks"]
    }
    # The snapshot is due between 06:00 and 09:00 (seeds/delivery_schedule.csv).
    assert nodes["analytics/snapshot"]["internalFreshnessPolicy"] == {
        "__typename": "CronFreshnessPolicy",
        "deadlineCron": "0 9 * * *",
        "lowerBoundDeltaSeconds": 3 * 3600,
        "timezone": "America/New_York",
    }
    # The weekly summary: between 07:00 and 10:00 on Mondays.
    assert nodes["reports/weekly_summary"]["internalFreshnessPolicy"]["deadlineCron"] == (
        "0 10 * * 1"
    )
    monthly = nodes["reports/monthly_strategic_analysis"]
    assert "delivered_on_time" in {c["name"] for c in monthly["assetChecksOrError"]["checks"]}
