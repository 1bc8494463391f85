"""The loader keeps every record: rows in = rows loaded + rows quarantined, with reasons."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import Column, Extract
from orchestration.ingest.loader import load_partitions


def _extract(fmt: str) -> Extract:
    def col(name: str, data_type: str, tier: str = "primary") -> Column:
        return Column(name=name, data_type=data_type, tier=tier, pii=False, json_path=f"$.{name}")

    return Extract(
        source="shop",
        name="orders",
        identifier=f"shop__orders_{fmt}",
        schema="raw",
        landing_path=f"shop/orders_{{date}}.{fmt}",
        format=fmt,
        partitioning="daily",
        cadence="daily",
        primary_key=("id",),
        event_time="ordered_at",
        accuracy_domain="financial",
        columns=(
            col("id", "bigint", "critical"),
            col("amount", "double"),
            col("ordered_at", "timestamp"),
            col("paid", "boolean"),
        ),
    )


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _counts(con, table: str) -> tuple[int, int]:
    loaded = con.execute(f"select count(*) from {table}").fetchone()[0]
    quarantined = con.execute("select count(*) from raw.quarantine").fetchone()[0]
    return loaded, quarantined


def test_csv_bad_rows_are_quarantined_with_line_and_reason(tmp_path, con):
    extract = _extract("csv")
    _write(
        tmp_path / "shop/orders_2025-01-01.csv",
        "id,amount,ordered_at,paid\n"
        "1,10.5,2025-01-01 10:00:00,true\n"  # good
        "2,abc,2025-01-01 10:00:00,false\n"  # line 3: amount is not a number
        "3,7,2025-01-02 00:00:00,false\n"  # good
        "4,5\n"  # line 5: truncated row
        "5,6,2025-01-01 11:00:00,true,extra\n"  # line 6: one field too many
        ",6,2025-01-01 11:00:00,true\n",  # line 7: no primary key
    )
    [result] = load_partitions(con, extract, tmp_path, ["2025-01-01"])
    # 6 records: ids 1 and 3 load, lines 3, 5, 6 and 7 are quarantined.
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (6, 2, 4)
    assert con.execute(f"select id from {extract.raw_table} order by id").fetchall() == [(1,), (3,)]
    rows = con.execute(
        "select line_number, reason from raw.quarantine order by line_number nulls last"
    ).fetchall()
    assert [r[0] for r in rows] == [3, 5, 6, None]
    assert "CAST" in rows[0][1] and "amount" in rows[0][1]
    assert "MISSING COLUMNS" in rows[1][1]
    assert "TOO MANY COLUMNS" in rows[2][1]
    assert rows[3][1] == "primary key id is missing"


def test_csv_columns_are_matched_by_header_name(tmp_path, con):
    extract = _extract("csv")
    _write(
        tmp_path / "shop/orders_2025-01-01.csv",
        "paid,ordered_at,id,amount\ntrue,2025-01-01 10:00:00,1,10.5\n",
    )
    load_partitions(con, extract, tmp_path, ["2025-01-01"])
    assert con.execute(f"select id, amount, paid from {extract.raw_table}").fetchall() == [
        (1, 10.5, True)
    ]


def test_csv_with_wrong_columns_is_quarantined_line_by_line(tmp_path, con):
    extract = _extract("csv")
    _write(tmp_path / "shop/orders_2025-01-01.csv", "id,total\n1,10\n2,20\n")
    [result] = load_partitions(con, extract, tmp_path, ["2025-01-01"])
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 0, 2)
    reasons = con.execute("select distinct reason from raw.quarantine").fetchall()
    assert len(reasons) == 1 and reasons[0][0].startswith("WrongColumnsError")
    assert "['amount', 'ordered_at', 'paid']" in reasons[0][0]


def test_csv_invalid_utf8_row_is_quarantined_and_the_rest_loads(tmp_path, con):
    extract = _extract("csv")
    _write(
        tmp_path / "shop/orders_2025-01-01.csv",
        b"id,amount,ordered_at,paid\n1,1,2025-01-01 10:00:00,true\n2,\xff\xfe,2025-01-01,true\n",
    )
    [result] = load_partitions(con, extract, tmp_path, ["2025-01-01"])
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)


def test_jsonl_bad_lines_are_quarantined(tmp_path, con):
    extract = _extract("jsonl")
    lines = [
        json.dumps({"id": 1, "amount": 2.5, "ordered_at": "2025-01-01 10:00:00", "paid": True}),
        '{"id": 2, "amount": ',  # line 2: malformed JSON
        json.dumps({"id": 3, "amount": "lots"}),  # line 3: amount not a double
        "[1, 2]",  # line 4: not an object
        json.dumps({"amount": 1}),  # line 5: no key
        "",  # line 6: empty line inside the file
        json.dumps({"id": 7, "extra": "ignored"}),  # line 7: good, unknown keys ignored
    ]
    _write(tmp_path / "shop/orders_2025-01-01.jsonl", "\n".join(lines) + "\n")
    [result] = load_partitions(con, extract, tmp_path, ["2025-01-01"])
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (7, 2, 5)
    reasons = dict(con.execute("select line_number, reason from raw.quarantine").fetchall())
    assert reasons == {
        2: "malformed JSON",
        3: "column amount: lots is not double",
        4: "not a JSON object",
        5: "primary key id is missing",
        6: "empty line",
    }
    assert con.execute(f"select _line from {extract.raw_table} order by 1").fetchall() == [
        (1,),
        (7,),
    ]


def test_jsonl_bad_encoding_rejects_only_that_file(tmp_path, con):
    extract = _extract("jsonl")
    _write(tmp_path / "shop/orders_2025-01-01.jsonl", '{"id": 1}\n')
    _write(tmp_path / "shop/orders_2025-01-02.jsonl", b'{"id": 2, "x": "\xff"}\n')
    results = load_partitions(con, extract, tmp_path, ["2025-01-01", "2025-01-02"])
    assert [(r.partition_key, r.status) for r in results] == [
        ("2025-01-01", "loaded"),
        ("2025-01-02", "rejected"),
    ]
    assert "BadEncodingError" in results[1].message
    assert _counts(con, extract.raw_table) == (1, 1)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_reloading_partitions_is_idempotent(tmp_path, con, fmt):
    extract = _extract(fmt)
    header = "id,amount,ordered_at,paid\n" if fmt == "csv" else ""
    for day, ids in (("2025-01-01", (1, 2)), ("2025-01-02", (3,))):
        if fmt == "csv":
            body = "".join(f"{i},1.0,{day} 09:00:00,true\n" for i in ids)
        else:
            body = "".join(json.dumps({"id": i, "amount": 1.0}) + "\n" for i in ids)
        _write(tmp_path / f"shop/orders_{day}.{fmt}", header + body)
    days = ["2025-01-01", "2025-01-02"]
    load_partitions(con, extract, tmp_path, days)
    first = con.execute(f"select * exclude (_loaded_at) from {extract.raw_table} order by id")
    first = first.fetchall()
    load_partitions(con, extract, tmp_path, days)
    load_partitions(con, extract, tmp_path, ["2025-01-02"])
    again = con.execute(f"select * exclude (_loaded_at) from {extract.raw_table} order by id")
    assert again.fetchall() == first
    assert len(first) == 3


def test_missing_empty_and_duplicate_deliveries_are_named(tmp_path, con):
    extract = _extract("jsonl")
    _write(tmp_path / "shop/orders_2025-01-01.jsonl", '{"id": 1}\n')
    _write(tmp_path / "shop/orders_2025-01-02.jsonl", '{"id": 1}\n')  # same bytes again
    _write(tmp_path / "shop/orders_2025-01-03.jsonl", "")
    load_partitions(con, extract, tmp_path, ["2025-01-01"])
    results = load_partitions(con, extract, tmp_path, ["2025-01-02", "2025-01-03", "2025-01-04"])
    assert [(r.partition_key, r.status) for r in results] == [
        ("2025-01-02", "duplicate"),
        ("2025-01-03", "empty"),
        ("2025-01-04", "missing"),
    ]
    assert results[0].message.startswith("DuplicateDelivery: same bytes as shop/orders_2025-01-01")
    assert results[1].message.startswith("EmptyExtract")
    assert results[2].message.startswith("MissingExtract")
    assert _counts(con, extract.raw_table) == (1, 0)


def test_duplicate_delivery_inside_one_backfill_is_skipped(tmp_path, con):
    extract = _extract("jsonl")
    _write(tmp_path / "shop/orders_2025-01-01.jsonl", '{"id": 1}\n{"id": 2}\n')
    _write(tmp_path / "shop/orders_2025-01-02.jsonl", '{"id": 1}\n{"id": 2}\n')
    results = load_partitions(con, extract, tmp_path, ["2025-01-01", "2025-01-02"])
    assert [(r.partition_key, r.status, r.rows_loaded) for r in results] == [
        ("2025-01-01", "loaded", 2),
        ("2025-01-02", "duplicate", 0),
    ]
    assert _counts(con, extract.raw_table) == (2, 0)


def test_header_only_csv_days_are_not_duplicates_of_each_other(tmp_path, con):
    extract = _extract("csv")
    for day in ("2025-01-01", "2025-01-02"):
        _write(tmp_path / f"shop/orders_{day}.csv", "id,amount,ordered_at,paid\n")
    results = load_partitions(con, extract, tmp_path, ["2025-01-01", "2025-01-02"])
    assert [(r.status, r.rows_in) for r in results] == [("loaded", 0), ("loaded", 0)]
