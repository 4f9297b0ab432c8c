"""reference_period makes scores comparable across years (docs/method.md, "Comparable
across years"): a uniform city-wide rise of the foreign population by 20 % from 2025-01
leaves per-period z-scores where they were and raises every score against a fixed
reference period, by exactly 0.2 · x / sd_ref (checked with numpy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ankunftsindex.pipeline import compute_frame
from ankunftsindex.read import load_input
from ankunftsindex.spec import Spec, parse_spec

ROOT = Path(__file__).parents[2]
CSV = ROOT / "sample_data" / "beispielstadt_2021-01_2025-12.csv"
TEXT = (ROOT / "indicators.yaml").read_text(encoding="utf-8")
PERIODS = ["2023-12", "2024-12", "2025-12"]
REF, LAST = "2023-12", "2025-12"
SCORE = "arrival_foreign_share_score"


def with_reference(text: str) -> Spec:
    label = "    label: Ankunftsindex\n"
    assert text.count(label) == 1
    return parse_spec(text.replace(label, label + f'    reference_period: "{REF}"\n'))


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, str], pl.DataFrame]:
    base = parse_spec(TEXT)
    raw, _ = load_input([CSV], base)
    risen = raw.with_columns(
        pl.when(pl.col("Monat") >= "2025-01").then(pl.col("Auslaender") * 1.2)
        .otherwise(pl.col("Auslaender")).alias("Auslaender"))
    out = {}
    for data_name, data in (("sample", raw), ("risen", risen)):
        for spec_name, spec in (("per_period", base), ("reference", with_reference(TEXT))):
            frame, _ = compute_frame(data, spec, periods=PERIODS)
            out[data_name, spec_name] = frame.filter(pl.col("status") == "scored").sort(
                "period", "area")
    return out


def at(frame: pl.DataFrame, period: str) -> pl.DataFrame:
    return frame.filter(pl.col("period") == period)


def test_per_period_scores_ignore_a_uniform_rise(runs: dict) -> None:
    a, b = at(runs["sample", "per_period"], LAST), at(runs["risen", "per_period"], LAST)
    assert (b["foreign_share"] / a["foreign_share"]).to_list() == pytest.approx([1.2] * a.height)
    for column in (SCORE, "arrival"):
        assert b[column].to_list() == pytest.approx(a[column].to_list(), abs=1e-9)
    assert b["arrival_class"].to_list() == a["arrival_class"].to_list()


def test_scores_against_a_reference_period_show_it(runs: dict) -> None:
    a, b = at(runs["sample", "reference"], LAST), at(runs["risen", "reference"], LAST)
    ref = at(runs["sample", "reference"], REF)["foreign_share"].to_numpy()
    sd_ref = np.std(ref, ddof=0)
    expected = a[SCORE].to_numpy() + 0.2 * a["foreign_share"].to_numpy() / sd_ref
    assert b[SCORE].to_numpy() == pytest.approx(expected, abs=1e-9)
    assert (b[SCORE] > a[SCORE]).all() and (b["arrival"] > a["arrival"]).all()
    # the reference period itself does not move, and is standardised (mean 0)
    assert at(runs["risen", "reference"], REF)["arrival"].to_list() == pytest.approx(
        at(runs["sample", "per_period"], REF)["arrival"].to_list(), abs=1e-9)
    assert at(runs["risen", "reference"], REF)["arrival"].mean() == pytest.approx(0, abs=1e-9)


def test_the_numbers_in_the_docs(runs: dict) -> None:
    """docs/method.md quotes these (rounded to two decimals)."""
    def mean(run: tuple[str, str], period: str, column: str = "arrival") -> float:
        return round(at(runs[run], period)[column].mean(), 2)

    assert [mean(("sample", "per_period"), p, "foreign_share") for p in PERIODS] == [
        13.24, 13.99, 14.88]
    assert [mean(("sample", "per_period"), p) for p in PERIODS] == [0, 0, 0]
    assert [mean(("sample", "reference"), p) for p in PERIODS] == [0, 0.04, 0.09]
    assert mean(("risen", "per_period"), LAST, "foreign_share") == 17.85
    assert mean(("risen", "per_period"), LAST) == 0
    assert mean(("risen", "reference"), LAST) == 0.21

    def area(run: tuple[str, str]) -> tuple[float, float, str]:
        row = at(runs[run], LAST).filter(pl.col("area") == "01010101").row(0, named=True)
        return round(row[SCORE], 2), round(row["arrival"], 2), row["arrival_class"]

    assert area(("sample", "per_period")) == (0.42, 0.32, "mittel")
    assert area(("risen", "per_period")) == (0.42, 0.32, "mittel")
    assert area(("sample", "reference")) == (0.70, 0.43, "mittel")
    assert area(("risen", "reference")) == (1.23, 0.56, "erhöht")
