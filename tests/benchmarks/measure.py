"""Measure one child process: wall time, CPU time and peak resident memory.

`os.wait4` returns the resource usage of exactly that child and of the descendants it waited
for (dbt under Dagster), so each stage gets its own CPU and RSS without psutil. Linux reports
ru_maxrss in KiB.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    rows: int | None = None

    @property
    def rows_per_s(self) -> float | None:
        if self.rows is None or self.wall_s <= 0:
            return None
        return self.rows / self.wall_s

    def as_dict(self) -> dict:
        return {**asdict(self), "rows_per_s": self.rows_per_s}


class ChildFailed(RuntimeError):
    """A measured child exited with an error; the tail of its log says why."""


def measure(
    name: str, command: list[str], env: dict[str, str], log: Path, check: bool = True
) -> Measurement:
    """Run `command` to completion with its output in `log`; measure it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    result = Measurement(
        name=name,
        wall_s=round(wall, 2),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        returncode=process.returncode,
    )
    if check and result.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise ChildFailed(f"{name} exited with {result.returncode}; see {log}:\n{tail}")
    return result
