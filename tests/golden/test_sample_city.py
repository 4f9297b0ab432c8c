"""The synthetic sample city "Beispielstadt": the default spec finds what was planted.

The planted areas come from ``sample_data/planted.csv`` (written by the generator), the
expectations from ``sample_data/README.md``: established arrival areas are typed
``etabliertes Ankunftsquartier``, the new ones are typed ``neues Ankunftsquartier`` before
the last year and enter the classes ``hoch``/``sehr hoch`` only in the last year, the tiny
areas are excluded, and nothing else is typed an arrival area.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from ankunftsindex import compute

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "sample_data"
CSV = SAMPLE / "beispielstadt_2021-01_2025-12.csv"
GEOJSON = SAMPLE / "beispielstadt.geojson"
PLANTED = SAMPLE / "planted.csv"
SPEC = ROOT / "indicators.yaml"
GENERATED = [CSV.name, GEOJSON.name, PLANTED.name]

FIRST_SCORED, BEFORE_LAST_YEAR, LAST = "2023-12", "2024-12", "2025-12"
HIGH = ("hoch", "sehr hoch")
ESTABLISHED, NEW, NONE = (
    "etabliertes Ankunftsquartier", "neues Ankunftsquartier", "kein Ankunftsquartier")
COLUMNS = ["Monat", "Gebiet_Nr", "Gebiet_Name", "Einwohner", "Einwohner_u65", "Auslaender",
           "Zuzuege_Ausland", "Zuzuege", "Fortzuege", "SGBII_Empfaenger"]


@pytest.fixture(scope="module")
def planted() -> dict[str, list[str]]:
    with PLANTED.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert rows and list(rows[0]) == ["area", "kind", "note"]
    kinds: dict[str, list[str]] = {"established": [], "new": [], "tiny": []}
    for row in rows:
        kinds[row["kind"]].append(row["area"])
    return kinds


@pytest.fixture(scope="module")
def out() -> pl.DataFrame:
    return compute([CSV], SPEC).frame


def at(frame: pl.DataFrame, period: str, areas: list[str]) -> pl.DataFrame:
    return frame.filter((pl.col("period") == period) & pl.col("area").is_in(areas)).sort("area")


def test_planted_list(planted: dict[str, list[str]]) -> None:
    assert 5 <= len(planted["established"]) <= 6
    assert 3 <= len(planted["new"]) <= 4
    assert len(planted["tiny"]) == 3
    every = [a for areas in planted.values() for a in areas]
    assert len(every) == len(set(every))


def test_scored_periods(out: pl.DataFrame, planted: dict[str, list[str]]) -> None:
    """24-month changes of 12-month flows need 35 earlier months: scoring starts 2023-12,
    and every area but the tiny ones is scored in every output period."""
    scored = out.filter(pl.col("status") == "scored")
    assert scored["period"].min() == FIRST_SCORED
    assert scored["period"].max() == LAST
    assert scored["period"].n_unique() == 25
    assert scored.group_by("period").len()["len"].unique().to_list() == [80 - 3]
    assert set(out.filter(pl.col("status") != "scored")["area"]) == set(planted["tiny"])


def test_tiny_areas_are_excluded(out: pl.DataFrame, planted: dict[str, list[str]]) -> None:
    tiny = out.filter(pl.col("area").is_in(planted["tiny"]))
    assert tiny.height == 3 * 25
    assert set(tiny["status"]) == {"excluded_small"}
    assert tiny["population"].max() < 300
    assert tiny["arrival"].null_count() == tiny.height
    assert tiny["typ"].null_count() == tiny.height


def test_established_areas_last_period(out: pl.DataFrame,
                                       planted: dict[str, list[str]]) -> None:
    last = at(out, LAST, planted["established"])
    assert last.height == len(planted["established"])
    assert last["typ"].to_list() == [ESTABLISHED] * last.height
    assert last["arrival_class"].is_in(HIGH).all()


def test_established_areas_every_period(out: pl.DataFrame,
                                        planted: dict[str, list[str]]) -> None:
    """Stable and high throughout: typed established in every scored period."""
    est = out.filter(pl.col("area").is_in(planted["established"]))
    assert est.height == len(planted["established"]) * 25
    assert set(est["typ"]) == {ESTABLISHED}
    assert est["arrival"].min() >= 2.0  # far above the class bound 1.0
    assert est["dynamics"].max() < 1.0  # never "steigend" (that would make them "neu")


def test_new_areas_detected_before_the_last_year(out: pl.DataFrame,
                                                 planted: dict[str, list[str]]) -> None:
    early = out.filter(pl.col("area").is_in(planted["new"])
                       & (pl.col("period") <= BEFORE_LAST_YEAR) & (pl.col("typ") == NEW))
    assert set(early["area"]) == set(planted["new"])


def test_new_areas_enter_the_high_classes_in_the_last_year(
        out: pl.DataFrame, planted: dict[str, list[str]]) -> None:
    before = at(out, BEFORE_LAST_YEAR, planted["new"])
    last = at(out, LAST, planted["new"])
    assert before.height == last.height == len(planted["new"])
    assert not before["arrival_class"].is_in(HIGH).any()
    assert last["arrival_class"].is_in(HIGH).all()
    assert last["typ"].to_list() == [NEW] * last.height
    # with a margin, so that a later `diff` of 2024-12 and 2025-12 shows them robustly
    assert before["arrival"].max() <= 0.9
    assert before["arrival"].min() >= 0.55  # "erhöht": above the 0.5 of the rule for new
    assert last["arrival"].min() >= 1.3
    assert last["dynamics"].min() >= 2.0


def test_no_other_area_typed_in_last_period(out: pl.DataFrame,
                                            planted: dict[str, list[str]]) -> None:
    planted_areas = planted["established"] + planted["new"] + planted["tiny"]
    others = out.filter((pl.col("period") == LAST) & ~pl.col("area").is_in(planted_areas))
    assert others.height == 80 - len(planted_areas)
    assert set(others["typ"]) == {NONE}
    assert others["arrival"].max() < 1.0


def test_no_false_positive_in_any_period(out: pl.DataFrame,
                                         planted: dict[str, list[str]]) -> None:
    """Stricter than required (a stray earlier false positive would be acceptable)."""
    planted_areas = planted["established"] + planted["new"] + planted["tiny"]
    others = out.filter(~pl.col("area").is_in(planted_areas))
    assert set(others["typ"]) == {NONE}
    assert others["arrival"].max() < 0.5  # so the rule for new can never fire


def test_csv_format() -> None:
    raw = CSV.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(COLUMNS)
    df = pl.read_csv(CSV, separator=";", infer_schema=False)
    assert df.columns == COLUMNS
    assert df.height == 80 * 60
    assert df["Gebiet_Nr"].str.contains(r"^0[1-8]\d{6}$").all()
    assert df.select(pl.struct("Gebiet_Nr", "Monat").is_unique().all()).item()
    months = sorted(set(df["Monat"]))
    assert months[0] == "2021-01" and months[-1] == LAST and len(months) == 60
    n = df.select(pl.col(COLUMNS[3:]).cast(pl.Int64))
    assert n.select(pl.min_horizontal(pl.all()).min()).item() >= 0
    assert (n["Zuzuege"] >= n["Zuzuege_Ausland"]).all()
    assert (n["Auslaender"] <= n["Einwohner"]).all()
    assert (n["Einwohner_u65"] <= n["Einwohner"]).all()
    assert (n["SGBII_Empfaenger"] < n["Einwohner_u65"]).all()


def test_geojson_matches_csv() -> None:
    geo = json.loads(GEOJSON.read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection"
    df = pl.read_csv(CSV, separator=";", infer_schema=False)
    names = dict(df.select("Gebiet_Nr", "Gebiet_Name").unique().iter_rows())
    seen = set()
    for feature in geo["features"]:
        props = feature["properties"]
        assert names[props["Gebiet_Nr"]] == props["Gebiet_Name"]
        seen.add(props["Gebiet_Nr"])
        ring = feature["geometry"]["coordinates"][0]
        assert feature["geometry"]["type"] == "Polygon" and ring[0] == ring[-1]
        assert all(round(c, 5) == c for point in ring for c in point)
    assert seen == set(names)


def test_generator_is_deterministic(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SAMPLE / "make_sample_data.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), (
            f"{name} differs from a fresh run; rerun python sample_data/make_sample_data.py")
