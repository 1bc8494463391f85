"""What a suite checks, one `Rule` per GX expectation, before GX sees it.

A rule is judged per load day (`_partition`): DuckDB computes, for every load day, the share of
rows (or items) the rule holds for, and GX expects each day's share to reach the rule's
threshold (orchestration/quality/frames.py, suites.py). Three shapes:

- `valid_when`: a SQL condition on one row of the raw table (alias `t`): true valid, false
  invalid, null not applicable.
- `checks`: a query returning one row per item checked (`load_day`, `valid`), for items that are
  not rows of the table (a missing time entry, a file that never arrived).
- `measure`: a query returning one number per load day (`load_day`, `observed`), judged as is
  (hours since the latest delivery).
- `combines`: the row rules a row must pass all of (catalogue §7.2: "rows passing all accuracy
  checks / rows checked").
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.quality.thresholds import Threshold

STANDARDS = ("completeness", "accuracy", "timeliness")


class RuleError(ValueError):
    """A hand-written rule is malformed: fix the named file and rule."""


@dataclass(frozen=True)
class Rule:
    table: str  # extract identifier, e.g. "dialer__calls"
    standard: str  # completeness | accuracy | timeliness
    name: str  # unique within its table and standard
    description: str
    threshold: Threshold
    column: str | None = None
    valid_when: str | None = None
    checks: str | None = None
    measure: str | None = None
    combines: tuple[str, ...] | None = None
    blocking: bool = False  # a failure stops downstream assets (critical completeness)
    origin: str = "contract"

    def __post_init__(self) -> None:
        shapes = (self.valid_when, self.checks, self.measure, self.combines)
        if sum(shape is not None for shape in shapes) != 1:
            raise RuleError(
                f"{self.origin}: rule {self.table}.{self.name} needs exactly one of "
                "valid_when, checks, measure or combines"
            )
        if self.standard not in STANDARDS:
            raise RuleError(f"{self.origin}: rule {self.name}: standard {self.standard!r}")

    @property
    def metric(self) -> str:
        """The column of the daily frame that holds the rule's per-day figure."""
        return f"{self.standard}__{self.name}"

    @property
    def suite(self) -> str:
        return f"{self.table}.{self.standard}"
