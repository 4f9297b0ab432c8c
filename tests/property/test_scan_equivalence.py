"""The fast paths (lazy scans of clean Parquet and CSV) must give exactly what the reader
gives: the same rows, values, lines and findings. Hypothesis writes clean and nearly clean
files; whichever path ``read_inputs`` takes, the result must equal the reader's."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from helpers import MONTHLY_SPEC_TEXT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankunftsindex.errors import FILE_COL
from ankunftsindex.read import read_extract, read_inputs, spec_columns, to_typed
from ankunftsindex.spec import parse_spec

SPEC = parse_spec(MONTHLY_SPEC_TEXT)

cells = st.one_of(st.integers(0, 99_999).map(str), st.just(""), st.just("."),
                  st.just("1.234"), st.just(" 7"))
rows = st.lists(st.tuples(st.sampled_from(["01", "02", "0815", " 3 "]),
                          st.sampled_from(["Nord", "Süd", "Ost West"]),
                          st.sampled_from(["2025-01", "2025-02", "2025-03"]),
                          cells, cells, st.integers(0, 9).map(str)),
                min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows, sep=st.sampled_from([";", ",", "\t"]), bom=st.booleans(),
       crlf=st.booleans(), trailing_newline=st.booleans())
def test_csv_fast_path_equals_the_reader(rows, sep, bom, crlf, trailing_newline) -> None:
    header = sep.join(["Gebiet", "Name", "Monat", "EW", "Ausl", "Extra"])
    lines = [header] + [sep.join(r) for r in rows]
    end = "\r\n" if crlf else "\n"
    text = end.join(lines) + (end if trailing_newline else "")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        fast, _, fast_findings = read_inputs([path], SPEC)
        _, numeric = spec_columns(SPEC)
        try:
            slow, slow_findings = to_typed(read_extract(path, numeric_columns=numeric), SPEC)
        except Exception as exc:  # the reader refused the file: so must read_inputs
            assert fast is None, exc
            return
        if fast is None:
            assert [f.severity for f in fast_findings if f.severity == "error"]
            return
        plain = fast.with_columns(pl.col(c).cast(pl.String) for c in (FILE_COL, "Name"))
        assert plain.equals(slow)
        assert sorted(f.to_dict().items().__repr__() for f in fast_findings) == sorted(
            f.to_dict().items().__repr__() for f in slow_findings)


@settings(max_examples=40, deadline=None)
@given(rows=rows)
def test_parquet_fast_path_equals_the_reader(rows) -> None:
    frame = pl.DataFrame({
        "Gebiet": [r[0] for r in rows], "Name": [r[1] for r in rows],
        "Monat": [r[2] for r in rows],
        "EW": [int(r[3]) if r[3].isdigit() else None for r in rows],
        "Ausl": [int(r[4]) if r[4].isdigit() else None for r in rows]},
        schema={"Gebiet": pl.String, "Name": pl.String, "Monat": pl.String,
                "EW": pl.Int64, "Ausl": pl.Int64})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.parquet"
        frame.write_parquet(path)
        fast, _, fast_findings = read_inputs([path], SPEC)
        _, numeric = spec_columns(SPEC)
        slow, slow_findings = to_typed(read_extract(path, numeric_columns=numeric), SPEC)
        plain = fast.with_columns(pl.col(c).cast(pl.String) for c in (FILE_COL, "Name"))
        assert plain.equals(slow)
        assert [f.to_dict() for f in fast_findings] == [f.to_dict() for f in slow_findings]
