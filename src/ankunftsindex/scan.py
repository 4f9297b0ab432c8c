"""A fast path for clean Parquet input: one lazy scan of only the spec's columns.

:func:`read.load_input` reads every file whole and looks at every cell so that it can say
what is wrong with a bad one. Parquet files whose spec columns are all there and numeric
where numbers are expected need none of that: they are scanned lazily (projection
pushdown: only the spec's columns are read), cast and concatenated in one collect, with
the file as a categorical (not a text per row) and the line number as the reader gives it.

Whenever the fast path is not sure, it steps aside (returns ``None``) and the reader
runs: a CSV file, a file given twice, a broken or incomplete file, a missing column, text
where numbers belong, or a NaN/infinity in the data. So every error and finding keeps
the reader's wording, file, line, column and value.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .errors import FILE_COL, LINE_COL
from .read import Extract, file_sha256, spec_columns
from .spec import Spec

PARQUET = (".parquet", ".pq")


def scan_parquet_inputs(
    paths: list[str | Path] | list[Path], spec: Spec, *, decimal: str | None = None
) -> tuple[pl.DataFrame, list[Extract]] | None:
    """The input as :func:`read.load_input` would return it, or ``None`` when the reader
    must look (see the module doc)."""
    files = [Path(p) for p in paths]
    if not files or any(p.suffix.lower() not in PARQUET or not p.is_file() for p in files):
        return None
    if len({p.resolve() for p in files}) != len(files):
        return None
    text, numeric = spec_columns(spec)
    scans: list[pl.LazyFrame] = []
    floats: set[str] = set()
    for p in files:
        try:
            schema = pl.scan_parquet(p).collect_schema()
        except Exception:  # broken file: the reader says what is wrong
            return None
        if any(c not in schema for c in [*text, *numeric]):
            return None
        if any(not schema[c].is_numeric() for c in numeric):
            return None
        floats |= {c for c in numeric if schema[c].is_float()}
        scans.append(
            pl.scan_parquet(p).with_row_index(LINE_COL, offset=1).select(
                pl.lit(str(p), pl.Categorical).alias(FILE_COL),
                pl.col(LINE_COL),
                *[pl.col(c).cast(pl.String).str.strip_chars() for c in text],
                *[pl.col(c).cast(pl.Float64) for c in numeric],
            ))
    try:
        frame = pl.concat(scans, how="vertical_relaxed").collect()
    except Exception:  # e.g. a truncated file that only fails when read
        return None
    if floats and frame.select(
            pl.any_horizontal(~pl.col(sorted(floats)).is_finite().fill_null(True)).any()
    ).item():
        return None
    extracts = [Extract(p, file_sha256(p), frame.clear(), "parquet", None, decimal or ".")
                for p in files]
    return frame, extracts
