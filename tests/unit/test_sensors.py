"""The landing sensor asks for ingestion of exactly the new or changed files, once each:
one run per contiguous range of days that landed together, with the incremental models fed by
those extracts."""

from __future__ import annotations

import os

import dagster as dg

from orchestration.partitions import dates_in_range
from orchestration.sensors import new_extracts_sensor


def _land(landing, day: str, text: str = '{"id": "sub_1"}\n'):
    path = landing / f"stripe/subscriptions/subscriptions_{day}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _evaluate(cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor)
    result = new_extracts_sensor(context)
    return result, context.cursor


def test_new_file_is_requested_once_and_a_changed_file_again(isolated_data_dir):
    landing = isolated_data_dir / "landing"
    _land(landing, "2025-01-01")
    (landing / "stripe/subscriptions/notes.txt").write_text("not an extract")

    requests, cursor = _evaluate(None)
    assert [(r.partition_key, r.asset_selection) for r in requests] == [
        ("2025-01-01", [dg.AssetKey(["raw", "stripe__subscriptions"])])
    ]

    skip, cursor = _evaluate(cursor)
    assert isinstance(skip, dg.SkipReason)

    second = _land(landing, "2025-01-02")
    requests, cursor = _evaluate(cursor)
    assert [r.partition_key for r in requests] == ["2025-01-02"]

    # A re-delivered (rewritten) file for an old partition is picked up again, once.
    os.utime(second, ns=(second.stat().st_atime_ns, second.stat().st_mtime_ns + 1_000_000))
    requests, cursor = _evaluate(cursor)
    assert [r.partition_key for r in requests] == ["2025-01-02"]
    skip, _ = _evaluate(cursor)
    assert isinstance(skip, dg.SkipReason)


def test_unknown_files_are_named_once(isolated_data_dir):
    from orchestration.sensors import unknown_files

    landing = isolated_data_dir / "landing"
    _land(landing, "2025-01-01")
    stray = landing / "stripe/subscriptions/subscriptions_jan.jsonl"
    stray.write_text("{}\n")
    (landing / "_planted_truth.json").write_text("{}")
    assert unknown_files(landing) == [stray]
    _, cursor = _evaluate(None)
    assert "unknown:stripe/subscriptions/subscriptions_jan.jsonl" in cursor


def _land_calls(landing, day: str, text: str = "call_id,agent_id\nCL1,E1\n"):
    path = landing / f"dialer/calls/calls_{day}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_days_that_land_together_are_one_run_per_contiguous_range(isolated_data_dir):
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    landing = isolated_data_dir / "landing"
    # A quarter of two extracts lands at once, plus one stray day after a gap.
    for day in dates_in_range("2025-01-01", "2025-03-31"):
        _land(landing, day)
        _land_calls(landing, day)
    _land_calls(landing, "2025-04-10")

    requests, cursor = _evaluate(None)
    spans = [
        (
            r.partition_key,
            r.tags.get(ASSET_PARTITION_RANGE_START_TAG),
            r.tags.get(ASSET_PARTITION_RANGE_END_TAG),
            [key.to_user_string() for key in r.asset_selection],
        )
        for r in requests
    ]
    assert spans == [
        (None, "2025-01-01", "2025-03-31", ["raw/dialer__calls", "raw/stripe__subscriptions"]),
        ("2025-04-10", None, None, ["raw/dialer__calls"]),
    ]
    assert len({r.run_key for r in requests}) == 2
    skip, cursor = _evaluate(cursor)
    assert isinstance(skip, dg.SkipReason)

    # A corrected file for an old day: that day of that extract only, once.
    _land_calls(landing, "2025-02-14", "call_id,agent_id\nCL1,E1\nCL2,E2\n")
    requests, cursor = _evaluate(cursor)
    assert [(r.partition_key, r.asset_selection) for r in requests] == [
        ("2025-02-14", [dg.AssetKey(["raw", "dialer__calls"])])
    ]
    skip, _ = _evaluate(cursor)
    assert isinstance(skip, dg.SkipReason)


def test_a_landed_file_also_updates_the_incremental_models_fed_by_it(
    isolated_data_dir, dbt_manifest
):
    from orchestration.definitions import build_definitions

    _land_calls(isolated_data_dir / "landing", "2025-01-01")
    repository = build_definitions().get_repository_def()
    context = dg.build_sensor_context(repository_def=repository)
    (request,) = new_extracts_sensor(context)
    # The incremental staging model of the calls (materialized='incremental'), not the views.
    assert [k.to_user_string() for k in request.asset_selection] == [
        "raw/dialer__calls",
        "staging/stg_dialer__calls",
    ]
    assert request.partition_key == "2025-01-01"


def test_contiguous_ranges():
    from orchestration.sensors import contiguous_ranges

    assert contiguous_ranges(["2025-01-03", "2025-01-01", "2025-01-02", "2025-01-05"]) == [
        ("2025-01-01", "2025-01-03"),
        ("2025-01-05", "2025-01-05"),
    ]
    # Across a month end and a leap day.
    assert contiguous_ranges(["2024-02-28", "2024-02-29", "2024-03-01"]) == [
        ("2024-02-28", "2024-03-01")
    ]
