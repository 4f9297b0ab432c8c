"""``derive(..., keep=...)`` computes indicators only for the kept rows, but windows and
lags must still see every row: on random panels with gaps, the kept rows equal the rows
of the full derivation filtered afterwards."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from ankunftsindex.derive import P, derive, number_rows, standardise_columns
from ankunftsindex.read import spec_columns
from ankunftsindex.spec import parse_spec

SPEC = parse_spec("""\
spec_version: 1
input: {area: g, period: m, population: ew}
window: 3
indicators:
  share: {numerator: a, per: 100}
  inflow: {numerator: z, type: flow, per: 1000}
  inflow_change: {change_of: inflow, lag: 2}
  change_change: {change_of: inflow_change, lag: 1}
  share_change: {change_of: share, lag: 4}
indices:
  i: {weights: {share: 1}, classes: [{label: alle}]}
""", "keep.yaml")

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.sampled_from(["01", "02", "03"]), st.sampled_from(MONTHS),
                                st.integers(0, 500), st.integers(0, 50)),
                      min_size=1, max_size=30, unique_by=lambda c: (c[0], c[1])),
       kept=st.sets(st.sampled_from(MONTHS), min_size=1), presorted=st.booleans())
def test_kept_rows_equal_the_full_derivation_filtered(cells, kept, presorted) -> None:
    if presorted:
        cells = sorted(cells)
    frame = pl.DataFrame({"g": [c[0] for c in cells], "m": [c[1] for c in cells],
                          "ew": [1000.0] * len(cells), "a": [float(c[2]) for c in cells],
                          "z": [float(c[3]) for c in cells]})
    _, numeric = spec_columns(SPEC)
    keyed = number_rows(standardise_columns(frame.lazy(), SPEC, numeric), presorted=presorted)
    numbers = [int(m[:4]) * 12 + int(m[5:]) - 1 for m in kept]
    full = derive(keyed, SPEC).collect().filter(pl.col(P).is_in(numbers))
    only = derive(keyed, SPEC, keep=pl.col(P).is_in(numbers)).collect()
    assert_frame_equal(only, full)
    assert only.height == sum(c[1] in kept for c in cells)
