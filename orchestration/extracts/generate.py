"""`scorecard generate`: write every source's extracts and the planted truth beside them.

Each module in SOURCE_MODULES exposes `WRITERS`, a map from contract extract ("source.table") to
the function that writes its files. Every extract of the contract must have exactly one writer.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.progress import Progress

from orchestration.contract import load_contract
from orchestration.extracts.context import GenerationContext, Writer
from orchestration.extracts.world import build_world

PLANTED_TRUTH_FILE = "_planted_truth.json"

SOURCE_MODULES = (
    "stripe",
    "quickbooks",
    "crm",
    "disputes",
    "support",
    "surveys",
    "onboarding",
    "product_usage",
    "dialer",
    "hr",
    "operations",
    "technology",
)


@dataclass(frozen=True)
class GenerateOptions:
    scale: float
    seed: int
    start: date
    end: date
    defects: bool
    tz: str


class MissingWriterError(LookupError):
    """An extract of the contract has no generator, or a generator has no extract."""


def all_writers() -> dict[str, Writer]:
    writers: dict[str, Writer] = {}
    for name in SOURCE_MODULES:
        module = importlib.import_module(f"orchestration.extracts.{name}")
        for key, writer in module.WRITERS.items():
            if key in writers:
                raise MissingWriterError(f"two generators write {key}")
            writers[key] = writer
    return writers


def generate(landing_dir: Path, options: GenerateOptions, show_progress: bool = True) -> dict:
    """Write the extracts under `landing_dir`; returns (and writes) the planted truth."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    writers = all_writers()
    extracts = {f"{e.source}.{e.name}": e for e in load_contract()}
    unknown = sorted(set(writers) - set(extracts))
    unwritten = sorted(set(extracts) - set(writers))
    if unknown or unwritten:
        raise MissingWriterError(
            f"generators without a contract: {unknown}; contract extracts without a generator: "
            f"{unwritten}"
        )
    counts: dict[str, int] = {}
    with Progress(disable=not show_progress, transient=True) as progress:
        task = progress.add_task("building the simulated company", total=len(extracts) + 1)
        world = build_world(options.scale, options.seed, options.start, options.end, options.tz)
        ctx = GenerationContext(world=world, landing_dir=landing_dir, defects=options.defects)
        progress.advance(task)
        for key, extract in extracts.items():
            progress.update(task, description=f"writing {key}")
            counts[extract.identifier] = writers[key](ctx, extract)
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
        "employees": len(world.employees),
        "planted_gaps": ctx.planted_gaps,
        "planted_defects": ctx.planted_defects,
        "planted_corrective_actions": ctx.planted_actions,
    }
    (landing_dir / PLANTED_TRUTH_FILE).write_text(json.dumps(truth, indent=2) + "\n")
    return truth
