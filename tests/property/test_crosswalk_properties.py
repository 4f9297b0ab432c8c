"""Crosswalk property: splitting and merging areas by any weights keeps the city-wide
total of every count in every period (checked against plain Python sums)."""

from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ankunftsindex.crosswalk import Crosswalk, apply_crosswalk
from ankunftsindex.spec import parse_spec

SPEC = parse_spec("""
spec_version: 1
input: {area: gebiet, period: monat, population: ew}
window: 2
indicators:
  share: {numerator: ausl, per: 100}
  inflow: {numerator: [zuz, fort], per: 1000, type: flow}
  poor: {numerator: sgb, denominator: ew_u65, per: 100}
indices: {a: {weights: {share: 1, inflow: 1, poor: 1}, classes: [{label: alle}]}}
""")
COUNTS = ["ew", "ausl", "zuz", "fort", "sgb", "ew_u65"]
MONTHS = ["2025-01", "2025-02", "2025-03"]
NEW_IDS = [f"N{i}" for i in range(6)]

count = st.integers(0, 50_000)


@st.composite
def layouts(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Old areas with counts per month, and a crosswalk that splits each old area into
    one to three of a few new areas (so that new areas also merge old ones)."""
    n_old = draw(st.integers(1, 8))
    rows = []
    for i in range(n_old):
        for month in MONTHS:
            rows.append({"gebiet": f"{i:08d}", "monat": month,
                         **{c: float(draw(count)) for c in COUNTS}})
    walk = []
    for i in range(n_old):
        targets = draw(st.lists(st.sampled_from(NEW_IDS), min_size=1, max_size=3, unique=True))
        raw_weights = [draw(st.integers(1, 1000)) for _ in targets]
        total = sum(raw_weights)
        walk += [{"old_id": f"{i:08d}", "new_id": t, "weight": w / total}
                 for t, w in zip(targets, raw_weights, strict=True)]
    return pl.DataFrame(rows), pl.DataFrame(walk)


@settings(max_examples=60, deadline=None)
@given(layout=layouts())
def test_city_wide_totals_of_every_count_are_kept(layout: tuple[pl.DataFrame, pl.DataFrame]
                                                   ) -> None:
    raw, walk = layout
    mapped, warnings = apply_crosswalk(raw, SPEC, Crosswalk.from_frame(walk))
    assert warnings == []
    assert set(mapped["gebiet"]) == set(walk["new_id"])
    for month in MONTHS:
        before = [r for r in raw.to_dicts() if r["monat"] == month]
        after = [r for r in mapped.to_dicts() if r["monat"] == month]
        for c in COUNTS:
            expected = math.fsum(r[c] for r in before)
            assert math.isclose(math.fsum(r[c] for r in after), expected,
                                rel_tol=1e-9, abs_tol=1e-6), (month, c)
