"""Invariants of explain and sensitivity on random data: contributions add up to the
index for every method and aggregation; sensitivity's nominal run reproduces the
pipeline; scaling all weights changes no sensitivity result."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ankunftsindex.errors import InputError
from ankunftsindex.explain import add_contributions, contribution_column
from ankunftsindex.pipeline import compute_frame
from ankunftsindex.sensitivity import Settings, sensitivity
from ankunftsindex.spec import parse_spec

METHODS = ["zscore", "robust_zscore", "minmax", "percentile", "rank", "none"]


def make(n: int, k: int, method: str, aggregate: str, standardise: bool, ddof: int,
         weights: list[float], seed: int) -> tuple[pl.DataFrame, object]:
    ids = [f"i{j}" for j in range(k)]
    w = ", ".join(f"{i}: {weights[j]}" for j, i in enumerate(ids))
    inds = "\n".join(f"  {i}: {{column: C{j}}}" for j, i in enumerate(ids))
    spec = parse_spec(f"""\
spec_version: 1
input: {{area: g, population: p}}
indicators:
{inds}
indices:
  idx:
    weights: {{{w}}}
    normalise: {method}
    ddof: {ddof}
    aggregate: {aggregate}
    standardise: {str(standardise).lower()}
    classes: [{{label: hi, from: 0}}, {{label: lo, to: 0}}]
""")
    rng = np.random.default_rng(seed)
    raw = pl.DataFrame({"g": [f"{a:03d}" for a in range(n)], "p": [1.0] * n,
                        **{f"C{j}": rng.normal(size=n) * 10 for j in range(k)}})
    try:
        out, _ = compute_frame(raw, spec)
    except InputError:
        assume(False)
    return out, spec


@given(n=st.integers(3, 40), k=st.integers(1, 4), method=st.sampled_from(METHODS),
       aggregate=st.sampled_from(["mean", "sum"]), standardise=st.booleans(),
       ddof=st.sampled_from([0, 1]),
       weights=st.lists(st.floats(0.1, 10), min_size=4, max_size=4),
       seed=st.integers(0, 2**16))
@settings(max_examples=40, deadline=None)
def test_contributions_add_up_to_the_index(n: int, k: int, method: str, aggregate: str,
                                           standardise: bool, ddof: int,
                                           weights: list[float], seed: int) -> None:
    out, spec = make(n, k, method, aggregate, standardise, ddof, weights, seed)
    f = add_contributions(out, spec, "idx")
    parts = [contribution_column("idx", f"i{j}") for j in range(k)]
    total = f.select(pl.sum_horizontal(parts)).to_series().to_numpy()
    index = f["idx"].to_numpy()
    assert np.allclose(total, index, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(index).max()))


@given(n=st.integers(3, 40), k=st.integers(1, 4), method=st.sampled_from(METHODS),
       aggregate=st.sampled_from(["mean", "sum"]), standardise=st.booleans(),
       ddof=st.sampled_from([0, 1]),
       weights=st.lists(st.floats(0.1, 10), min_size=4, max_size=4),
       seed=st.integers(0, 2**16), factor=st.sampled_from([0.5, 2.0, 4.0]))
@settings(max_examples=25, deadline=None)
def test_sensitivity_nominal_and_weight_scale(n: int, k: int, method: str, aggregate: str,
                                              standardise: bool, ddof: int,
                                              weights: list[float], seed: int,
                                              factor: float) -> None:
    out, spec = make(n, k, method, aggregate, standardise, ddof, weights, seed)
    s = Settings(runs=30, seed=seed, vary=("weights", "ddof"), methods=(method,))
    a = sensitivity(out, spec, "idx", None, s)
    assert a.info["nominal_reproduced"]
    if aggregate == "mean" or standardise:
        # only the ratios of the weights matter: weights scaled by a power of two (exact
        # in floating point) give the same ranks and classes
        scaled, spec2 = make(n, k, method, aggregate, standardise, ddof,
                             [w * factor for w in weights], seed)
        b = sensitivity(scaled, spec2, "idx", None, s)
        cols = ["area", "rank", "rank_median", "rank_p05", "rank_p95", "share_nominal_class"]
        assert a.areas.select(cols).equals(b.areas.select(cols))
