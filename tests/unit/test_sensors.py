"""The landing sensor asks for ingestion of exactly the new or changed files, once each."""

from __future__ import annotations

import os

import dagster as dg

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
