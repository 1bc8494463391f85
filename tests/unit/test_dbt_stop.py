"""A dbt step that fails while dbt still runs must not leave dbt holding the warehouse lock."""

from __future__ import annotations

import subprocess
import sys

from orchestration.assets.dbt import _stop


def test_stop_ends_a_writer_blocked_on_a_full_pipe():
    # Like dbt after the step stopped reading: it writes until the pipe is full, then blocks.
    process = subprocess.Popen(
        [sys.executable, "-c", "while True: print('x' * 4096, flush=True)"],
        stdout=subprocess.PIPE,
    )
    process.stdout.read(65536)  # it is running and writing
    _stop(process, grace_seconds=5)
    assert process.poll() is not None
    process.stdout.close()


def test_stop_is_a_no_op_on_a_finished_process():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    _stop(process)
    assert process.returncode == 0
