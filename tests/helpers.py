"""Shared test helpers: small input frames and cell look-ups."""

from __future__ import annotations

import polars as pl

TEXT = ("gebiet", "name", "monat", "jahr")


def table(header: str, rows: list[tuple]) -> pl.DataFrame:
    """A frame as compute_frame expects it: IDs and periods as text, counts as Float64."""
    cols = header.split()
    return pl.DataFrame({
        c: pl.Series(c, [r[i] for r in rows],
                     dtype=pl.String if c in TEXT else pl.Float64, strict=False)
        for i, c in enumerate(cols)
    })


def cell(out: pl.DataFrame, column: str, area: str, period: str | None = None) -> object:
    """The one value of ``column`` for an area (and period) in an output frame."""
    f = out.filter(pl.col("area") == area)
    if period is not None:
        f = f.filter(pl.col("period") == period)
    assert f.height == 1, f"expected one row for {area} {period}, got {f.height}"
    return f[column][0]
