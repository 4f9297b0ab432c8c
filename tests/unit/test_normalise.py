"""normalise: every method, ddof, winsorising, direction, reference period, errors.

Indicators are `column:` indicators so that the raw values are the numbers written here;
expected scores come from numpy or from the formula written out in plain Python.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from helpers import table

from ankunftsindex.errors import ComputeError
from ankunftsindex.pipeline import compute_frame
from ankunftsindex.spec import parse_spec

X = [2.0, 4.0, 4.0, 5.0, 7.0, 9.0, 3.0]
AREAS = [f"0{i + 1}" for i in range(len(X))]



def cross_spec(index: str, indicators: str = "  x: {column: xv}\n") -> str:
    return ("spec_version: 1\ninput: {area: gebiet, population: ew}\nindicators:\n"
            + indicators + "indices:\n  i: " + index + "\n")


def run_cross(index: str, values: list[float] = X, indicators: str = "  x: {column: xv}\n",
              extra: dict[str, list[float]] | None = None) -> pl.DataFrame:
    data = {"gebiet": AREAS[: len(values)] if len(values) <= len(AREAS)
            else [f"{i:02d}" for i in range(1, len(values) + 1)],
            "ew": [1000.0] * len(values), "xv": values, **(extra or {})}
    frame = table(" ".join(data), list(zip(*data.values(), strict=True)))
    out, _ = compute_frame(frame, parse_spec(cross_spec(index, indicators)))
    return out


ALL = "classes: [{label: alle}]"


def scores(method: str, values: list[float] = X, more: str = "") -> list[float]:
    out = run_cross("{weights: {x: 1}, normalise: " + method + more + ", " + ALL + "}", values)
    return out["i_x_score"].to_list()


def min_rank(values: list[float]) -> list[int]:
    return [1 + sum(v < x for v in values) for x in values]


# --- each method -----------------------------------------------------------------------------


def test_zscore_population_sd_by_default() -> None:
    x = np.array(X)
    assert scores("zscore") == pytest.approx(((x - x.mean()) / x.std(ddof=0)).tolist())


def test_zscore_ddof_one_uses_the_sample_sd() -> None:
    x = np.array(X)
    got0 = scores("zscore", more=", ddof: 0")
    got1 = scores("zscore", more=", ddof: 1")
    assert got1 == pytest.approx(((x - x.mean()) / x.std(ddof=1)).tolist())
    assert got0 == pytest.approx(((x - x.mean()) / x.std(ddof=0)).tolist())
    # the two differ by the factor sqrt(n / (n − 1))
    n = len(X)
    assert got0[0] / got1[0] == pytest.approx(np.sqrt(n / (n - 1)))


@pytest.mark.parametrize("values", [X, [1.0, 2.0, 3.0, 10.0, 4.0, 8.0]])
def test_robust_zscore_uses_median_and_scaled_mad(values: list[float]) -> None:
    x = np.array(values)
    med = np.median(x)
    mad = np.median(np.abs(x - med))
    assert scores("robust_zscore", values) == pytest.approx(
        ((x - med) / (1.4826 * mad)).tolist())


def test_robust_zscore_by_hand() -> None:
    # X: median 4, |x − 4| = 2 0 0 1 3 5 1, their median 1
    assert scores("robust_zscore") == pytest.approx(
        [(v - 4) / 1.4826 for v in X])


def test_minmax_maps_to_zero_one() -> None:
    assert scores("minmax") == pytest.approx([(v - 2) / 7 for v in X])


def test_percentile_ties_at_the_lowest_rank() -> None:
    # X sorted: 2 3 4 4 5 7 9 → both 4s have rank 3
    assert scores("percentile") == pytest.approx([0 / 6, 2 / 6, 2 / 6, 4 / 6, 5 / 6, 6 / 6, 1 / 6])
    assert scores("percentile") == pytest.approx([(r - 1) / 6 for r in min_rank(X)])


def test_rank_is_one_to_n_with_ties_at_the_lowest_rank() -> None:
    assert scores("rank") == [1.0, 3.0, 3.0, 5.0, 6.0, 7.0, 2.0]
    assert scores("rank") == [float(r) for r in min_rank(X)]


def test_none_keeps_the_values() -> None:
    assert scores("none") == X


# --- winsorise -------------------------------------------------------------------------------

SKEWED = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0]


def test_winsorise_clips_at_the_quantiles_before_zscore() -> None:
    x = np.array(SKEWED)
    lo, hi = np.quantile(x, [0.1, 0.9])
    c = np.clip(x, lo, hi)
    # by hand: lo = 1 + 0.9·1 = 1.9, hi = 9 + 0.1·91 = 18.1
    assert (lo, hi) == pytest.approx((1.9, 18.1))
    got = scores("zscore", SKEWED, ", winsorise: [0.1, 0.9]")
    assert got == pytest.approx(((c - c.mean()) / c.std()).tolist())


def test_winsorise_then_minmax_puts_the_clipped_values_at_zero_and_one() -> None:
    got = scores("minmax", SKEWED, ", winsorise: [0.1, 0.9]")
    assert got[0] == pytest.approx(0.0)
    assert got[-1] == pytest.approx(1.0)
    assert got[4] == pytest.approx((5 - 1.9) / (18.1 - 1.9))


def test_winsorise_zero_one_changes_nothing() -> None:
    assert scores("zscore", SKEWED, ", winsorise: [0.0, 1.0]") == pytest.approx(
        scores("zscore", SKEWED))


# --- direction -------------------------------------------------------------------------------

DIRECTED = "  x: {column: xv, direction: -1}\n"


def test_direction_minus_one_gives_the_lowest_raw_value_minmax_one() -> None:
    out = run_cross("{weights: {x: 1}, normalise: minmax, " + ALL + "}", X, DIRECTED)
    assert out["i_x_score"].to_list() == pytest.approx([(9 - v) / 7 for v in X])
    assert out["i_x_score"].to_list()[0] == pytest.approx(1.0)   # raw 2, the lowest
    assert out["i_x_score"].to_list()[5] == pytest.approx(0.0)   # raw 9, the highest
    # the output keeps the raw value, before the direction
    assert out["x"].to_list() == X


def test_direction_minus_one_negates_the_zscore() -> None:
    out = run_cross("{weights: {x: 1}, normalise: zscore, " + ALL + "}", X, DIRECTED)
    x = np.array(X)
    assert out["i_x_score"].to_list() == pytest.approx((-(x - x.mean()) / x.std()).tolist())


def test_direction_minus_one_reverses_rank_and_percentile() -> None:
    out = run_cross("{weights: {x: 1}, normalise: rank, " + ALL + "}", X, DIRECTED)
    assert out["i_x_score"].to_list() == [float(r) for r in min_rank([-v for v in X])]
    out = run_cross("{weights: {x: 1}, normalise: percentile, " + ALL + "}", X, DIRECTED)
    assert out["i_x_score"].to_list() == pytest.approx(
        [(r - 1) / 6 for r in min_rank([-v for v in X])])


# --- reference period ------------------------------------------------------------------------

YEARLY_HEAD = """\
spec_version: 1
input: {area: gebiet, period: jahr, population: ew}
indicators:
  x: {column: xv}
  y: {column: yv}
indices:
"""
XS = {"2023": [1.0, 2.0, 3.0, 6.0], "2024": [2.0, 4.0, 9.0, 5.0]}
YS = {"2023": [10.0, 0.0, 5.0, 5.0], "2024": [1.0, 7.0, 3.0, 2.0]}
YEARLY_ROWS = table("gebiet jahr ew xv yv", [
    (a, year, 1000, XS[year][k], YS[year][k])
    for year in ("2023", "2024") for k, a in enumerate(["A", "B", "C", "D"])
])


def z(values: np.ndarray, ref: np.ndarray, ddof: int = 0) -> np.ndarray:
    return (values - ref.mean()) / ref.std(ddof=ddof)


def yearly(index: str) -> pl.DataFrame:
    out, periods = compute_frame(YEARLY_ROWS, parse_spec(YEARLY_HEAD + "  i: " + index + "\n"))
    assert periods == ["2023", "2024"]
    return out


def per_year(out: pl.DataFrame, column: str, year: str) -> np.ndarray:
    return out.filter(pl.col("period") == year)[column].to_numpy()


def test_without_reference_period_each_period_has_its_own_statistics() -> None:
    out = yearly("{weights: {x: 1}, normalise: zscore, " + ALL + "}")
    for year in XS:
        x = np.array(XS[year])
        assert per_year(out, "i_x_score", year) == pytest.approx(z(x, x))


def test_reference_period_fixes_the_indicator_statistics() -> None:
    out = yearly("{weights: {x: 1}, normalise: zscore, ddof: 1, reference_period: '2023', "
                 + ALL + "}")
    ref = np.array(XS["2023"])
    for year in XS:
        assert per_year(out, "i_x_score", year) == pytest.approx(
            z(np.array(XS[year]), ref, ddof=1))


def test_reference_period_minmax_can_leave_zero_one() -> None:
    out = yearly("{weights: {x: 1}, normalise: minmax, reference_period: '2023', " + ALL + "}")
    # 2023: min 1, max 6 → 2024 values (2, 4, 9, 5)
    assert per_year(out, "i_x_score", "2024") == pytest.approx([0.2, 0.6, 1.6, 0.8])


def test_reference_period_fixes_the_standardise_statistics_too() -> None:
    out = yearly("{weights: {x: 1, y: 1}, normalise: zscore, standardise: true, "
                 "reference_period: '2023', " + ALL + "}")
    rx, ry = np.array(XS["2023"]), np.array(YS["2023"])
    agg = {year: (z(np.array(XS[year]), rx) + z(np.array(YS[year]), ry)) / 2 for year in XS}
    # the 2023 aggregate has mean 0 but not sd 1, so standardising does change it
    assert agg["2023"].std() != pytest.approx(1.0)
    for year in XS:
        assert per_year(out, "i", year) == pytest.approx(z(agg[year], agg["2023"]))


def test_reference_period_fixes_the_winsorising_quantiles() -> None:
    out = yearly("{weights: {x: 1}, normalise: none, winsorise: [0.25, 0.75], "
                 "reference_period: '2023', " + ALL + "}")
    lo, hi = np.quantile(XS["2023"], [0.25, 0.75])
    assert (lo, hi) == pytest.approx((1.75, 3.75))
    assert per_year(out, "i_x_score", "2024") == pytest.approx(
        np.clip(XS["2024"], lo, hi).tolist())


def test_reference_period_output_only_for_selected_periods() -> None:
    spec = parse_spec(YEARLY_HEAD + "  i: {weights: {x: 1}, normalise: zscore, "
                      "reference_period: '2023', " + ALL + "}\n")
    out, periods = compute_frame(YEARLY_ROWS, spec, periods=["2024"])
    assert periods == ["2024"]
    assert out["period"].unique().to_list() == ["2024"]
    ref = np.array(XS["2023"])
    assert out["i_x_score"].to_numpy() == pytest.approx(z(np.array(XS["2024"]), ref))


# --- errors ----------------------------------------------------------------------------------

MONTHLY_HEAD = """\
spec_version: 1
input: {area: gebiet, period: monat, population: ew}
min_population: 100
indicators:
  x: {column: xv}
  flat: {column: fv}
indices:
"""


def monthly_rows(flat_in_02: bool = False, small_in_02: int = 0) -> pl.DataFrame:
    rows = []
    for month in ("2024-01", "2024-02"):
        for k, a in enumerate(["A", "B", "C"]):
            ew = 50 if month == "2024-02" and k < small_in_02 else 1000
            fv = 7.0 if (flat_in_02 and month == "2024-02") else float(k)
            rows.append((a, month, ew, float(k * k), fv))
    return table("gebiet monat ew xv fv", rows)


def test_fewer_than_two_scored_areas_is_an_error_naming_period_and_index() -> None:
    spec = parse_spec(MONTHLY_HEAD + "  arrival: {weights: {x: 1}, " + ALL + "}\n")
    with pytest.raises(ComputeError) as err:
        compute_frame(monthly_rows(small_in_02=2), spec)
    msg = err.value.message
    assert "2024-02" in msg and "arrival" in msg
    assert err.value.exit_code == 4


def test_fewer_than_two_scored_areas_error_names_the_indicator() -> None:
    spec = parse_spec(MONTHLY_HEAD + "  arrival: {weights: {x: 1}, " + ALL + "}\n")
    with pytest.raises(ComputeError) as err:
        compute_frame(monthly_rows(small_in_02=2), spec)
    # METHOD.md: "Fewer than two scored areas, or a zero spread, is an error naming
    # period, index and indicator"
    assert "'x'" in err.value.message


def test_too_few_areas_with_rank_is_an_error_too() -> None:
    spec = parse_spec(MONTHLY_HEAD + "  arrival: {weights: {x: 1}, normalise: rank, "
                      + ALL + "}\n")
    with pytest.raises(ComputeError, match="2024-02"):
        compute_frame(monthly_rows(small_in_02=2), spec)


@pytest.mark.parametrize("method", ["zscore", "robust_zscore", "minmax"])
def test_zero_spread_is_an_error_naming_period_index_and_indicator(method: str) -> None:
    spec = parse_spec(MONTHLY_HEAD + "  arrival: {weights: {x: 1, flat: 1}, normalise: "
                      + method + ", " + ALL + "}\n")
    compute_frame(monthly_rows(), spec)  # no error while `flat` varies
    with pytest.raises(ComputeError) as err:
        compute_frame(monthly_rows(flat_in_02=True), spec)
    msg = err.value.message
    assert "2024-02" in msg and "arrival" in msg and "flat" in msg
    assert "2024-01" not in msg
    assert err.value.exit_code == 4


def test_zero_spread_only_in_an_unselected_period_is_no_error() -> None:
    spec = parse_spec(MONTHLY_HEAD + "  arrival: {weights: {x: 1, flat: 1}, " + ALL + "}\n")
    out, periods = compute_frame(monthly_rows(flat_in_02=True), spec, periods=["2024-01"])
    assert periods == ["2024-01"]
    assert out["arrival_flat_score"].to_list() == pytest.approx(
        ((np.arange(3.0) - 1) / np.arange(3.0).std()).tolist())


def test_zero_spread_is_no_error_for_rank_percentile_and_none() -> None:
    for method, expected in (("rank", 1.0), ("percentile", 0.0), ("none", 7.0)):
        spec = parse_spec(MONTHLY_HEAD + "  arrival: {weights: {x: 1, flat: 1}, normalise: "
                          + method + ", " + ALL + "}\n")
        out, _ = compute_frame(monthly_rows(flat_in_02=True), spec, periods=["2024-02"])
        assert out["arrival_flat_score"].to_list() == [expected] * 3


def test_reference_period_with_one_scored_area_is_an_error_naming_it() -> None:
    spec = parse_spec(MONTHLY_HEAD + "  arrival: {weights: {x: 1}, reference_period: '2024-02', "
                      + ALL + "}\n")
    with pytest.raises(ComputeError) as err:
        compute_frame(monthly_rows(small_in_02=2), spec, periods=["2024-01"])
    assert "2024-02" in err.value.message and "arrival" in err.value.message


def test_cross_section_errors_do_not_name_an_empty_period() -> None:
    with pytest.raises(ComputeError) as err:
        run_cross("{weights: {x: 1}, normalise: zscore, " + ALL + "}", [3.0, 3.0, 3.0])
    msg = err.value.message
    assert "'i'" in msg and "'x'" in msg
    assert "period ," not in msg and "period ''" not in msg


def test_robust_zscore_with_zero_mad_is_a_zero_spread_error() -> None:
    # more than half the values equal the median: MAD = 0 although the values differ
    with pytest.raises(ComputeError) as err:
        run_cross("{weights: {x: 1}, normalise: robust_zscore, " + ALL + "}",
                  [1.0, 1.0, 1.0, 2.0, 9.0])
    assert "'x'" in err.value.message and "'i'" in err.value.message
