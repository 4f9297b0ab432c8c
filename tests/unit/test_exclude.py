"""exclude: the status of every row, which rows enter normalisation, which periods are output.

Status, first that applies: excluded_named, excluded_small, insufficient_history,
missing_data, scored. Expected scores are computed here with numpy over the areas that
METHOD.md says are scored, so that a leak of excluded rows into the statistics shows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from helpers import cell, table

from ankunftsindex import compute
from ankunftsindex.errors import ComputeError
from ankunftsindex.pipeline import compute_frame
from ankunftsindex.spec import parse_spec

# --- status order over months ----------------------------------------------------------------

MONTHLY = """\
spec_version: 1
input: {area: gebiet, period: monat, population: ew}
min_population: 300
exclude:
  - {area: X, reason: Erstaufnahmeeinrichtung}
  - {area: Y, reason: Kaserne}
window: 2
indicators:
  inflow: {numerator: zuzug, type: flow, per: 1000}
  share: {numerator: ausl, per: 100}
  spare: {column: u}
indices:
  i:
    weights: {inflow: 1, share: 1}
    normalise: zscore
    classes: [{label: hoch, from: 0}, {label: niedrig, to: 0}]
typology:
  column: typ
  rules: [{label: oben, when: "i_class = 'hoch'"}]
  default: unten
"""
M = ("2024-01", "2024-02", "2024-03")
# area -> per month (ew, zuzug, ausl, u); a missing month is None
AREAS: dict[str, list[tuple | None]] = {
    "A": [(1000, 10, 100, 1), (1000, 20, 110, 1), (1000, 30, 120, 1)],
    "B": [(2000, 5, 400, 1), (2000, 5, 300, 1), (2000, 50, 200, 1)],
    "C": [(500, 1, 10, 1), (500, 2, 20, 1), (500, 3, 30, 1)],
    "D": [(800, 8, 80, 1), (800, 0, 160, 1), (800, 16, 240, 1)],
    # named exclusion, also small and with a null: excluded_named wins
    "X": [(100, 1, None, 1), (100, 1, 90, 1), (100, 1, 90, 1)],
    # named, new in 02, small and with a null: excluded_named wins over all the others
    "Y": [None, (100, 1, None, 1), (100, 1, 10, 1)],
    # small in 02; exactly the minimum in 03
    "S": [(200, 2, 20, 1), (250, 2, 20, 1), (300, 2, 30, 1)],
    # new and small in 02: excluded_small wins over insufficient_history
    "T": [None, (200, 4, 40, 1), (400, 4, 40, 1)],
    # new in 02 with a null there: insufficient_history wins over missing_data
    "N": [None, (900, 9, None, 1), (900, 9, 90, 1)],
    # a null in a used indicator in 03
    "M": [(700, 7, 70, 1), (700, 7, 70, 1), (700, 7, None, 1)],
    # a null only in an indicator that no index uses
    "U": [(600, 6, 60, 1), (600, 12, 60, None), (600, 18, 60, None)],
}
MONTHLY_ROWS = table(
    "gebiet monat ew zuzug ausl u",
    [(a, m, *v) for a, vs in AREAS.items() for m, v in zip(M, vs, strict=True) if v is not None],
)
EXPECTED_STATUS = {
    "2024-02": {"A": "scored", "B": "scored", "C": "scored", "D": "scored",
                "X": "excluded_named", "Y": "excluded_named", "S": "excluded_small",
                "T": "excluded_small", "N": "insufficient_history", "M": "scored",
                "U": "scored"},
    "2024-03": {"A": "scored", "B": "scored", "C": "scored", "D": "scored",
                "X": "excluded_named", "Y": "excluded_named", "S": "scored", "T": "scored",
                "N": "scored", "M": "missing_data", "U": "scored"},
}
OUT = ["2024-02", "2024-03"]


def raw_values(period_index: int) -> dict[str, tuple[float | None, float | None]]:
    """inflow and share of every area in one period, by plain arithmetic."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for area, vs in AREAS.items():
        now = vs[period_index]
        if now is None:
            continue
        before = vs[period_index - 1] if period_index > 0 else None
        inflow = None
        if before is not None:
            inflow = (before[1] + now[1]) / ((before[0] + now[0]) / 2) * 1000
        share = None if now[2] is None else now[2] / now[0] * 100
        out[area] = (inflow, share)
    return out


def zscores(values: dict[str, float]) -> dict[str, float]:
    x = np.array(list(values.values()))
    z = (x - x.mean()) / x.std(ddof=0)
    return dict(zip(values, z.tolist(), strict=True))


@pytest.fixture(scope="module")
def monthly() -> pl.DataFrame:
    out, periods = compute_frame(MONTHLY_ROWS, parse_spec(MONTHLY), periods=OUT)
    assert periods == OUT
    return out


@pytest.mark.parametrize("period", OUT)
def test_status_follows_the_order_of_the_rules(monthly: pl.DataFrame, period: str) -> None:
    got = dict(monthly.filter(pl.col("period") == period).select("area", "status").rows())
    assert got == EXPECTED_STATUS[period]


def test_population_column_is_the_period_population(monthly: pl.DataFrame) -> None:
    assert cell(monthly, "population", "S", "2024-02") == 250
    assert cell(monthly, "population", "S", "2024-03") == 300


def test_only_scored_rows_get_scores_index_rank_class_and_type(monthly: pl.DataFrame) -> None:
    derived = ["i_inflow_score", "i_share_score", "i", "i_rank", "i_class", "typ"]
    rest = monthly.filter(pl.col("status") != "scored")
    assert rest.height == 8
    for col in derived:
        assert rest[col].null_count() == rest.height, col
    scored = monthly.filter(pl.col("status") == "scored")
    for col in derived:
        assert scored[col].null_count() == 0, col


def test_excluded_rows_keep_their_raw_indicator_values(monthly: pl.DataFrame) -> None:
    assert cell(monthly, "share", "X", "2024-02") == pytest.approx(90 / 100 * 100)
    assert cell(monthly, "inflow", "S", "2024-02") == pytest.approx((2 + 2) / 225 * 1000)


@pytest.mark.parametrize("k", [1, 2])
def test_statistics_come_from_the_scored_areas_only(monthly: pl.DataFrame, k: int) -> None:
    period = M[k]
    raw = raw_values(k)
    scored = [a for a, s in EXPECTED_STATUS[period].items() if s == "scored"]
    z_inflow = zscores({a: raw[a][0] for a in scored})
    z_share = zscores({a: raw[a][1] for a in scored})
    for a in scored:
        assert cell(monthly, "i_inflow_score", a, period) == pytest.approx(z_inflow[a])
        assert cell(monthly, "i_share_score", a, period) == pytest.approx(z_share[a])
        assert cell(monthly, "i", a, period) == pytest.approx((z_inflow[a] + z_share[a]) / 2)


def test_scored_scores_have_mean_zero_over_scored_areas(monthly: pl.DataFrame) -> None:
    for period in OUT:
        scored = monthly.filter((pl.col("period") == period) & (pl.col("status") == "scored"))
        x = scored["i_share_score"].to_numpy()
        assert x.mean() == pytest.approx(0, abs=1e-12)
        assert x.std(ddof=0) == pytest.approx(1)


def test_typology_only_for_scored_rows(monthly: pl.DataFrame) -> None:
    scored = monthly.filter(pl.col("status") == "scored")
    expected = ["oben" if v >= 0 else "unten" for v in scored["i"].to_list()]
    assert scored["typ"].to_list() == expected


def test_change_of_lag_counts_towards_insufficient_history() -> None:
    spec = parse_spec("""\
spec_version: 1
input: {area: gebiet, period: jahr, population: ew}
indicators:
  share: {numerator: ausl, per: 100}
  change: {change_of: share, lag: 2}
indices:
  i: {weights: {change: 1}, normalise: none, classes: [{label: alle}]}
""")
    rows = table("gebiet jahr ew ausl", [
        (a, str(y), 100, n + y - 2020)
        for a, n, first in (("A", 1, 2020), ("B", 5, 2020), ("C", 9, 2021))
        for y in range(first, 2024)
    ])
    out, periods = compute_frame(rows, spec)
    # 2022 is the first year two years after the start of the data
    assert periods == ["2022", "2023"]
    assert cell(out, "status", "C", "2022") == "insufficient_history"
    assert cell(out, "status", "C", "2023") == "scored"
    assert cell(out, "change", "A", "2023") == pytest.approx(2.0)


# --- missing values from files ---------------------------------------------------------------

FILE_SPEC = """\
spec_version: 1
input: {area: Gebiet, name: Name, population: Einwohner}
indicators:
  foreign_share: {numerator: Auslaender, per: 100}
  sgb2_share: {numerator: SGB2, per: 100}
  unused: {numerator: Frei, per: 100}
indices:
  i: {weights: {foreign_share: 1, sgb2_share: 1}, normalise: zscore,
      classes: [{label: alle}]}
"""
FILE_CSV = """\
Gebiet;Name;Einwohner;Auslaender;SGB2;Frei
0101;Altstadt;1000;100;50;1
0102;Neustadt;2000;400;.;1
0103;Hafen;1000;;150;1
0104;Mitte;500;200;75;.
0105;Süd;800;80;40;1
0106;Nord;400;100;20;
"""


def test_withheld_and_empty_cells_are_missing_data(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(FILE_SPEC, encoding="utf-8")
    (tmp_path / "x.csv").write_text(FILE_CSV, encoding="utf-8")
    result = compute([tmp_path / "x.csv"], tmp_path / "spec.yaml")
    out = result.frame
    assert out["area"].to_list() == ["0101", "0102", "0103", "0104", "0105", "0106"]
    assert out["status"].to_list() == [
        "scored", "missing_data", "missing_data", "scored", "scored", "scored"]
    assert cell(out, "sgb2_share", "0102") is None
    assert cell(out, "foreign_share", "0103") is None
    # the withheld or empty cell of an unused indicator does not matter
    assert cell(out, "unused", "0104") is None
    assert cell(out, "i", "0102") is None
    # statistics over 0101, 0104, 0105, 0106 only
    fs = np.array([10.0, 40.0, 10.0, 25.0])
    z = (fs - fs.mean()) / fs.std()
    got = out.filter(pl.col("status") == "scored")["i_foreign_share_score"].to_list()
    assert got == pytest.approx(z.tolist())


# --- cross-section: statistics only over scored areas ----------------------------------------

CROSS = """\
spec_version: 1
input: {area: gebiet, population: ew}
min_population: 300
exclude: [{area: "09", reason: Kaserne}]
indicators:
  x: {column: xv}
  y: {column: yv}
indices:
  i: {weights: {x: 1}, normalise: zscore, ddof: 1, classes: [{label: alle}]}
  j: {weights: {x: 1, y: 1}, normalise: minmax, classes: [{label: alle}]}
"""


def test_statistics_ignore_named_small_and_missing_areas() -> None:
    rows = table("gebiet ew xv yv", [
        ("01", 1000, 1.0, 5.0),
        ("02", 1000, 2.0, 6.0),
        ("03", 1000, 3.0, 4.0),
        ("04", 1000, 6.0, 8.0),
        ("09", 1000, 100.0, 0.0),   # named
        ("10", 299, -50.0, 0.0),    # small
        ("11", 1000, 80.0, None),   # missing y (used by j) → missing for every index
    ])
    out, _ = compute_frame(rows, parse_spec(CROSS))
    assert out["status"].to_list() == ["scored"] * 4 + [
        "excluded_named", "excluded_small", "missing_data"]
    x = np.array([1.0, 2.0, 3.0, 6.0])
    assert out["i_x_score"].to_list()[:4] == pytest.approx(
        ((x - x.mean()) / x.std(ddof=1)).tolist())
    # minmax over the scored areas: min 1, max 6 (not −50 and 100)
    assert out["j_x_score"].to_list()[:4] == pytest.approx([0.0, 0.2, 0.4, 1.0])
    assert out["j_y_score"].to_list()[:4] == pytest.approx([0.25, 0.5, 0.0, 1.0])
    assert out["i_x_score"].to_list()[4:] == [None, None, None]


# --- periods ---------------------------------------------------------------------------------


def test_default_periods_are_those_that_can_be_scored_without_exclusions() -> None:
    rows = MONTHLY_ROWS.filter(pl.col("gebiet").is_in(["A", "B", "C", "D"]))
    out, periods = compute_frame(rows, parse_spec(MONTHLY))
    assert periods == ["2024-02", "2024-03"]
    assert sorted(set(out["period"].to_list())) == ["2024-02", "2024-03"]


def test_default_periods_are_those_that_can_be_scored() -> None:
    # 2024-01 cannot be scored: no area there has two months of history; the named and the
    # small area present in 2024-01 must not make it an output period
    out, periods = compute_frame(MONTHLY_ROWS, parse_spec(MONTHLY))
    assert periods == ["2024-02", "2024-03"]
    assert out.height == 22


def test_requested_periods_select_the_output(monthly: pl.DataFrame) -> None:
    out, periods = compute_frame(MONTHLY_ROWS, parse_spec(MONTHLY), periods=["2024-03"])
    assert periods == ["2024-03"]
    assert set(out["period"].to_list()) == {"2024-03"}
    # statistics are per period, so the rows equal those of a run over all periods
    assert out.equals(monthly.filter(pl.col("period") == "2024-03"))


def test_requested_period_without_two_scored_areas_is_an_error() -> None:
    with pytest.raises(ComputeError) as err:
        compute_frame(MONTHLY_ROWS, parse_spec(MONTHLY), periods=["2024-01"])
    assert "2024-01" in err.value.message
    assert err.value.exit_code == 4


def test_output_is_sorted_by_period_then_area_whatever_the_input_order() -> None:
    shuffled = MONTHLY_ROWS.sample(fraction=1.0, shuffle=True, seed=7)
    out, _ = compute_frame(shuffled, parse_spec(MONTHLY), periods=["2024-03", "2024-02"])
    keys = out.select("period", "area").rows()
    assert keys == sorted(keys)
    assert keys[0] == ("2024-02", "A") and keys[-1] == ("2024-03", "Y")
    assert len(keys) == 22


def test_change_of_a_flow_needs_lag_plus_window_minus_one_earlier_periods() -> None:
    spec = parse_spec("""\
spec_version: 1
input: {area: gebiet, period: jahr, population: ew}
window: 2
indicators:
  inflow: {numerator: zuzug, type: flow, denominator: null}
  change: {change_of: inflow, lag: 1}
indices:
  i: {weights: {change: 1}, normalise: none, classes: [{label: alle}]}
""")
    rows = table("gebiet jahr ew zuzug", [
        (a, str(y), 100, n * (y - 2018) ** 2)
        for a, n, first in (("A", 1, 2019), ("B", 2, 2019), ("C", 3, 2020))
        for y in range(first, 2024)
    ])
    out, periods = compute_frame(rows, spec)
    # change(2021) = inflow(2021) − inflow(2020) needs 2020, 2021 and 2019, 2020
    assert periods == ["2021", "2022", "2023"]
    assert cell(out, "status", "C", "2021") == "insufficient_history"
    assert cell(out, "status", "C", "2022") == "scored"
    # A: zuzug 1, 4, 9, 16, 25 in 2019..2023 → inflow(2023) − inflow(2022) = 41 − 25
    assert cell(out, "change", "A", "2023") == pytest.approx((16 + 25) - (9 + 16))
    assert cell(out, "change", "C", "2022") == pytest.approx(3 * ((9 + 16) - (4 + 9)))


def test_one_area_with_an_earlier_series_does_not_make_its_months_output_periods() -> None:
    # A starts a month before B and C: in 2024-01 only A has the history the flow needs,
    # which is not enough to normalise, so the default output starts in 2024-02
    spec = parse_spec("""\
spec_version: 1
input: {area: gebiet, period: monat, population: ew}
window: 2
indicators:
  inflow: {numerator: zu, per: 1000, type: flow}
indices:
  arrival: {weights: {inflow: 1}, classes: [{label: alle}]}
""")
    rows = table("gebiet monat ew zu", [
        ("A", "2023-12", 1000, 1), ("A", "2024-01", 1000, 2), ("A", "2024-02", 1000, 3),
        ("B", "2024-01", 1000, 4), ("B", "2024-02", 1000, 6),
        ("C", "2024-01", 1000, 5), ("C", "2024-02", 1000, 9),
    ])
    out, periods = compute_frame(rows, spec)
    assert periods == ["2024-02"]
    # A: (2 + 3) / 1000 × 1000 / ... the mean denominator is 1000, so 5 per 1,000
    assert cell(out, "inflow", "A") == pytest.approx(5.0)
    assert cell(out, "inflow", "C") == pytest.approx(14.0)


def test_exclusions_that_empty_a_month_are_an_error_not_a_silent_gap() -> None:
    spec = parse_spec("""\
spec_version: 1
input: {area: gebiet, period: monat, population: ew}
min_population: 300
indicators:
  share: {numerator: aus, per: 100}
indices:
  arrival: {weights: {share: 1}, classes: [{label: alle}]}
""")
    rows = table("gebiet monat ew aus", [
        ("A", "2024-01", 1000, 10), ("B", "2024-01", 1000, 20),
        ("A", "2024-02", 1000, 10), ("B", "2024-02", 100, 20),  # B too small in February
    ])
    with pytest.raises(ComputeError) as err:
        compute_frame(rows, spec)
    assert "2024-02" in err.value.message and "1 scored" in err.value.message


def test_named_exclusion_missing_from_the_data_is_a_warning(tmp_path: Path) -> None:
    from ankunftsindex import compute

    spec = tmp_path / "s.yaml"
    spec.write_text("""\
spec_version: 1
input: {area: gebiet, population: ew}
exclude: [{area: "0815", reason: Tippfehler}, {area: "03", reason: Kaserne}]
indicators:
  share: {numerator: aus, per: 100}
indices:
  arrival: {weights: {share: 1}, classes: [{label: alle}]}
""", encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("gebiet;ew;aus\n01;1000;10\n02;1000;30\n03;500;1\n", encoding="utf-8")
    result = compute([data], spec)
    assert [w.code for w in result.warnings] == ["input-unknown-exclusion"]
    assert result.warnings[0].value == "0815" and result.warnings[0].severity == "warning"
    assert result.frame["status"].to_list() == ["scored", "scored", "excluded_named"]
