"""Fuzzing `compute` with mangled CSV bytes: whatever the input, the command ends with a
documented exit code (0, 3 or 4; never 70 or an uncaught exception), prints no
traceback, explains a failure with an `error[...]` line and leaves the previous output
as it was; when it succeeds, the output is a readable Parquet file with every column.

The base is the clean extract of the broken-input corpus (tests/data/broken/clean.csv,
4 areas x 3 months) and its small spec; hypothesis deletes, inserts and replaces bytes
(separators, quotes, line ends, NUL, '.', '-', bytes that are not UTF-8), truncates,
swaps columns and duplicates lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ankunftsindex.cli import app

CORPUS = Path(__file__).resolve().parents[1] / "data" / "broken"
BASE = (CORPUS / "clean.csv").read_bytes()
SPEC = CORPUS / "spec.yaml"
PREVIOUS = b"previous output: must stay byte-identical after a failed run\n"
INDICATORS = ["intl_inflow", "foreign_share", "fluctuation", "sgb2_share"]
COLUMNS = {"area", "name", "period", "population", "status", *INDICATORS,
           *(f"arrival_{i}_score" for i in INDICATORS), "arrival", "arrival_rank",
           "arrival_class", "typ"}

runner = CliRunner()

# bytes that matter to a CSV reader: separators, quotes, line ends, NUL, number marks,
# statistical symbols, cp1252/latin-1 bytes, broken UTF-8 sequences, BOMs, U+202F, U+FFFD
NASTY = [b";", b",", b'"', b"\n", b"\r", b"\r\n", b"\t", b"\x00", b".", b"-", b" ", b"x",
         b"e", b"9", b"0", b"\xfc", b"\x81", b"\xff", b"\xc3", b"\xe2\x80", b"\xef\xbb\xbf",
         b"\xff\xfe", b"\xe2\x80\xaf", b"\xef\xbf\xbd", b"nan", b"inf", b"1.000", b"1,5"]

position = st.integers(min_value=0, max_value=10_000)
operation = st.one_of(
    st.tuples(st.just("delete"), position, st.integers(1, 4)),
    st.tuples(st.just("insert"), position, st.sampled_from(NASTY)),
    st.tuples(st.just("replace"), position, st.sampled_from(NASTY)),
    st.tuples(st.just("truncate"), position),
    st.tuples(st.just("swap_columns"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("swap_names"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("duplicate_line"), st.integers(0, 12)),
    st.tuples(st.just("delete_line"), st.integers(0, 12)),
)


def mangle(data: bytes, operations: list[tuple]) -> bytes:
    """Apply the operations in turn; positions wrap around the current length."""
    for op, *arg in operations:
        n = max(len(data), 1)
        if op == "delete":
            i = arg[0] % n
            data = data[:i] + data[i + arg[1]:]
        elif op == "insert":
            i = arg[0] % (n + 1)
            data = data[:i] + arg[1] + data[i:]
        elif op == "replace":
            i = arg[0] % n
            data = data[:i] + arg[1] + data[i + 1:]
        elif op == "truncate":
            data = data[: arg[0] % n]
        elif op in ("swap_columns", "swap_names"):
            lines = data.split(b"\n")
            a, b = arg
            # whole columns (a valid file with another column order) or the names only
            for k, line in enumerate(lines[:1] if op == "swap_names" else lines):
                cells = line.split(b";")
                if max(a, b) < len(cells):
                    cells[a], cells[b] = cells[b], cells[a]
                    lines[k] = b";".join(cells)
            data = b"\n".join(lines)
        elif op in ("duplicate_line", "delete_line"):
            lines = data.split(b"\n")
            i = arg[0] % len(lines)
            lines[i:i + 1] = [lines[i]] * (2 if op == "duplicate_line" else 0)
            data = b"\n".join(lines)
    return data


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=4))
@example(operations=[("truncate", 10_000)])  # the clean file itself: exit 0
@example(operations=[("insert", 200, b"\x00")])
@example(operations=[("replace", 5, b'"')])
@example(operations=[("truncate", 1)])
@example(operations=[("duplicate_line", 3)])
@example(operations=[("swap_columns", 3, 5)])
@example(operations=[("insert", 300, b"\xff")])
@example(operations=[("insert", 0, b"\r")])  # a CR in the header line
@example(operations=[("swap_names", 0, 2)])  # ID and period columns named the wrong way
def test_mangled_csv_never_crashes(operations: list[tuple], tmp_path: Path) -> None:
    data = mangle(BASE, operations)
    extract = tmp_path / "extract.csv"
    extract.write_bytes(data)
    out = tmp_path / "out.parquet"
    out.write_bytes(PREVIOUS)

    result = runner.invoke(app, ["compute", str(extract), "--spec", str(SPEC),
                                 "-o", str(out)])

    detail = f"input {data!r}\nexit {result.exit_code}\nstderr:\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{detail}\nexception: {result.exception!r}")
    assert result.exit_code in (0, 3, 4), detail
    assert "Traceback (most recent call last)" not in result.stdout + result.stderr, detail
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n for n in names if n.startswith(".out.parquet.")] == [], names
    if result.exit_code != 0:
        assert re.search(r"^error\[[a-z0-9-]+\]", result.stderr, re.M), detail
        assert out.read_bytes() == PREVIOUS, detail
        assert names == ["extract.csv", "out.parquet"], names
    else:
        frame = pl.read_parquet(out)
        assert set(frame.columns) == COLUMNS, frame.columns
        assert frame.height > 0
        assert frame.schema["area"] == pl.String
        assert names == ["extract.csv", "out.parquet"], names
