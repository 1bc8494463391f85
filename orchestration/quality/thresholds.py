"""The data-quality thresholds, read from seeds/dq_thresholds.csv: the one place they are kept.

completeness per field tier, accuracy per domain, timeliness and the reconciliation tolerances
(SOP-007 §4.3, catalogue §7.2-7.3). Per-extract freshness SLAs are in the extract contract.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestration.settings import SEEDS_DIR

THRESHOLDS_SEED = "dq_thresholds.csv"
STANDARDS = ("completeness", "accuracy", "timeliness", "reconciliation")
OPERATORS = (">=", "<=")


class ThresholdError(LookupError):
    """A standard asks for a threshold the seed does not hold: add the row to the seed."""


@dataclass(frozen=True)
class Threshold:
    standard: str
    applies_to: str
    operator: str  # ">=": the observed share must reach it; "<=": the difference must stay within
    value: float

    def passes(self, observed: float) -> bool:
        return observed >= self.value if self.operator == ">=" else observed <= self.value

    @property
    def bounds(self) -> dict[str, float]:
        """The min_value / max_value of a GX ExpectColumnValuesToBeBetween judging it."""
        return {"min_value": self.value} if self.operator == ">=" else {"max_value": self.value}


@cache
def _load(path: Path) -> dict[tuple[str, str], Threshold]:
    thresholds: dict[tuple[str, str], Threshold] = {}
    with path.open(newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name} line {line}"
            if row["standard"] not in STANDARDS:
                raise ThresholdError(f"{where}: standard {row['standard']!r} not in {STANDARDS}")
            if row["operator"] not in OPERATORS:
                raise ThresholdError(f"{where}: operator {row['operator']!r} not in {OPERATORS}")
            key = (row["standard"], row["applies_to"])
            if key in thresholds:
                raise ThresholdError(f"{where}: {key} is listed twice")
            thresholds[key] = Threshold(*key, row["operator"], float(row["threshold"]))
    return thresholds


def threshold(standard: str, applies_to: str, seeds_dir: Path = SEEDS_DIR) -> Threshold:
    try:
        return _load((seeds_dir / THRESHOLDS_SEED).resolve())[(standard, applies_to)]
    except KeyError:
        raise ThresholdError(
            f"{seeds_dir / THRESHOLDS_SEED} has no threshold for {standard} / {applies_to}"
        ) from None
