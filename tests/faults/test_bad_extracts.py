"""A corpus of bad extracts: each kind gets its named error or quarantine rows with a reason, the
other days of the same batch load in full, and accounting holds (rows in = loaded + quarantined,
in the load results and in the tables).

Each case copies five generated days of one real extract of the contract, damages the middle day
(2025-03-05) and loads the five days as one batch. `n` below is the damaged day's clean record
count, measured on the undamaged copy; the expected figures are written in terms of it.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import Extract, get_extract
from orchestration.extracts.generate import GenerateOptions, generate
from orchestration.ingest.loader import LoadResult, load_partitions
from orchestration.sensors import unknown_files

DAYS = ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07"]
BAD_DAY = "2025-03-05"
CSV, JSONL = "support__tickets", "stripe__charges"
# One appended ticket row, valid except where a case damages it (13 fields, like the header).
TICKET = (
    "T9999999,C0000001,email,billing,false,client,E00001,new,"
    "2025-03-05 10:00:00,,,,2025-03-06 10:00:00"
)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("corpus") / "landing"
    options = GenerateOptions(
        0.05, 7, date(2025, 3, 3), date(2025, 3, 7), False, "America/New_York"
    )
    generate(landing, options, show_progress=False)
    return landing


@pytest.fixture(scope="module")
def clean_counts(base) -> dict[str, dict[str, int]]:
    """Rows loaded per day from the undamaged files, per extract used below."""
    counts = {}
    for identifier in (CSV, JSONL, "dialer__calls"):
        con = duckdb.connect()
        results = load_partitions(con, get_extract(identifier), base, DAYS)
        assert all(r.rows_quarantined == 0 and r.status == "loaded" for r in results)
        counts[identifier] = {r.partition_key: r.rows_loaded for r in results}
        con.close()
    # The cases need records on the damaged day and on the others.
    assert all(counts[i][BAD_DAY] >= 3 for i in counts), counts
    return counts


def _lines(data: bytes) -> list[bytes]:
    return data.rstrip(b"\n").split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def _append(text: str) -> Callable[[bytes], bytes]:
    return lambda data: data + text.encode() + b"\n"


def _every_other_crlf(data: bytes) -> bytes:
    return _join([line + (b"\r" if i % 2 else b"") for i, line in enumerate(_lines(data))])


def _extra_column(data: bytes) -> bytes:
    lines = _lines(data)
    return _join([lines[0] + b",coupon_code", *(line + b",SPRING" for line in lines[1:])])


def _drop_last_column(data: bytes) -> bytes:
    return _join([b",".join(line.split(b",")[:-1]) for line in _lines(data)])


def _repeat_first_column(data: bytes) -> bytes:
    lines = _lines(data)
    return _join([lines[0] + b",ticket_id", *(line + b",T0" for line in lines[1:])])


@dataclass(frozen=True)
class Case:
    """A damage to the bad day's file and what the loader must make of it (n = clean count)."""

    identifier: str
    damage: Callable[[bytes], bytes]
    status: str
    rows_in: Callable[[int], int]
    loaded: Callable[[int], int]
    quarantined: Callable[[int], int]
    reason: str  # a fragment of every quarantine reason (or of the load-log message)


CASES = {
    # Truncated transfer: the last record lost its last 25 bytes and its newline.
    "truncated_line_csv": Case(CSV, lambda d: d.rstrip(b"\n")[:-25], "loaded",
                               lambda n: n, lambda n: n - 1, lambda n: 1, "MISSING COLUMNS"),
    "truncated_line_jsonl": Case(JSONL, lambda d: d.rstrip(b"\n")[:-25], "loaded",
                                 lambda n: n, lambda n: n - 1, lambda n: 1, "malformed JSON"),
    "bad_json": Case(JSONL, _append('{"id": "ch_x", "amount": 12,,}'), "loaded",
                     lambda n: n + 1, lambda n: n, lambda n: 1, "malformed JSON"),
    "json_not_an_object": Case(JSONL, _append('["ch_x", 12]'), "loaded",
                               lambda n: n + 1, lambda n: n, lambda n: 1, "not a JSON object"),
    # Semicolons: the header is one unknown column, so every contract column is missing.
    "wrong_delimiter": Case(CSV, lambda d: d.replace(b",", b";"), "loaded",
                            lambda n: n, lambda n: 0, lambda n: n, "WrongColumnsError"),
    "extra_column": Case(CSV, _extra_column, "loaded", lambda n: n, lambda n: n, lambda n: 0,
                         "ignored column(s) not in the contract: ['coupon_code']"),
    "missing_column": Case(CSV, _drop_last_column, "loaded", lambda n: n, lambda n: 0,
                           lambda n: n, "WrongColumnsError"),
    "repeated_column": Case(CSV, _repeat_first_column, "loaded", lambda n: n, lambda n: 0,
                            lambda n: n, "header repeats column(s) ['ticket_id']"),
    "utf8_bom_csv": Case(CSV, lambda d: b"\xef\xbb\xbf" + d, "loaded",
                         lambda n: n, lambda n: n, lambda n: 0, ""),
    "utf8_bom_jsonl": Case(JSONL, lambda d: b"\xef\xbb\xbf" + d, "loaded",
                           lambda n: n, lambda n: n, lambda n: 0, ""),
    # One Latin-1 byte in a CSV value: that row only; in JSON lines the file cannot be split.
    "latin1_value_csv": Case(CSV, lambda d: d + TICKET.replace("billing", "factura\xe9")
                             .encode("latin-1") + b"\n", "loaded", lambda n: n + 1,
                             lambda n: n, lambda n: 1, "INVALID ENCODING"),
    "latin1_jsonl": Case(JSONL, lambda d: d.replace(b'"usd"', '"usd\xe9"'.encode("latin-1"), 1),
                         "rejected", lambda n: 1, lambda n: 0, lambda n: 1, "BadEncodingError"),
    "utf16_csv": Case(CSV, lambda d: d.decode().encode("utf-16"), "rejected",
                      lambda n: 1, lambda n: 0, lambda n: 1, "BadEncodingError"),
    "empty_file": Case(CSV, lambda d: b"", "empty", lambda n: 0, lambda n: 0, lambda n: 0,
                       "EmptyExtract"),
    # A day without records is legitimate: it loads as zero rows (completeness judges it).
    "header_only": Case(CSV, lambda d: _lines(d)[0] + b"\n", "loaded",
                        lambda n: 0, lambda n: 0, lambda n: 0, ""),
    "type_error": Case(CSV, _append(TICKET.replace(",false,", ",maybe,")), "loaded",
                       lambda n: n + 1, lambda n: n, lambda n: 1, "CAST (is_complaint)"),
    "date_wrong_format_csv": Case(CSV, _append(TICKET.replace("2025-03-05 10:00:00",
                                                              "05/03/2025 10:00")),
                                  "loaded", lambda n: n + 1, lambda n: n, lambda n: 1,
                                  "CAST (created_at)"),
    "date_wrong_format_jsonl": Case(JSONL, _append('{"id": "ch_x", "created": "2025-03-05"}'),
                                    "loaded", lambda n: n + 1, lambda n: n, lambda n: 1,
                                    "column created: 2025-03-05 is not bigint"),
    "huge_line": Case(CSV, _append(TICKET.replace("billing", "x" * 3_000_000)), "loaded",
                      lambda n: n + 1, lambda n: n, lambda n: 1, "LINE SIZE OVER MAXIMUM"),
    "nul_byte_csv": Case(CSV, _append(TICKET.replace("billing", "bil\x00ling")), "loaded",
                         lambda n: n + 1, lambda n: n, lambda n: 1,
                         "column category holds a NUL byte"),
    "nul_byte_jsonl": Case(JSONL, _append('{"id": "ch_x", "currency": "u\x00sd"}'), "loaded",
                           lambda n: n + 1, lambda n: n, lambda n: 1, "malformed JSON"),
    "mixed_line_endings_csv": Case(CSV, _every_other_crlf, "loaded", lambda n: n, lambda n: n,
                                   lambda n: 0, "read with strict_mode=false"),
    "mixed_line_endings_jsonl": Case(JSONL, _every_other_crlf, "loaded", lambda n: n,
                                     lambda n: n, lambda n: 0, ""),
    "gzip_by_mistake_csv": Case(CSV, gzip.compress, "rejected", lambda n: 1, lambda n: 0,
                                lambda n: 1, "BadEncodingError"),
    "gzip_by_mistake_jsonl": Case(JSONL, gzip.compress, "rejected", lambda n: 1, lambda n: 0,
                                  lambda n: 1, "BadEncodingError"),
    # Valid RFC 4180: a quoted field spanning two lines is one record and loads.
    "quoted_newline": Case(CSV, _append(TICKET.replace("billing", '"bill\ning"')), "loaded",
                           lambda n: n + 1, lambda n: n + 1, lambda n: 0, ""),
    # DuckDB drops an unterminated final record without a reject: the count catches it and the
    # whole file is quarantined line by line rather than losing a record.
    "unterminated_quote": Case(CSV, _append(TICKET.replace("billing", '"billing')), "loaded",
                               lambda n: n + 1, lambda n: 0, lambda n: n + 1,
                               "UnaccountedRowsError"),
    "too_many_fields": Case(CSV, _append(TICKET + ",surplus"), "loaded", lambda n: n + 1,
                            lambda n: n, lambda n: 1, "TOO MANY COLUMNS"),
    "missing_primary_key": Case(CSV, _append(TICKET.replace("T9999999", "")), "loaded",
                                lambda n: n + 1, lambda n: n, lambda n: 1,
                                "primary key ticket_id is missing"),
    "blank_lines_jsonl": Case(JSONL, lambda d: d.replace(b"\n", b"\n   \n", 1), "loaded",
                              lambda n: n + 1, lambda n: n, lambda n: 1, "empty line"),
}  # fmt: skip


def _copy_days(base: Path, landing: Path, extract: Extract) -> None:
    for day in DAYS:
        target = extract.landing_file(landing, day)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(extract.landing_file(base, day), target)


def _assert_accounting(con: duckdb.DuckDBPyConnection, extract: Extract, results) -> None:
    for result in results:
        assert result.rows_in == result.rows_loaded + result.rows_quarantined, result
    in_tables = con.execute(
        f"select (select count(*) from {extract.raw_table}), "
        "(select count(*) from raw.quarantine where raw_table = ?)",
        [extract.raw_table],
    ).fetchone()
    assert in_tables == (
        sum(r.rows_loaded for r in results),
        sum(r.rows_quarantined for r in results),
    )
    logged = con.execute(
        "select sum(rows_in), sum(rows_loaded), sum(rows_quarantined) from raw.load_log "
        "where raw_table = ?",
        [extract.raw_table],
    ).fetchone()
    assert logged == (
        sum(r.rows_in for r in results),
        sum(r.rows_loaded for r in results),
        sum(r.rows_quarantined for r in results),
    )


def _load(
    base: Path, landing: Path, identifier: str, damage
) -> tuple[duckdb.DuckDBPyConnection, Extract, list[LoadResult]]:
    extract = get_extract(identifier)
    _copy_days(base, landing, extract)
    bad_file = extract.landing_file(landing, BAD_DAY)
    bad_file.write_bytes(damage(bad_file.read_bytes()))
    con = duckdb.connect()
    return con, extract, load_partitions(con, extract, landing, DAYS)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_bad_extract_is_named_or_quarantined_and_the_batch_loads(
    kind, base, clean_counts, tmp_path
):
    case = CASES[kind]
    con, extract, results = _load(base, tmp_path / "landing", case.identifier, case.damage)
    n = clean_counts[case.identifier][BAD_DAY]
    [bad] = [r for r in results if r.partition_key == BAD_DAY]
    assert (bad.status, bad.rows_in, bad.rows_loaded, bad.rows_quarantined) == (
        case.status,
        case.rows_in(n),
        case.loaded(n),
        case.quarantined(n),
    ), bad
    # The other four days load exactly as they would have without the bad file.
    others = {r.partition_key: (r.status, r.rows_loaded, r.rows_quarantined) for r in results}
    del others[BAD_DAY]
    assert others == {
        day: ("loaded", count, 0)
        for day, count in clean_counts[case.identifier].items()
        if day != BAD_DAY
    }
    reasons = [
        row[0]
        for row in con.execute(
            "select reason from raw.quarantine where partition_key = ?", [BAD_DAY]
        ).fetchall()
    ]
    assert len(reasons) == case.quarantined(n)
    assert all(case.reason in reason for reason in reasons), reasons
    if not reasons:
        assert case.reason in bad.message, bad.message
    _assert_accounting(con, extract, results)
    con.close()


def test_the_corpus_covers_at_least_twenty_kinds():
    assert len(CASES) >= 20


def test_duplicate_file_is_named_and_skipped(base, clean_counts, tmp_path):
    """The same bytes delivered for another day are a DuplicateDelivery, not new records."""
    yesterday = get_extract(CSV).landing_file(base, "2025-03-04").read_bytes()
    con, extract, results = _load(base, tmp_path / "landing", CSV, lambda _: yesterday)
    [bad] = [r for r in results if r.partition_key == BAD_DAY]
    assert (bad.status, bad.rows_loaded) == ("duplicate", 0)
    assert bad.message.startswith(
        "DuplicateDelivery: same bytes as support/tickets/tickets_2025-03-04.csv"
    )
    expected = sum(c for day, c in clean_counts[CSV].items() if day != BAD_DAY)
    assert con.execute(f"select count(*) from {extract.raw_table}").fetchone() == (expected,)
    _assert_accounting(con, extract, results)


def test_unknown_file_name_is_named_and_the_batch_loads(base, clean_counts, tmp_path):
    """A file no extract claims is named by the landing sensor and never loaded as data."""
    landing = tmp_path / "landing"
    stray = get_extract(CSV).landing_file(landing, BAD_DAY).with_name("tickets_05-03-2025.csv")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("ticket_id\nT1\n")
    _, _, results = _load(base, landing, CSV, lambda data: data)
    assert unknown_files(landing) == [stray]
    assert [r.rows_loaded for r in results] == [clean_counts[CSV][day] for day in DAYS]


@pytest.mark.parametrize(
    ("identifier", "column", "damage"),
    [
        ("dialer__calls", "duration_s", lambda d: d.replace(b",0,false,", b",99999,false,", 1)),
        ("stripe__charges", "amount", lambda d: d.replace(b'"amount":', b'"amount":-', 1)),
    ],
)
def test_out_of_range_values_load_and_the_contract_range_flags_them(
    identifier, column, damage, base, clean_counts, tmp_path
):
    """Well-typed values outside the contract's min/max are data, not parse errors: they load (so
    the accuracy standard can count them) and the contract's range catches exactly one."""
    con, extract, results = _load(base, tmp_path / "landing", identifier, damage)
    assert sum(r.rows_quarantined for r in results) == 0
    assert sum(r.rows_loaded for r in results) == sum(clean_counts[identifier].values())
    spec = extract.column(column)
    assert spec.min is not None  # the contract declares the range the check reads
    bounds = [f'"{column}" < {spec.min}'] + ([f'"{column}" > {spec.max}'] if spec.max else [])
    out_of_range = con.execute(
        f"select count(*) from {extract.raw_table} where {' or '.join(bounds)}"
    ).fetchone()[0]
    assert out_of_range == 1
