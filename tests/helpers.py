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


#: A spec for small monthly extracts ``Gebiet;Name;Monat;EW;Ausl``: one share, no window.
MONTHLY_SPEC_TEXT = """\
spec_version: 1
input: {area: Gebiet, name: Name, period: Monat, population: EW}
window: 1
indicators:
  foreign_share: {numerator: Ausl, per: 100}
indices:
  arrival:
    weights: {foreign_share: 1}
    classes: [{label: alle}]
"""

#: A cross-section of four areas and a spec with two shares and two classes.
CITY_SPEC_TEXT = """\
spec_version: 1
title: Kleinstadt
input: {area: Gebiet, name: Name, population: Einwohner}
min_population: 100
indicators:
  foreign_share: {numerator: Auslaender, per: 100}
  sgb2_share: {numerator: SGB2, per: 100}
indices:
  arrival:
    weights: {foreign_share: 1, sgb2_share: 1}
    classes:
      - {label: hoch, from: 0}
      - {label: niedrig, to: 0}
"""
CITY_CSV = """\
Gebiet;Name;Einwohner;Auslaender;SGB2
01;Altstadt;1000;100;50
02;Neustadt;2000;400;100
03;Südvorstadt;1000;300;150
04;Hafen;500;200;75
"""
