"""`scorecard generate`: write every source's extracts and the planted truth beside them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.progress import Progress

from orchestration.contract import get_extract
from orchestration.extracts.stripe import write_subscriptions
from orchestration.extracts.world import build_world

PLANTED_TRUTH_FILE = "_planted_truth.json"


@dataclass(frozen=True)
class GenerateOptions:
    scale: float
    seed: int
    start: date
    end: date
    defects: bool
    tz: str


def generate(landing_dir: Path, options: GenerateOptions, show_progress: bool = True) -> dict:
    """Write the extracts under `landing_dir`; returns (and writes) the planted truth."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    writers = [
        ("stripe.subscriptions", write_subscriptions),
    ]
    counts: dict[str, int] = {}
    with Progress(disable=not show_progress, transient=True) as progress:
        task = progress.add_task("building the simulated company", total=len(writers) + 1)
        world = build_world(options.scale, options.seed, options.start, options.end, options.tz)
        progress.advance(task)
        for name, writer in writers:
            progress.update(task, description=f"writing {name}")
            extract = get_extract(name)
            counts[extract.identifier] = writer(world, landing_dir, extract.landing_path)
            progress.advance(task)
    truth = {
        "scale": options.scale,
        "seed": options.seed,
        "start": options.start.isoformat(),
        "end": options.end.isoformat(),
        "defects": options.defects,
        "timezone": options.tz,
        "rows": counts,
        "clients": len(world.clients),
        "planted_gaps": [],
        "planted_defects": [],
    }
    (landing_dir / PLANTED_TRUTH_FILE).write_text(json.dumps(truth, indent=2) + "\n")
    return truth
