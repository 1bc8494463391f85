"""No personal data past staging: a scan for the real PII values of the raw extracts.

The PII columns come from the extract contract (`pii: true`); their values are read from the raw
tables of a copy of the session's demo warehouse. They are then searched for in
- the marts of the working warehouse and of the analytics snapshot, and in its Parquet files
  (whole values in every text column; no column may carry a PII column's name either);
- the reports in data/reports/ and the logs in the data folder (Dagster's run storage and
  compute logs, dbt's log) after the quality checks of the tables that hold PII and the reports
  ran on it with a persistent Dagster instance at DEBUG level, and in those runs' console output.

Single-token values (emails, phone numbers, Stripe customer ids, dialer lead ids) are matched as
tokens of the text; people's names as "First Last" pairs of tokens, since a lone first name such
as "Mark" is an ordinary word.
"""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from faultkit import assert_completed, run_stage_child, stage_env

from orchestration.contract import pii_columns
from orchestration.settings import DBT_PROJECT_DIR

TOKEN = re.compile(r"[A-Za-z0-9@._+\-]+")
NAME_COLUMNS = ("first_name", "last_name")


def _pii_values(warehouse: Path) -> tuple[set[str], set[str], set[str]]:
    """(single-token values, 'First Last' names, PII column names) from the raw tables."""
    tokens, names, columns = set(), set(), set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for extract, column in pii_columns():
            columns.add(column.name)
            if column.name in NAME_COLUMNS:
                continue
            tokens |= {
                row[0]
                for row in con.execute(
                    f'select distinct cast("{column.name}" as varchar) from {extract.raw_table} '
                    f'where "{column.name}" is not null'
                ).fetchall()
            }
        for extract in {e for e, c in pii_columns() if c.name in NAME_COLUMNS}:
            names |= {
                f"{first} {last}"
                for first, last in con.execute(
                    f"select distinct first_name, last_name from {extract.raw_table} "
                    "where first_name is not null and last_name is not null"
                ).fetchall()
            }
    return tokens, names, columns


@pytest.fixture(scope="module")
def scanned(demo_warehouse, tmp_path_factory) -> dict:
    """A copy of the demo after the quality checks and the reports ran on it."""
    data_dir = tmp_path_factory.mktemp("pii") / "data"
    data_dir.mkdir()
    (data_dir / "landing").symlink_to(demo_warehouse.data_dir / "landing")
    shutil.copyfile(demo_warehouse.warehouse_path, data_dir / "warehouse.duckdb")
    # The demo's own published snapshot (DuckDB and Parquet): what the reports read.
    shutil.copyfile(demo_warehouse.analytics_path, data_dir / "analytics.duckdb")
    shutil.copytree(demo_warehouse.data_dir / "analytics_parquet", data_dir / "analytics_parquet")
    env = stage_env(data_dir, demo_warehouse.start.isoformat(), demo_warehouse.as_of)
    env["SCORECARD_STAGE_LOG_LEVEL"] = "DEBUG"
    end = demo_warehouse.end.isoformat()
    # Only checks on tables that hold PII can put PII into a check's results and logs.
    holders = ",".join(sorted({"/".join(e.asset_key_path) for e, _ in pii_columns()}))
    consoles = []
    for stage, options in (("quality", ["--only", holders]), ("reports", [])):
        outcome = run_stage_child(stage, end, end, env, *options)
        assert_completed(outcome)
        consoles.append(outcome.output)
    tokens, names, columns = _pii_values(data_dir / "warehouse.duckdb")
    assert len(tokens) > 100 and len(names) > 50  # the scan looks for real values
    return {
        "data_dir": data_dir,
        "tokens": tokens,
        "names": names,
        "columns": columns,
        "console": "\n".join(consoles),
    }


def _hits(text: str, tokens: set[str], names: set[str]) -> set[str]:
    words = TOKEN.findall(text)
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(words)}
    return (set(words) & tokens) | (pairs & names)


def _scan_relations(con: duckdb.DuckDBPyConnection, relations: dict[str, str], scanned) -> dict:
    """{relation: (PII-named columns, PII values found)} for every relation with a finding."""
    con.execute(
        "create or replace temp table _pii as select unnest(?) as value",
        [sorted(scanned["tokens"] | scanned["names"])],
    )
    findings = {}
    for name, relation in relations.items():
        columns = con.execute(f"select * from {relation} limit 0").description
        named = sorted(c[0] for c in columns if c[0] in scanned["columns"])
        texts = [f't."{c[0]}"' for c in columns if str(c[1]) == "VARCHAR"]
        found = set()
        if texts:  # every text column of the relation in one scan
            found = {
                row[0]
                for row in con.execute(
                    f"select distinct v.value from (select unnest([{', '.join(texts)}]) as value "
                    f"from {relation} as t) as v join _pii using (value)"
                ).fetchall()
            }
        if named or found:
            findings[name] = (named, sorted(found)[:5])
    return findings


def test_no_pii_in_the_marts_of_the_warehouse_or_the_snapshot(scanned):
    for database in ("warehouse.duckdb", "analytics.duckdb"):
        with duckdb.connect(str(scanned["data_dir"] / database), read_only=True) as con:
            tables = con.execute(
                "select table_schema || '.\"' || table_name || '\"' from information_schema.tables "
                "where table_catalog = current_database() and table_schema = 'marts'"
            ).fetchall()
            assert len(tables) > 10, database
            relations = {t[0]: t[0] for t in tables}
            assert _scan_relations(con, relations, scanned) == {}, database


def test_no_pii_in_the_parquet_snapshot(scanned):
    files = sorted((scanned["data_dir"] / "analytics_parquet").glob("*.parquet"))
    assert len(files) > 10
    with duckdb.connect() as con:
        relations = {f.name: f"read_parquet('{f}')" for f in files}
        assert _scan_relations(con, relations, scanned) == {}


def _text_files(folder: Path) -> list[Path]:
    skip = ("landing", "analytics_parquet")
    return [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part in skip or part.startswith(".analytics_parquet") for part in p.parts)
        and not p.name.startswith(("warehouse.duckdb", "analytics.duckdb", ".analytics.duckdb"))
    ]


def test_no_pii_in_reports_or_logs(scanned):
    data_dir = scanned["data_dir"]
    files = _text_files(data_dir)
    dbt_log = DBT_PROJECT_DIR / "logs" / "dbt.log"
    if dbt_log.exists():
        files.append(dbt_log)
    # The runs left their event log in the data folder (the persistent Dagster instance).
    assert any(p.suffix == ".db" for p in files), sorted(str(p) for p in files)[:20]
    findings = {}
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="ignore")
        found = _hits(text, scanned["tokens"], scanned["names"])
        if found:
            findings[str(path.relative_to(data_dir.parent))] = sorted(found)[:5]
    found = _hits(scanned["console"], scanned["tokens"], scanned["names"])
    if found:
        findings["console output"] = sorted(found)[:5]
    assert findings == {}


def test_the_scan_finds_pii_where_it_is(scanned, tmp_path):
    """The scan is not blind: planted values are found in a table and in a log file."""
    email = sorted(v for v in scanned["tokens"] if "@" in v)[0]
    name = sorted(scanned["names"])[0]
    with duckdb.connect() as con:
        con.execute(f"create table marts_like as select '{email}' as contact, 1 as n")
        assert _scan_relations(con, {"marts_like": "marts_like"}, scanned) == {
            "marts_like": ([], [email])
        }
    log = f"2026-01-01 - dagster - INFO - assigned to {name} ({email})"
    assert _hits(log, scanned["tokens"], scanned["names"]) == {email, name}
