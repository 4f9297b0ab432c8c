"""aggregate: weighted mean, sum and geometric mean, re-standardisation, rank, classes,
typology, and several indices side by side.

With `normalise: none` the scores are the raw `column:` values, so the aggregates can be
checked against the formulas of METHOD.md directly.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from helpers import table

from ankunftsindex.errors import ComputeError
from ankunftsindex.pipeline import compute_frame
from ankunftsindex.spec import parse_spec

A = [1.0, 2.0, 4.0, 8.0, 0.5]
B = [3.0, 1.0, 2.0, 2.0, 4.0]
AREAS = ["01", "02", "03", "04", "05"]
ALL = "classes: [{label: alle}]"



CROSS_HEAD = """\
spec_version: 1
input: {area: gebiet, name: name, population: ew}
min_population: 100
indicators:
  a: {column: av}
  b: {column: bv}
indices:
"""


def cross(indices: str, a: list[float] = A, b: list[float] = B,
          ew: list[float] | None = None, typology: str = "") -> pl.DataFrame:
    n = len(a)
    rows = [(f"{k + 1:02d}", f"Gebiet {k + 1}", (ew or [1000.0] * n)[k], a[k], b[k])
            for k in range(n)]
    spec = parse_spec(CROSS_HEAD + indices + typology)
    out, _ = compute_frame(table("gebiet name ew av bv", rows), spec)
    return out


def one(index: str, **kw: object) -> pl.DataFrame:
    return cross("  i: " + index + "\n", **kw)


# --- aggregation -----------------------------------------------------------------------------


def test_mean_is_the_weighted_mean_of_the_scores() -> None:
    out = one("{weights: {a: 1, b: 3}, normalise: none, aggregate: mean, " + ALL + "}")
    assert out["i"].to_list() == pytest.approx([(x + 3 * y) / 4 for x, y in zip(A, B, strict=True)])


def test_mean_is_the_default_aggregation() -> None:
    out = one("{weights: {a: 1, b: 3}, normalise: none, " + ALL + "}")
    assert out["i"].to_list() == pytest.approx([(x + 3 * y) / 4 for x, y in zip(A, B, strict=True)])


def test_sum_is_the_weighted_sum_of_the_scores() -> None:
    out = one("{weights: {a: 1, b: 3}, normalise: none, aggregate: sum, " + ALL + "}")
    assert out["i"].to_list() == pytest.approx([x + 3 * y for x, y in zip(A, B, strict=True)])


def test_geometric_is_the_weighted_geometric_mean() -> None:
    out = one("{weights: {a: 1, b: 3}, normalise: none, aggregate: geometric, " + ALL + "}")
    assert out["i"].to_list() == pytest.approx(
        [(x * y**3) ** (1 / 4) for x, y in zip(A, B, strict=True)])
    # by hand for area 03: (4 · 2³)^(1/4) = 32^(1/4)
    assert out["i"][2] == pytest.approx(2 ** (5 / 4))


def test_geometric_with_rank_scores_uses_the_ranks() -> None:
    out = one("{weights: {a: 2, b: 1}, normalise: rank, aggregate: geometric, " + ALL + "}")
    ra = [2.0, 3.0, 4.0, 5.0, 1.0]
    rb = [4.0, 1.0, 2.0, 2.0, 5.0]
    assert out["i"].to_list() == pytest.approx(
        [(x**2 * y) ** (1 / 3) for x, y in zip(ra, rb, strict=True)])


@pytest.mark.parametrize("bad", [0.0, -2.0])
def test_geometric_needs_positive_scores(bad: float) -> None:
    spec = parse_spec("""\
spec_version: 1
input: {area: gebiet, period: monat, population: ew}
indicators:
  a: {column: av}
  b: {column: bv}
indices:
  arrival: {weights: {a: 1, b: 1}, normalise: none, aggregate: geometric,
            classes: [{label: alle}]}
""")
    rows = table("gebiet monat ew av bv", [
        ("01", "2024-01", 1000, 1.0, 2.0), ("02", "2024-01", 1000, 3.0, 4.0),
        ("01", "2024-02", 1000, 1.0, 2.0), ("02", "2024-02", 1000, 3.0, bad),
    ])
    compute_frame(rows, spec, periods=["2024-01"])  # only 2024-02 has the bad score
    with pytest.raises(ComputeError) as err:
        compute_frame(rows, spec)
    msg = err.value.message
    assert "2024-02" in msg and "'arrival'" in msg and "'b'" in msg
    assert err.value.exit_code == 4


@pytest.mark.parametrize(("index", "a"), [
    # a weight so small that the weighted mean divides by a subnormal: ±inf
    ("{weights: {a: 1.0e-320}, normalise: none, standardise: false, " + ALL + "}", A),
    # values beyond the float range: inf − inf in the z-score, NaN
    ("{weights: {a: 1}, " + ALL + "}", [1e308, 1e308 * 10, 1.0, 2.0, 3.0]),
])
def test_an_index_that_overflows_floating_point_is_an_error(index: str, a: list[float]) -> None:
    """Scored rows must get finite index values: NaN or ±inf fit no class and break every
    later step, so compute stops (exit 4) instead of writing them."""
    with pytest.raises(ComputeError) as err:
        one(index, a=a)
    assert err.value.code == "compute-not-finite" and err.value.exit_code == 4
    assert "'i'" in err.value.message


def test_geometric_with_minmax_fails_on_the_zero_of_the_minimum() -> None:
    with pytest.raises(ComputeError, match="'i'"):
        one("{weights: {a: 1, b: 1}, normalise: minmax, aggregate: geometric, " + ALL + "}")


# --- standardise -----------------------------------------------------------------------------


@pytest.mark.parametrize("ddof", [0, 1])
def test_standardise_z_standardises_the_aggregate(ddof: int) -> None:
    out = one("{weights: {a: 1, b: 3}, normalise: zscore, ddof: " + str(ddof)
              + ", aggregate: sum, standardise: true, " + ALL + "}")
    a, b = np.array(A), np.array(B)

    def z(v: np.ndarray) -> np.ndarray:
        return (v - v.mean()) / v.std(ddof=ddof)

    agg = z(a) + 3 * z(b)
    assert out["i"].to_list() == pytest.approx(z(agg).tolist())
    # the scores stay the indicator z-scores
    assert out["i_a_score"].to_list() == pytest.approx(z(a).tolist())


def test_without_standardise_the_index_is_the_raw_aggregate() -> None:
    out = one("{weights: {a: 1, b: 3}, normalise: zscore, aggregate: sum, " + ALL + "}")
    a, b = np.array(A), np.array(B)
    agg = (a - a.mean()) / a.std() + 3 * (b - b.mean()) / b.std()
    assert out["i"].to_list() == pytest.approx(agg.tolist())
    assert np.std(out["i"].to_numpy()) != pytest.approx(1.0)


def test_standardise_leaves_out_unscored_areas() -> None:
    out = one("{weights: {a: 1}, normalise: none, standardise: true, " + ALL + "}",
              ew=[1000, 1000, 1000, 1000, 50])
    a = np.array(A[:4])
    assert out["i"].to_list()[:4] == pytest.approx(((a - a.mean()) / a.std()).tolist())
    assert out["i"][4] is None


# --- rank ------------------------------------------------------------------------------------


def test_rank_one_is_the_highest_and_ties_share_the_lowest_rank() -> None:
    out = one("{weights: {a: 1}, normalise: none, " + ALL + "}",
              a=[3.0, 5.0, 5.0, 1.0, 4.0])
    assert out["i_rank"].to_list() == [4, 1, 1, 5, 3]


def test_rank_is_within_the_period_and_leaves_unscored_rows_out() -> None:
    spec = parse_spec("""\
spec_version: 1
input: {area: gebiet, period: monat, population: ew}
min_population: 100
indicators:
  a: {column: av}
indices:
  i: {weights: {a: 1}, normalise: none, classes: [{label: alle}]}
""")
    rows = table("gebiet monat ew av", [
        ("01", "2024-01", 1000, 1.0), ("02", "2024-01", 1000, 2.0),
        ("03", "2024-01", 1000, 3.0), ("04", "2024-01", 10, 99.0),
        ("01", "2024-02", 1000, 9.0), ("02", "2024-02", 1000, 2.0),
        ("03", "2024-02", 1000, 2.0), ("04", "2024-02", 1000, 0.0),
    ])
    out, _ = compute_frame(rows, spec)
    assert out["i_rank"].to_list() == [3, 2, 1, None, 1, 2, 2, 4]


# --- classes ---------------------------------------------------------------------------------

CLASSES = """classes:
      - {label: niedrig, to: -1.0}
      - {label: sehr hoch, from: 1.5}
      - {label: mittel, from: -1.0, to: 1.0}
      - {label: hoch, from: 1.0, to: 1.5}"""


def test_classes_are_from_inclusive_to_exclusive() -> None:
    values = [-1.0, 1.0, 1.5, 0.999, -1.0001, 2.0, 1.4999]
    out = one("\n    weights: {a: 1}\n    normalise: none\n    " + CLASSES,
              a=values, b=[0.0] * len(values))
    assert out["i_class"].to_list() == [
        "mittel", "hoch", "sehr hoch", "mittel", "niedrig", "sehr hoch", "hoch"]


def test_classes_apply_to_the_final_standardised_value() -> None:
    a = [0.0, 1.0, 2.0, 3.0, 14.0]
    out = one("\n    weights: {a: 1}\n    normalise: none\n    standardise: true\n    "
              + CLASSES, a=a, b=[0.0] * 5)
    x = np.array(a)
    zs = (x - x.mean()) / x.std()
    expected = ["niedrig" if v < -1 else "mittel" if v < 1 else "hoch" if v < 1.5
                else "sehr hoch" for v in zs]
    assert expected[-1] == "sehr hoch"
    assert out["i_class"].to_list() == expected


# --- typology --------------------------------------------------------------------------------

TWO_INDICES = """\
  arrival:
    weights: {a: 1}
    normalise: none
    classes: [{label: hoch, from: 2}, {label: niedrig, to: 2}]
  dynamics:
    weights: {b: 1}
    normalise: none
    classes: [{label: steigend, from: 2}, {label: stabil, to: 2}]
"""
TYPOLOGY = """\
typology:
  column: typ
  rules:
    - label: neues Ankunftsquartier
      when: "arrival_class = 'hoch' AND dynamics_class = 'steigend'"
    - {label: etabliertes Ankunftsquartier, when: "arrival_class = 'hoch'"}
    - {label: wachsend, when: "dynamics > 3"}
  default: kein Ankunftsquartier
"""


def test_typology_first_matching_rule_wins_default_otherwise_scored_only() -> None:
    out = cross(TWO_INDICES, typology=TYPOLOGY,
                a=[1.0, 2.0, 4.0, 8.0, 0.5, 3.0], b=[3.0, 1.0, 2.0, 5.0, 4.0, 1.0],
                ew=[1000, 1000, 1000, 1000, 1000, 50])
    assert out["status"].to_list() == ["scored"] * 5 + ["excluded_small"]
    assert out["typ"].to_list() == [
        "kein Ankunftsquartier",          # a 1 niedrig, b 3 steigend but not > 3
        "etabliertes Ankunftsquartier",   # a 2 hoch, b 1 stabil
        "neues Ankunftsquartier",         # a 4 hoch, b 2 steigend
        "neues Ankunftsquartier",         # matches all three rules: the first wins
        "wachsend",                       # a 0.5 niedrig, b 4 > 3
        None,                             # not scored
    ]


# --- several indices -------------------------------------------------------------------------


def test_several_indices_each_get_their_own_scores() -> None:
    out = cross("""\
  arrival: {weights: {a: 1, b: 1}, normalise: zscore, classes: [{label: alle}]}
  ranked: {weights: {a: 2}, normalise: minmax, aggregate: sum, classes: [{label: alle}]}
""")
    assert out.columns == [
        "area", "name", "population", "status", "a", "b",
        "arrival_a_score", "arrival_b_score", "arrival", "arrival_rank", "arrival_class",
        "ranked_a_score", "ranked", "ranked_rank", "ranked_class",
    ]
    a, b = np.array(A), np.array(B)
    za, zb = (a - a.mean()) / a.std(), (b - b.mean()) / b.std()
    assert out["arrival_a_score"].to_list() == pytest.approx(za.tolist())
    assert out["arrival_b_score"].to_list() == pytest.approx(zb.tolist())
    assert out["arrival"].to_list() == pytest.approx(((za + zb) / 2).tolist())
    mm = (a - a.min()) / (a.max() - a.min())
    assert out["ranked_a_score"].to_list() == pytest.approx(mm.tolist())
    assert out["ranked"].to_list() == pytest.approx((2 * mm).tolist())
    assert out["ranked_rank"].to_list() == [4, 3, 2, 1, 5]


def test_output_columns_in_the_documented_order_with_periods() -> None:
    spec = parse_spec("""\
spec_version: 1
input: {area: gebiet, name: name, period: monat, population: ew}
indicators:
  a: {column: av}
  b: {column: bv}
indices:
  i: {weights: {b: 1}, normalise: none, classes: [{label: alle}]}
typology: {column: typ, rules: [{label: x, when: "i > 0"}], default: y}
""")
    rows = table("gebiet name monat ew av bv", [
        ("01", "Eins", "2024-01", 1000, 1.0, 2.0), ("02", "Zwei", "2024-01", 1000, 3.0, 4.0)])
    out, _ = compute_frame(rows, spec)
    assert out.columns == ["area", "name", "period", "population", "status", "a", "b",
                           "i_b_score", "i", "i_rank", "i_class", "typ"]
    assert out["name"].to_list() == ["Eins", "Zwei"]


def test_geometric_check_only_looks_at_the_periods_it_scores() -> None:
    # index r pulls 2023 in as its reference period; index g (no reference period) is
    # output for 2024 only, where its scores are positive, so 2023 must not matter to it
    spec = parse_spec("""\
spec_version: 1
input: {area: gebiet, period: jahr, population: ew}
indicators:
  a: {column: av}
indices:
  r: {weights: {a: 1}, reference_period: '2023', classes: [{label: alle}]}
  g: {weights: {a: 1}, normalise: none, aggregate: geometric, classes: [{label: alle}]}
""")
    rows = table("gebiet jahr ew av", [
        ("01", "2023", 1000, 0.0), ("02", "2023", 1000, 2.0),
        ("01", "2024", 1000, 1.0), ("02", "2024", 1000, 3.0),
    ])
    out, periods = compute_frame(rows, spec, periods=["2024"])
    assert periods == ["2024"]
    assert out["g"].to_list() == pytest.approx([1.0, 3.0])
    assert out["r"].to_list() == pytest.approx([(1 - 1) / 1, (3 - 1) / 1])


def test_typology_column_name_and_missing_default() -> None:
    typology = """\
typology:
  column: quartierstyp
  rules:
    - {label: Ankunftsquartier, when: "arrival_class = 'hoch'"}
"""
    out = cross(TWO_INDICES, typology=typology, a=[1.0, 2.0, 4.0, 8.0, 0.5],
                b=[3.0, 1.0, 2.0, 5.0, 4.0])
    assert "typ" not in out.columns
    # no default: scored areas that match no rule get no type
    assert out["quartierstyp"].to_list() == [None, "Ankunftsquartier", "Ankunftsquartier",
                                             "Ankunftsquartier", None]


# --- class_expr against the definition -------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ankunftsindex.aggregate import class_expr  # noqa: E402
from ankunftsindex.spec import ClassDef  # noqa: E402

special = st.sampled_from([None, float("nan"), float("inf"), float("-inf")])


@settings(max_examples=80, deadline=None)
@given(bounds=st.lists(st.integers(-40, 40), max_size=5, unique=True),
       values=st.lists(st.one_of(st.integers(-50, 50).map(lambda v: v / 8), special),
                       min_size=1, max_size=30),
       data=st.data())
def test_class_is_the_one_with_from_at_most_value_below_to(bounds, values, data) -> None:
    """Any partition of the line (classes in any order in the spec) and any values, the
    bounds among them: the label is that of the class with from <= value < to, checked
    value by value; null, NaN and +inf fall in none (-inf in the lowest)."""
    cuts = sorted(b / 8 for b in bounds)
    edges = [None, *cuts, None]
    classes = [ClassDef.model_validate({"label": f"k{i}", "from": lo, "to": hi})
               for i, (lo, hi) in enumerate(zip(edges, edges[1:], strict=False))]
    classes = data.draw(st.permutations(classes))
    values = values + cuts
    got = pl.DataFrame({"v": values}, schema={"v": pl.Float64}).select(
        class_expr(pl.col("v"), list(classes))).to_series().to_list()
    for v, label in zip(values, got, strict=True):
        fits = [c.label for c in classes if v is not None and v == v
                and (c.from_ is None or v >= c.from_)
                and v < (float("inf") if c.to is None else c.to)]
        assert label == (fits[0] if fits else None), (v, label, fits)
