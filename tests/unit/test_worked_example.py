"""The worked example of docs/method.md, run through the default spec.

Four areas, 36 months (2023-01 … 2025-12) so that the default spec (12-month flows,
24-month changes) can score 2025-12. The expected numbers are the hand calculation printed
in docs/method.md ("A worked example"), rounded to three decimals there; if this test
fails, the doc and the code disagree.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ankunftsindex.pipeline import compute_frame
from ankunftsindex.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]

AREAS = ["01", "02", "03", "04"]
NAMES = ["Altstadt", "Bahnhofsviertel", "Gartenstadt", "Nordsiedlung"]

# the tables of docs/method.md: stocks per month, flows per year (summed over 12 months)
EINWOHNER = [5000, 4000, 6000, 3000]
EINWOHNER_U65 = [4000, 3500, 4500, 2500]
SGBII = [320, 630, 135, 500]
ZUZUEGE = [600, 800, 480, 420]
FORTZUEGE = [550, 720, 420, 360]
YEAR_2025 = {"Zuzuege_Ausland": [100, 320, 60, 180], "Auslaender": [750, 1400, 300, 720]}
YEARS_2023_2024 = {"Zuzuege_Ausland": [90, 300, 60, 60], "Auslaender": [700, 1360, 300, 450]}


def monthly(annual: int, month: int) -> int:
    """An annual count spread over 12 months as whole numbers (only the sum matters)."""
    return annual // 12 + (1 if month <= annual % 12 else 0)


def example_frame() -> pl.DataFrame:
    rows = []
    for year in (2023, 2024, 2025):
        values = YEAR_2025 if year == 2025 else YEARS_2023_2024
        for month in range(1, 13):
            for k, area in enumerate(AREAS):
                rows.append({
                    "Gebiet_Nr": area,
                    "Gebiet_Name": NAMES[k],
                    "Monat": f"{year}-{month:02d}",
                    "Einwohner": EINWOHNER[k],
                    "Zuzuege_Ausland": monthly(values["Zuzuege_Ausland"][k], month),
                    "Auslaender": values["Auslaender"][k],
                    "Zuzuege": monthly(ZUZUEGE[k], month),
                    "Fortzuege": monthly(FORTZUEGE[k], month),
                    "SGBII_Empfaenger": SGBII[k],
                    "Einwohner_u65": EINWOHNER_U65[k],
                })
    text = ("Gebiet_Nr", "Gebiet_Name", "Monat")
    return pl.DataFrame(rows).with_columns(
        pl.col(*text).cast(pl.String),
        pl.exclude(*text).cast(pl.Float64),
    )


@pytest.fixture(scope="module")
def result() -> tuple[pl.DataFrame, list[str]]:
    spec = load_spec(ROOT / "indicators.yaml")
    return compute_frame(example_frame(), spec)


def col(out: pl.DataFrame, name: str) -> list:
    return out[name].to_list()


def test_only_the_36th_month_is_scored(result: tuple[pl.DataFrame, list[str]]) -> None:
    out, periods = result
    assert periods == ["2025-12"]
    assert col(out, "area") == AREAS
    assert col(out, "status") == ["scored"] * 4


def test_raw_indicator_values(result: tuple[pl.DataFrame, list[str]]) -> None:
    out, _ = result
    assert col(out, "intl_inflow") == pytest.approx([20, 80, 10, 60])
    assert col(out, "foreign_share") == pytest.approx([15, 35, 5, 24])
    assert col(out, "fluctuation") == pytest.approx([230, 380, 150, 260])
    assert col(out, "sgb2_share") == pytest.approx([8, 18, 3, 20])
    assert col(out, "foreign_share_change") == pytest.approx([1, 1, 0, 9])
    assert col(out, "intl_inflow_change") == pytest.approx([2, 5, 0, 40])


DOC = pytest.approx  # doc values are rounded to three decimals
TOL = 5e-4


def test_arrival_index(result: tuple[pl.DataFrame, list[str]]) -> None:
    out, _ = result
    scores = {
        "intl_inflow": [-0.786, 1.311, -1.136, 0.612],
        "foreign_share": [-0.429, 1.377, -1.332, 0.384],
        "fluctuation": [-0.303, 1.513, -1.271, 0.061],
        "sgb2_share": [-0.606, 0.820, -1.319, 1.105],
    }
    for indicator, expected in scores.items():
        assert col(out, f"arrival_{indicator}_score") == DOC(expected, abs=TOL), indicator
    mean = out.select(pl.mean_horizontal(pl.col(r"^arrival_.*_score$"))).to_series().to_list()
    assert mean == DOC([-0.531, 1.255, -1.264, 0.540], abs=TOL)
    assert col(out, "arrival") == DOC([-0.549, 1.297, -1.306, 0.558], abs=TOL)
    assert col(out, "arrival_rank") == [3, 1, 4, 2]
    assert col(out, "arrival_class") == ["mittel", "hoch", "niedrig", "erhöht"]
    # re-standardised: mean 0 and population SD 1 over the four areas
    assert out["arrival"].mean() == DOC(0, abs=1e-12)
    assert out["arrival"].std(ddof=0) == DOC(1)


def test_dynamics_index(result: tuple[pl.DataFrame, list[str]]) -> None:
    out, _ = result
    assert col(out, "dynamics_foreign_share_change_score") == DOC(
        [-0.482, -0.482, -0.757, 1.721], abs=TOL)
    assert col(out, "dynamics_intl_inflow_change_score") == DOC(
        [-0.594, -0.411, -0.716, 1.722], abs=TOL)
    assert col(out, "dynamics") == DOC([-0.538, -0.447, -0.737, 1.722], abs=TOL)
    assert col(out, "dynamics_rank") == [3, 2, 4, 1]
    assert col(out, "dynamics_class") == ["stabil", "stabil", "stabil", "steigend"]


def test_typology(result: tuple[pl.DataFrame, list[str]]) -> None:
    out, _ = result
    assert col(out, "typ") == [
        "kein Ankunftsquartier",
        "etabliertes Ankunftsquartier",
        "kein Ankunftsquartier",
        "neues Ankunftsquartier",
    ]


def test_sample_sd_shrinks_the_index_by_sqrt_three_quarters() -> None:
    """With ddof 1 the final index is the ddof-0 index × √((n−1)/n): area 04 drops from
    0.558 (erhöht) to 0.483 (mittel) — noticeable for 4 areas, negligible for 400."""
    spec = load_spec(ROOT / "indicators.yaml")
    arrival = spec.indices["arrival"].model_copy(update={"ddof": 1})
    spec = spec.model_copy(update={"indices": {**spec.indices, "arrival": arrival}})
    out, _ = compute_frame(example_frame(), spec)
    assert col(out, "arrival") == DOC([-0.475, 1.123, -1.131, 0.483], abs=TOL)
    assert col(out, "arrival_class") == ["mittel", "hoch", "niedrig", "mittel"]
