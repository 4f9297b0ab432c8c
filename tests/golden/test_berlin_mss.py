"""Real data: the Berlin MSS method reproduces every official class of two editions."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ankunftsindex import compute

DATA = Path(__file__).parents[1] / "data" / "berlin-mss"


@pytest.mark.parametrize("year", [2013, 2015])
def test_every_official_class_is_reproduced(year: int) -> None:
    result = compute([DATA / f"mss-{year}-00-2-1.csv"], DATA / "mss.yaml")
    official = pl.read_csv(DATA / f"mss-{year}-00-1.csv", schema_overrides={"id": pl.String})
    ours = result.frame
    joined = official.join(ours, left_on="id", right_on="area", how="left")

    # every officially classified area is scored by us, with the same classes
    assert joined["status"].to_list() == ["scored"] * official.height
    assert (joined["status_index_klasse"] == joined["sozialstatus_class"]).all()
    assert (joined["dynamik_index_klasse"] == joined["dynamik_class"]).all()
    # and nothing else is scored: small areas and the named exclusion are left out
    assert ours.filter(pl.col("status") == "scored").height == official.height
    assert ours.filter(pl.col("area") == "10010203")["status"].item() == "excluded_named"
    small = ours.filter(pl.col("population") < 300)
    assert small.height > 0
    assert set(small["status"].to_list()) == {"excluded_small"}


@pytest.mark.parametrize("year", [2013, 2015])
def test_official_index_codes_match_classes(year: int) -> None:
    """The published status code 1–4 orders the areas like our index value."""
    result = compute([DATA / f"mss-{year}-00-2-1.csv"], DATA / "mss.yaml")
    official = pl.read_csv(DATA / f"mss-{year}-00-1.csv", schema_overrides={"id": pl.String})
    joined = official.join(result.frame, left_on="id", right_on="area")
    by_code = joined.group_by("status_index").agg(
        pl.col("sozialstatus").min().alias("lo"), pl.col("sozialstatus").max().alias("hi")
    ).sort("status_index")
    # code 1 (hoch) below −1 SD, 2 in [−1, 1), 3 in [1, 1.5), 4 from 1.5
    bounds = [(-float("inf"), -1.0), (-1.0, 1.0), (1.0, 1.5), (1.5, float("inf"))]
    for (lo, hi), (b_lo, b_hi) in zip(by_code.select("lo", "hi").rows(), bounds, strict=True):
        assert b_lo <= lo and hi < b_hi
