"""derive: raw columns → indicator values (stock, flow windows, change_of, columns).

Expected values are written out as the arithmetic of METHOD.md, never taken from the code.
Periods are calendar periods: the gap tests would pass with a row-counting window or lag
only by accident, so each one says what a row-based implementation would give instead.
"""

from __future__ import annotations

import polars as pl
import pytest
from helpers import cell, table

from ankunftsindex.pipeline import compute_frame
from ankunftsindex.spec import parse_spec

# An index over `anchor` (a stock column, always present) keeps every row scorable, so
# that the indicator under test can be null without changing which periods are output.
ANCHOR_INDEX = """
indices:
  i: {weights: {anchor: 1}, normalise: none, classes: [{label: alle}]}
"""


def monthly_spec(indicators: str, window: int | None = None) -> str:
    head = "spec_version: 1\ninput: {area: gebiet, period: monat, population: ew}\n"
    if window is not None:
        head += f"window: {window}\n"
    return head + "indicators:\n  anchor: {column: s}\n" + indicators + ANCHOR_INDEX


# --- stock ratios ----------------------------------------------------------------------------

CROSS = """\
spec_version: 1
input: {area: gebiet, name: name, population: ew}
indicators:
  anchor: {column: s}
  foreign_share: {numerator: ausl, per: 100}
  moves: {numerator: [zuzug, fortzug], per: 1000}
  sgb2_share: {numerator: sgb2, denominator: ew_u65, per: 100}
  arrivals: {numerator: zuzug, denominator: null}
  arrivals_x2: {numerator: zuzug, denominator: null, per: 2}
  plain_ratio: {numerator: ausl}
  s1: {column: s1}
""" + ANCHOR_INDEX

CROSS_ROWS = table(
    "gebiet name ew ew_u65 ausl zuzug fortzug sgb2 s s1",
    [
        ("01", "Altstadt", 1000, 800, 150, 30, 20, 40, 1, 1.5),
        ("02", "Neustadt", 2000, 1500, 100, 12, 18, 90, 2, -2.25),
        ("03", "Hafen", 400, 250, 60, 7, 3, 25, 3, 0.0),
    ],
)


@pytest.fixture(scope="module")
def cross() -> pl.DataFrame:
    out, periods = compute_frame(CROSS_ROWS, parse_spec(CROSS))
    assert periods == [""]
    return out


def test_cross_section_has_no_period_column_and_keeps_ids_as_text(cross: pl.DataFrame) -> None:
    assert "period" not in cross.columns
    assert cross["area"].to_list() == ["01", "02", "03"]
    assert cross["name"].to_list() == ["Altstadt", "Neustadt", "Hafen"]


def test_stock_ratio_divides_by_population_and_multiplies_by_per(cross: pl.DataFrame) -> None:
    assert cross["foreign_share"].to_list() == pytest.approx(
        [150 / 1000 * 100, 100 / 2000 * 100, 60 / 400 * 100])


def test_per_defaults_to_one(cross: pl.DataFrame) -> None:
    assert cross["plain_ratio"].to_list() == pytest.approx([0.15, 0.05, 0.15])


def test_numerator_list_is_summed(cross: pl.DataFrame) -> None:
    assert cross["moves"].to_list() == pytest.approx(
        [(30 + 20) / 1000 * 1000, (12 + 18) / 2000 * 1000, (7 + 3) / 400 * 1000])


def test_explicit_denominator_replaces_population(cross: pl.DataFrame) -> None:
    assert cross["sgb2_share"].to_list() == pytest.approx(
        [40 / 800 * 100, 90 / 1500 * 100, 25 / 250 * 100])


def test_denominator_null_means_no_division(cross: pl.DataFrame) -> None:
    assert cross["arrivals"].to_list() == pytest.approx([30.0, 12.0, 7.0])
    assert cross["arrivals_x2"].to_list() == pytest.approx([60.0, 24.0, 14.0])


def test_column_indicator_is_taken_as_it_is(cross: pl.DataFrame) -> None:
    assert cross["s1"].to_list() == [1.5, -2.25, 0.0]


def test_a_null_in_a_summed_numerator_makes_the_value_null() -> None:
    rows = CROSS_ROWS.with_columns(
        pl.when(pl.col("gebiet") == "02").then(None).otherwise(pl.col("fortzug")).alias("fortzug"))
    out, _ = compute_frame(rows, parse_spec(CROSS))
    assert cell(out, "moves", "02") is None
    # a null in an indicator no index uses does not stop the area from being scored
    assert cell(out, "status", "02") == "scored"


# --- flow windows ----------------------------------------------------------------------------

FLOW_ROWS = table(
    "gebiet monat ew ew_erw zuzug s",
    [
        ("A", "2023-11", 1000, 700, 3, 1),
        ("A", "2023-12", 1100, 800, 6, 1),
        ("A", "2024-01", 1200, 900, 9, 1),
        ("A", "2024-02", 1300, 600, 12, 1),
        ("B", "2023-11", 500, 400, 0, 2),
        ("B", "2023-12", 500, 300, 4, 2),
        ("B", "2024-01", 800, 500, 2, 2),
        ("B", "2024-02", 700, 400, 10, 2),
    ],
)
ALL_FLOW_PERIODS = ["2023-11", "2023-12", "2024-01", "2024-02"]


def test_flow_sums_numerator_over_window_and_averages_denominator() -> None:
    spec = parse_spec(monthly_spec(
        "  inflow: {numerator: zuzug, type: flow, per: 1000}\n"
        "  inflow_erw: {numerator: zuzug, denominator: ew_erw, type: flow, per: 100}\n",
        window=3))
    out, _ = compute_frame(FLOW_ROWS, spec, periods=ALL_FLOW_PERIODS)
    # the window of three months reaches before the first month in 2023-11 and 2023-12
    for period in ("2023-11", "2023-12"):
        assert cell(out, "inflow", "A", period) is None
        assert cell(out, "inflow_erw", "B", period) is None
    # across the year boundary: 2023-11, 2023-12, 2024-01
    assert cell(out, "inflow", "A", "2024-01") == pytest.approx(
        (3 + 6 + 9) / ((1000 + 1100 + 1200) / 3) * 1000)
    assert cell(out, "inflow", "A", "2024-02") == pytest.approx(
        (6 + 9 + 12) / ((1100 + 1200 + 1300) / 3) * 1000)
    assert cell(out, "inflow", "B", "2024-01") == pytest.approx(
        (0 + 4 + 2) / ((500 + 500 + 800) / 3) * 1000)
    assert cell(out, "inflow", "B", "2024-02") == pytest.approx(
        (4 + 2 + 10) / ((500 + 800 + 700) / 3) * 1000)
    assert cell(out, "inflow_erw", "A", "2024-02") == pytest.approx(
        (6 + 9 + 12) / ((800 + 900 + 600) / 3) * 100)
    assert cell(out, "inflow_erw", "B", "2024-01") == pytest.approx(
        (0 + 4 + 2) / ((400 + 300 + 500) / 3) * 100)


def test_flow_with_null_denominator_is_the_window_sum() -> None:
    spec = parse_spec(monthly_spec(
        "  arrivals: {numerator: zuzug, denominator: null, type: flow}\n", window=2))
    out, _ = compute_frame(FLOW_ROWS, spec, periods=ALL_FLOW_PERIODS)
    assert cell(out, "arrivals", "A", "2023-11") is None
    assert cell(out, "arrivals", "A", "2023-12") == pytest.approx(3 + 6)
    assert cell(out, "arrivals", "A", "2024-02") == pytest.approx(9 + 12)
    assert cell(out, "arrivals", "B", "2024-01") == pytest.approx(4 + 2)


ZERO_ROWS = table(
    "gebiet monat ew ew_erw zuzug s",
    [
        # A: no adults in 2024-01 and 2024-02; the window of two still has some in 2024-03
        ("A", "2024-01", 100, 0, 3, 1),
        ("A", "2024-02", 100, 0, 6, 1),
        ("A", "2024-03", 100, 50, 9, 1),
        ("B", "2024-01", 200, 40, 2, 2),
        ("B", "2024-02", 200, 40, 4, 2),
        ("B", "2024-03", 200, 0, 8, 2),
    ],
)


def test_a_zero_denominator_gives_no_value_in_stocks_and_in_flow_windows() -> None:
    spec = parse_spec(monthly_spec(
        "  stock: {numerator: zuzug, denominator: ew_erw, per: 1000}\n"
        "  inflow: {numerator: zuzug, denominator: ew_erw, type: flow, per: 1000}\n",
        window=2))
    out, _ = compute_frame(ZERO_ROWS, spec, periods=["2024-02", "2024-03"])
    # stock: this month's denominator only
    assert cell(out, "stock", "A", "2024-02") is None
    assert cell(out, "stock", "A", "2024-03") == pytest.approx(9 / 50 * 1000)
    assert cell(out, "stock", "B", "2024-02") == pytest.approx(4 / 40 * 1000)
    assert cell(out, "stock", "B", "2024-03") is None
    # flow: the mean denominator over the window; zero only when every month is zero
    assert cell(out, "inflow", "A", "2024-02") is None
    assert cell(out, "inflow", "A", "2024-03") == pytest.approx((6 + 9) / ((0 + 50) / 2) * 1000)
    assert cell(out, "inflow", "B", "2024-03") == pytest.approx((4 + 8) / ((40 + 0) / 2) * 1000)


def test_stock_indicator_uses_only_the_current_period() -> None:
    spec = parse_spec(monthly_spec("  stock: {numerator: zuzug, per: 1000}\n", window=3))
    out, _ = compute_frame(FLOW_ROWS, spec, periods=ALL_FLOW_PERIODS)
    assert cell(out, "stock", "A", "2023-11") == pytest.approx(3 / 1000 * 1000)
    assert cell(out, "stock", "B", "2024-02") == pytest.approx(10 / 700 * 1000)


# C lacks 2024-03; D is complete (so that each output period has two scored areas)
GAP_ROWS = table(
    "gebiet monat ew zuzug s",
    [
        ("C", "2024-01", 100, 1, 1),
        ("C", "2024-02", 200, 2, 1),
        ("C", "2024-04", 400, 4, 1),
        ("C", "2024-05", 500, 8, 1),
        ("C", "2024-06", 600, 16, 1),
        ("D", "2024-01", 100, 1, 2),
        ("D", "2024-02", 100, 1, 2),
        ("D", "2024-03", 100, 1, 2),
        ("D", "2024-04", 100, 1, 2),
        ("D", "2024-05", 100, 1, 2),
        ("D", "2024-06", 100, 1, 2),
    ],
)


def test_flow_window_counts_calendar_months_not_rows() -> None:
    spec = parse_spec(monthly_spec(
        "  inflow: {numerator: zuzug, type: flow, per: 1000}\n", window=2))
    out, _ = compute_frame(GAP_ROWS, spec, periods=["2024-02", "2024-04", "2024-05", "2024-06"])
    assert cell(out, "inflow", "C", "2024-02") == pytest.approx((1 + 2) / ((100 + 200) / 2) * 1000)
    # 2024-04 needs 2024-03, which C lacks (rows would give (2 + 4) / 300 * 1000 = 20)
    assert cell(out, "inflow", "C", "2024-04") is None
    # 2024-05 is complete again: 2024-04 and 2024-05 only, not reaching back to 2024-02
    assert cell(out, "inflow", "C", "2024-05") == pytest.approx((4 + 8) / ((400 + 500) / 2) * 1000)
    assert cell(out, "inflow", "C", "2024-06") == pytest.approx(
        (8 + 16) / ((500 + 600) / 2) * 1000)


def test_flow_window_of_three_after_a_gap_stays_null_until_it_is_full() -> None:
    spec = parse_spec(monthly_spec(
        "  inflow: {numerator: zuzug, type: flow, denominator: null}\n", window=3))
    out, _ = compute_frame(GAP_ROWS, spec, periods=["2024-04", "2024-05", "2024-06"])
    # 2024-04 and 2024-05 have 2024-03 in their window; rows would give 1+2+4 and 2+4+8
    assert cell(out, "inflow", "C", "2024-04") is None
    assert cell(out, "inflow", "C", "2024-05") is None
    assert cell(out, "inflow", "C", "2024-06") == pytest.approx(4 + 8 + 16)
    assert cell(out, "inflow", "D", "2024-05") == pytest.approx(3)


def test_gap_in_a_used_flow_makes_the_row_missing_data() -> None:
    spec = parse_spec(
        "spec_version: 1\ninput: {area: gebiet, period: monat, population: ew}\nwindow: 2\n"
        "indicators:\n  inflow: {numerator: zuzug, type: flow, per: 1000}\n"
        "  anchor: {column: s}\n"
        "indices:\n  i: {weights: {inflow: 1, anchor: 1}, normalise: none, "
        "classes: [{label: alle}]}\n")
    rows = pl.concat([GAP_ROWS, GAP_ROWS.filter(pl.col("gebiet") == "D").with_columns(
        pl.lit("E").alias("gebiet"), pl.lit(3.0).alias("s"))])
    out, periods = compute_frame(rows, spec)
    assert periods == ["2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    # C has no row in 2024-03 at all: no output row for it there
    assert out.filter(pl.col("period") == "2024-03")["area"].to_list() == ["D", "E"]
    assert cell(out, "status", "C", "2024-04") == "missing_data"
    assert cell(out, "i", "C", "2024-04") is None
    assert cell(out, "status", "C", "2024-05") == "scored"


# --- change_of -------------------------------------------------------------------------------

CHANGE_ROWS = table(
    "gebiet monat ew ausl s",
    [
        ("A", "2023-11", 1000, 100, 1),
        ("A", "2023-12", 1000, 120, 1),
        ("A", "2024-01", 1000, 150, 1),
        ("A", "2024-02", 800, 200, 1),
        ("A", "2024-03", 500, 150, 1),
        # G lacks 2024-01
        ("G", "2023-11", 200, 10, 2),
        ("G", "2023-12", 200, 20, 2),
        ("G", "2024-02", 400, 60, 2),
        ("G", "2024-03", 400, 100, 2),
        # H is complete, so that every period has two scored areas
        ("H", "2023-11", 300, 3, 3),
        ("H", "2023-12", 300, 3, 3),
        ("H", "2024-01", 300, 3, 3),
        ("H", "2024-02", 300, 3, 3),
        ("H", "2024-03", 300, 3, 3),
    ],
)
CHANGE_SPEC = monthly_spec(
    "  share: {numerator: ausl, per: 100}\n"
    "  share_change: {change_of: share, lag: 2}\n"
    "  share_change_change: {change_of: share_change, lag: 1}\n")


def share(ausl: float, ew: float) -> float:
    return ausl / ew * 100


def test_change_of_is_the_difference_lag_calendar_months_back() -> None:
    out, _ = compute_frame(CHANGE_ROWS, parse_spec(CHANGE_SPEC),
                           periods=["2023-11", "2023-12", "2024-01", "2024-02", "2024-03"])
    assert cell(out, "share_change", "A", "2023-11") is None
    assert cell(out, "share_change", "A", "2023-12") is None
    # across the year boundary: 2024-01 − 2023-11
    assert cell(out, "share_change", "A", "2024-01") == pytest.approx(
        share(150, 1000) - share(100, 1000))
    assert cell(out, "share_change", "A", "2024-03") == pytest.approx(
        share(150, 500) - share(150, 1000))
    # G: 2024-02 − 2023-12 (rows would give 2024-02 − 2023-11)
    assert cell(out, "share_change", "G", "2024-02") == pytest.approx(
        share(60, 400) - share(20, 200))
    # G: 2024-03 needs 2024-01, which G lacks (rows would give 2024-03 − 2023-12)
    assert cell(out, "share_change", "G", "2024-03") is None


def test_change_of_a_change_chains_the_lags() -> None:
    out, _ = compute_frame(CHANGE_ROWS, parse_spec(CHANGE_SPEC),
                           periods=["2024-01", "2024-02"])
    a_0224 = share(200, 800) - share(120, 1000)
    a_0124 = share(150, 1000) - share(100, 1000)
    assert cell(out, "share_change_change", "A", "2024-02") == pytest.approx(a_0224 - a_0124)
    assert cell(out, "share_change_change", "A", "2024-01") is None


def test_change_of_with_lag_twelve_is_one_year_back() -> None:
    rows = table(
        "gebiet monat ew ausl s",
        [(a, f"{y}-{m:02d}", 1000, base + y - 2023 + m, s)
         for a, base, s in (("A", 10, 1), ("B", 50, 2))
         for y in (2023, 2024) for m in range(1, 13)],
    )
    spec = parse_spec(monthly_spec(
        "  share: {numerator: ausl, per: 100}\n  yoy: {change_of: share, lag: 12}\n"))
    out, _ = compute_frame(rows, spec, periods=["2023-12", "2024-01", "2024-07"])
    assert cell(out, "yoy", "A", "2023-12") is None
    # ausl rises by exactly 1 from one year to the next, same month
    assert cell(out, "yoy", "A", "2024-01") == pytest.approx(1 / 1000 * 100)
    assert cell(out, "yoy", "B", "2024-07") == pytest.approx(1 / 1000 * 100)


# --- yearly periods --------------------------------------------------------------------------

YEARLY = """\
spec_version: 1
input: {area: gebiet, period: jahr, population: ew}
window: 2
indicators:
  anchor: {column: s}
  inflow: {numerator: zuzug, type: flow, per: 1000}
  share: {numerator: ausl, per: 100}
  share_change: {change_of: share, lag: 1}
""" + ANCHOR_INDEX

YEARLY_ROWS = table(
    "gebiet jahr ew zuzug ausl s",
    [
        ("A", "2021", 1000, 50, 100, 1),
        ("A", "2022", 1200, 70, 150, 1),
        ("A", "2023", 1400, 30, 210, 1),
        ("B", "2021", 400, 10, 20, 2),
        ("B", "2023", 600, 30, 90, 2),  # B lacks 2022
        ("C", "2021", 100, 1, 1, 3),
        ("C", "2022", 100, 1, 1, 3),
        ("C", "2023", 100, 1, 1, 3),
    ],
)


def test_yearly_periods_count_years() -> None:
    out, _ = compute_frame(YEARLY_ROWS, parse_spec(YEARLY), periods=["2021", "2022", "2023"])
    assert cell(out, "inflow", "A", "2021") is None
    assert cell(out, "inflow", "A", "2022") == pytest.approx((50 + 70) / ((1000 + 1200) / 2) * 1000)
    assert cell(out, "inflow", "A", "2023") == pytest.approx((70 + 30) / ((1200 + 1400) / 2) * 1000)
    assert cell(out, "share_change", "A", "2023") == pytest.approx(
        share(210, 1400) - share(150, 1200))
    # B lacks 2022: both the two-year window and the one-year change of 2023 are null
    assert cell(out, "inflow", "B", "2023") is None
    assert cell(out, "share_change", "B", "2023") is None
    assert cell(out, "share", "B", "2023") == pytest.approx(share(90, 600))


def test_yearly_output_is_sorted_by_period_then_area() -> None:
    shuffled = YEARLY_ROWS.reverse()
    out, _ = compute_frame(shuffled, parse_spec(YEARLY), periods=["2021", "2022", "2023"])
    assert out.select("period", "area").rows() == [
        ("2021", "A"), ("2021", "B"), ("2021", "C"), ("2022", "A"), ("2022", "C"),
        ("2023", "A"), ("2023", "B"), ("2023", "C")]


def test_a_null_count_inside_the_window_makes_the_flow_null_only_there() -> None:
    complete = GAP_ROWS.filter(pl.col("gebiet") == "D")
    rows = pl.concat([complete.with_columns(pl.lit("E").alias("gebiet")), complete.with_columns(
        pl.when(pl.col("monat") == "2024-02").then(None).otherwise(pl.col("zuzug"))
        .alias("zuzug"))])
    spec = parse_spec(monthly_spec(
        "  inflow: {numerator: zuzug, type: flow, denominator: null}\n", window=2))
    out, _ = compute_frame(rows, spec, periods=["2024-02", "2024-03", "2024-04"])
    assert cell(out, "inflow", "D", "2024-02") is None
    assert cell(out, "inflow", "D", "2024-03") is None
    assert cell(out, "inflow", "D", "2024-04") == pytest.approx(2.0)
