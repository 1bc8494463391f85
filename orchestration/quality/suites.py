"""The GX side: one expectation suite per extract and standard, judged on the extract's daily
frame, run in one checkpoint that also rebuilds the Data Docs site for data stewards.

Route: GX Core on DuckDB through its SQL datasource (duckdb-engine, gx_duckdb.py), inside the
warehouse writer's turn, never a second process, never pandas. A suite `<extract>.<standard>`
is a query asset over the frame rows of that standard (one row per rule and load day, with its
observed figure and threshold) and expects, row by row, `observed >= minimum` (shares that must
reach a threshold) and `maximum >= observed` (differences or lags that must stay within one).
GX returns the failing (rule, load day) pairs as unexpected index values, so each rule is judged
per load day by GX, while the expectation count stays one or two per suite: GX costs about
40 ms per expectation whatever the data size, and one expectation per rule and extract took
40 s per run (measured on this project, 1,100 expectations); measured route and memory: frames.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from orchestration.quality.gx_duckdb import duckdb_datasource

DOCS_SITE = "scorecard_quality"
INDEX_COLUMNS = ["rule", "load_day"]


class SuiteError(RuntimeError):
    """GX raised while evaluating an expectation (not a failed expectation)."""


@dataclass(frozen=True)
class SuiteSpec:
    name: str  # e.g. "dialer__calls.accuracy"
    query: str  # the frame rows the suite judges
    description: str
    at_least: bool  # the rows hold shares that must reach a minimum
    at_most: bool  # the rows hold figures that must stay within a maximum
    notes: tuple[str, ...] = ()  # one line per rule, shown to stewards in the Data Docs


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    failing: frozenset[tuple[str, date | None]]  # (rule, load day) GX found out of bounds
    expectation_types: tuple[str, ...]


def _expectations(spec: SuiteSpec) -> list[Any]:
    import great_expectations.expectations as gxe

    expectations = []
    if spec.at_least:
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="observed",
                column_B="minimum",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                description=f"{spec.description}: every rule's daily share reaches its minimum.",
            )
        )
    if spec.at_most:
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="maximum",
                column_B="observed",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                description=f"{spec.description}: every rule's figure stays within its maximum.",
            )
        )
    return expectations


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value)[:10])


def docs_site_config(docs_dir: Path) -> dict[str, Any]:
    """A local Data Docs site: static HTML under `docs_dir` (data/quality/ by default)."""
    return {
        "class_name": "SiteBuilder",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(docs_dir),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }


def run_suites(
    database: Path, suites: Sequence[SuiteSpec], docs_dir: Path, run_name: str
) -> dict[str, SuiteOutcome]:
    """Validate every suite in one checkpoint, then rebuild the Data Docs once."""
    if not suites:
        return {}
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    docs_dir.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, SuiteOutcome] = {}
    with duckdb_datasource(database) as (context, datasource):
        context.add_data_docs_site(site_name=DOCS_SITE, site_config=docs_site_config(docs_dir))
        definitions = []
        for spec in suites:
            asset = datasource.add_query_asset(name=spec.name, query=spec.query)
            suite = context.suites.add(
                gx.ExpectationSuite(name=spec.name, notes=list(spec.notes) or None)
            )
            for expectation in _expectations(spec):
                suite.add_expectation(expectation)
            definitions.append(
                context.validation_definitions.add(
                    gx.ValidationDefinition(
                        name=spec.name,
                        data=asset.add_batch_definition_whole_table("every load day"),
                        suite=suite,
                    )
                )
            )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name="scorecard_quality",
                validation_definitions=definitions,
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": INDEX_COLUMNS,
                },
            )
        )
        result = checkpoint.run(run_id=RunIdentifier(run_name=run_name))
        # Built once for the whole run: an UpdateDataDocsAction rebuilds the site per suite.
        context.build_data_docs(site_names=[DOCS_SITE])
        for validation in result.run_results.values():
            failing: set[tuple[str, date | None]] = set()
            for item in validation.results:
                if (item.exception_info or {}).get("raised_exception"):
                    # A broken expectation is a bug to fix, never a data-quality verdict.
                    raise SuiteError(
                        f"GX could not evaluate {item.expectation_config.type} of suite "
                        f"{validation.suite_name}: {item.exception_info.get('exception_message')}"
                    )
                for row in (item.result or {}).get("unexpected_index_list") or []:
                    failing.add((str(row["rule"]), _day(row["load_day"])))
            outcomes[validation.suite_name] = SuiteOutcome(
                suite=validation.suite_name,
                success=bool(validation.success),
                failing=frozenset(failing),
                expectation_types=tuple(i.expectation_config.type for i in validation.results),
            )
    return outcomes
