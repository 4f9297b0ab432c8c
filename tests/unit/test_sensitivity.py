"""sensitivity: nothing varies → no spread; seeds reproduce; the numpy normalisation
reproduces the pipeline for every method; the planted established areas rank narrowly."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ankunftsindex import compute
from ankunftsindex.errors import ComputeError, InputError
from ankunftsindex.pipeline import compute_frame
from ankunftsindex.sensitivity import (
    CHOICES,
    Settings,
    _one_at_a_time,
    _ranks_min,
    draw,
    sensitivity,
)
from ankunftsindex.spec import parse_spec

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def sample() -> object:
    return compute([SAMPLE / "beispielstadt_2021-01_2025-12.csv"], ROOT / "indicators.yaml",
                   periods=["2025-12"])


def planted(kind: str) -> list[str]:
    with open(SAMPLE / "planted.csv", encoding="utf-8") as fh:
        return [r["area"] for r in csv.DictReader(fh, delimiter=";") if r["kind"] == kind]


def run(sample: object, **kw: object) -> object:
    return sensitivity(sample.frame, sample.spec, "arrival", "2025-12", Settings(**kw))


def test_nothing_varies_gives_the_nominal_ranking(sample: object) -> None:
    r = run(sample, runs=50, vary=())
    a = r.areas
    assert r.info["nominal_reproduced"]
    assert (a["rank_p05"] == a["rank"]).all() and (a["rank_p95"] == a["rank"]).all()
    assert (a["rank_median"] == a["rank"].cast(pl.Float64)).all()
    assert (a["rank_interval"] == 0).all()
    assert (a["share_nominal_class"] == 1.0).all()
    assert r.overall_shift == 0.0 and r.overall_class_changed == 0.0
    assert r.choices.height == 0


def test_fixed_weights_give_zero_rank_spread(sample: object) -> None:
    r = run(sample, runs=200, vary=("weights",), weight_range=0.0)
    assert (r.areas["rank_interval"] == 0).all()
    assert (r.areas["share_nominal_class"] == 1.0).all()
    assert r.choices.row(0, named=True)["mean_abs_rank_shift"] == 0.0


def test_same_seed_same_result_other_seed_differs(sample: object) -> None:
    a, b, c = (run(sample, runs=300, seed=s) for s in (7, 7, 8))
    assert a.areas.equals(b.areas) and a.choices.equals(b.choices)
    assert not a.areas.equals(c.areas)
    # only the weights' draws matter for the weights row; other rows are enumerations
    assert a.choices.filter(pl.col("choice") != "weights").equals(
        c.choices.filter(pl.col("choice") != "weights"))


def test_shares_per_class(sample: object) -> None:
    r = run(sample, runs=300)
    shares = r.areas.select(f"share_{c}" for c in r.classes).to_numpy()
    assert ((shares >= 0) & (shares <= 1)).all()
    assert np.allclose(shares.sum(axis=1), 1.0)
    # the share in the nominal class is the nominal class's column
    for row in r.areas.iter_rows(named=True):
        assert row["share_nominal_class"] == row[f"share_{row['class']}"]
    assert [c["choice"] for c in r.choices.to_dicts()] == list(CHOICES)
    assert r.choices.filter(pl.col("choice") == "normalise")["runs"][0] == 3
    assert r.choices.filter(pl.col("choice") == "leave_out")["runs"][0] == 4


def test_planted_established_areas_rank_narrowly(sample: object) -> None:
    """Done-when: under every choice drawn at once, the six established arrival
    neighbourhoods stay in the top ranks: 5–95 % interval at most 5 ranks wide (of 77
    areas, < 7 %), inside the first 10, and always in their class."""
    r = run(sample, runs=1000)
    est = r.areas.filter(pl.col("area").is_in(planted("established")))
    assert est.height == 6
    assert est["rank_interval"].max() <= 5
    assert est["rank_p95"].max() <= 10
    assert est["share_nominal_class"].min() == 1.0
    # the new ones: within ranks 7–10 in 90 % of the runs, always hoch or sehr hoch
    new = r.areas.filter(pl.col("area").is_in(planted("new")))
    assert new.height == 4
    assert new["rank_p05"].min() >= 7 and new["rank_p95"].max() <= 10
    assert ((new["share_sehr hoch"] + new["share_hoch"]) == 1.0).all()
    # most areas move much more than the established ones
    assert r.areas["rank_interval"].median() > est["rank_interval"].max()


@pytest.mark.parametrize("method", ["zscore", "robust_zscore", "minmax", "percentile",
                                    "rank", "none"])
@pytest.mark.parametrize("extra", ["", "ddof: 1", "winsorise: [0.1, 0.9]",
                                   "reference_period: '2024'"])
def test_numpy_path_reproduces_the_pipeline(method: str, extra: str) -> None:
    """The nominal run (numpy) gives the ranks of compute (polars), for every method."""
    spec = parse_spec(f"""\
spec_version: 1
input: {{area: g, period: m, population: p}}
indicators:
  a: {{column: A}}
  b: {{column: B, direction: -1}}
  c: {{column: C}}
indices:
  idx:
    weights: {{a: 2, b: 1, c: 0.5}}
    normalise: {method}
    standardise: true
    {extra}
    classes: [{{label: hi, from: 0.3}}, {{label: lo, to: 0.3}}]
""")
    rng = np.random.default_rng(3)
    n = 40
    raw = pl.DataFrame({
        "g": [f"{k:02d}" for k in range(n)] * 2, "m": ["2024"] * n + ["2025"] * n,
        "p": [1.0] * (2 * n), "A": rng.normal(size=2 * n),
        "B": rng.lognormal(size=2 * n), "C": rng.integers(0, 5, 2 * n).astype(float)})
    out, _ = compute_frame(raw, spec)
    r = sensitivity(out, spec, "idx", "2025", Settings(runs=5, vary=()))
    assert r.info["nominal_reproduced"]
    assert r.info["nominal_max_deviation"] < 1e-12
    # ranks agree except where two index values are equal up to rounding (rank-based
    # scores make exact ties, which the two paths may round apart by one ulp)
    a = r.areas
    values = a["idx"].to_numpy()
    near = (np.abs(values[:, None] - values[None, :]) < 1e-12).sum(axis=1) > 1
    assert (a["rank_median"].to_numpy() == a["rank"].to_numpy())[~near].all()
    assert (a["share_nominal_class"] == 1.0).all()


@given(st.lists(st.integers(-3, 3), min_size=1, max_size=30), st.booleans())
@settings(max_examples=60, deadline=None)
def test_ranks_min_is_polars_rank_min(values: list[int], descending: bool) -> None:
    x = np.array(values, dtype=float)[:, None].repeat(2, axis=1)
    x[:, 1] = -x[:, 1]
    got = _ranks_min(x, descending)
    for j in range(2):
        want = pl.Series(x[:, j]).rank(method="min", descending=descending).to_numpy()
        assert (got[:, j] == want).all()


def test_draws(sample: object) -> None:
    index = sample.spec.indices["arrival"]
    rng = np.random.default_rng(0)
    d = draw(index, Settings(weights="simplex"), ("weights",), 500, rng)
    assert np.allclose(d.weights.sum(axis=1), 4.0) and (d.weights >= 0).all()
    d = draw(index, Settings(weight_range=0.2), ("weights",), 500, rng)
    assert d.weights.min() >= 0.8 and d.weights.max() <= 1.2
    d = draw(index, Settings(), ("leave_out",), 500, rng)
    zeros = (d.weights == 0).sum(axis=1)
    assert set(zeros.tolist()) == {0, 1}  # at most one indicator left out per run
    assert 0.1 < (zeros == 0).mean() < 0.3  # 1 of 5 alternatives keeps all
    d = _one_at_a_time(index, Settings(), "leave_out", rng)
    assert (d.weights == 0).sum(axis=1).tolist() == [1, 1, 1, 1]


def test_unknown_index_and_bad_settings(sample: object) -> None:
    with pytest.raises(InputError) as err:
        sensitivity(sample.frame, sample.spec, "nope", "2025-12", Settings())
    assert err.value.code == "input-unknown-index"
    for bad in ({"vary": ("colour",)}, {"runs": 0}, {"weight_range": 1.5},
                {"methods": ("magic",)}, {"weights": "dice"}, {"winsorise": (0.9, 0.1)}):
        with pytest.raises(ValueError):
            Settings(**bad).check()


def test_default_period_and_missing_reference_period(sample: object) -> None:
    r = sensitivity(sample.frame, sample.spec, "arrival", None, Settings(runs=5, vary=()))
    assert r.period == "2025-12"
    spec = parse_spec("""\
spec_version: 1
input: {area: g, period: m, population: p}
indicators:
  a: {column: A}
  b: {column: B}
indices:
  idx:
    weights: {a: 1, b: 1}
    reference_period: '2024'
    classes: [{label: x}]
""")
    raw = pl.DataFrame({"g": ["1", "2", "3"] * 2, "m": ["2024"] * 3 + ["2025"] * 3,
                        "p": [1.0] * 6, "A": [1.0, 2.0, 4.0, 2.0, 3.0, 1.0],
                        "B": [3.0, 1.0, 2.0, 1.0, 2.0, 5.0]})
    out, _ = compute_frame(raw, spec, periods=["2025"])
    with pytest.raises(InputError) as err:
        sensitivity(out, spec, "idx", "2025", Settings(runs=5))
    assert err.value.code == "compute-too-few-areas"
    assert "2024" in err.value.message


TIE_SPEC = """\
spec_version: 1
input: {area: id, population: pop}
indicators:
  ia: {column: a}
  ib: {column: b}
  ic: {column: c}
indices:
  i:
    weights: {ia: 1, ib: 2, ic: 1.5}
    normalise: percentile
    standardise: true
    classes: [{label: H, from: 0}, {label: L, to: 0}]
"""


def test_areas_with_the_same_aggregate_share_a_rank_in_compute_and_sensitivity() -> None:
    # percentiles of 01 (8, 7, 3) and 02 (7, 9, 1) among 12 areas: by hand the weighted
    # sums are 1·7/11 + 2·6/11 + 1.5·2/11 = 22/11 and 1·6/11 + 2·8/11 + 1.5·0 = 22/11,
    # equal, though summed in floating point they may differ in the last bit
    rows = [(8, 7, 3), (7, 9, 1), (1, 1, 2), (2, 2, 4), (3, 3, 5), (4, 4, 6), (5, 5, 7),
            (6, 6, 8), (9, 8, 9), (10, 10, 10), (11, 11, 11), (12, 12, 12)]
    raw = pl.DataFrame({"id": [f"{k:02d}" for k in range(1, 13)], "pop": [1000.0] * 12,
                        "a": [float(r[0]) for r in rows], "b": [float(r[1]) for r in rows],
                        "c": [float(r[2]) for r in rows]})
    spec = parse_spec(TIE_SPEC)
    out, _ = compute_frame(raw, spec)
    ranks = dict(zip(out["area"], out["i_rank"], strict=True))
    assert ranks["01"] == ranks["02"] == 6
    result = sensitivity(out, spec, "i", None, Settings(runs=20, vary=()))
    assert result.overall_shift == 0.0
    a = result.areas.filter(pl.col("area").is_in(["01", "02"]))
    assert a["rank_median"].to_list() == [6.0, 6.0]


def test_leaving_out_the_only_varying_indicator_is_a_zero_spread_error() -> None:
    # b is the same everywhere: ranked it gives 1, 1, 1, 1, so a run that leaves out a
    # has an aggregate without spread, which cannot be standardised
    spec = parse_spec(TIE_SPEC.replace("  ic: {column: c}\n", "").replace(
        "weights: {ia: 1, ib: 2, ic: 1.5}", "weights: {ia: 1, ib: 1}").replace(
        "normalise: percentile", "normalise: rank"))
    raw = pl.DataFrame({"id": ["01", "02", "03", "04"], "pop": [1000.0] * 4,
                        "a": [7.0, 6.0, 1.0, 2.0], "b": [5.0] * 4, "c": [0.0] * 4})
    out, _ = compute_frame(raw, spec)
    with pytest.raises(ComputeError) as info:
        sensitivity(out, spec, "i", None, Settings(runs=40, vary=("leave_out",)))
    assert info.value.code == "compute-zero-spread"


@pytest.mark.parametrize("runs_per_chunk", [1, 7, 64])
def test_chunks_of_runs_change_no_number(sample: object, monkeypatch: pytest.MonkeyPatch,
                                          runs_per_chunk: int) -> None:
    """The runs are computed a chunk at a time to bound memory; every run stands on its own,
    so any chunk size gives the same tables and summaries as all runs in one chunk."""
    import ankunftsindex.sensitivity as module

    kw = {"runs": 300, "seed": 11, "weights": "simplex"}
    whole = run(sample, **kw)
    areas = whole.areas.height
    monkeypatch.setattr(module, "CHUNK_CELLS", areas * runs_per_chunk)
    assert len(module.chunks(300, areas)) == -(-300 // runs_per_chunk)
    chunked = run(sample, **kw)
    assert chunked.areas.equals(whole.areas)
    assert chunked.choices.equals(whole.choices)
    assert chunked.overall_shift == whole.overall_shift
    assert chunked.overall_class_changed == whole.overall_class_changed


def test_rank_shift_against_numpy() -> None:
    from ankunftsindex.sensitivity import rank_shift

    rng = np.random.default_rng(5)
    ranks = rng.integers(1, 40, (40, 1000)).astype(np.uint32)
    nominal = rng.integers(1, 40, 40)
    shift = np.abs(ranks.astype(np.int64) - nominal[:, None])
    assert rank_shift(ranks, nominal) == (float(shift.mean()), int(shift.max()))
    assert rank_shift(ranks[:, :0], nominal) == (0.0, 0)
