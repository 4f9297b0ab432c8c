"""The sample city over time: diff of 2024-12 against 2025-12 shows the planted new arrival
neighbourhoods entering the arrival classes; watch flags them before they reach the top
class; a diff of an output with itself finds nothing.

Expected counts come from an independent count over the output frames (plain Python), the
planted areas from ``sample_data/planted.csv``.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ankunftsindex import compute
from ankunftsindex.cli import app
from ankunftsindex.diff import NOT_SCORED, read_output
from ankunftsindex.watch import WatchRules, watch
from ankunftsindex.write import write_output

ROOT = Path(__file__).parents[2]
CSV = ROOT / "sample_data" / "beispielstadt_2021-01_2025-12.csv"
PLANTED = ROOT / "sample_data" / "planted.csv"
SPEC = ROOT / "indicators.yaml"
HIGH = ("hoch", "sehr hoch")
TOP = "sehr hoch"
OLD, NEW = "2024-12", "2025-12"


@pytest.fixture(scope="module")
def new_areas() -> set[str]:
    with PLANTED.open(encoding="utf-8", newline="") as fh:
        return {r["area"] for r in csv.DictReader(fh, delimiter=";") if r["kind"] == "new"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample panel (computed once), and its two Decembers as files of their own."""
    folder = tmp_path_factory.mktemp("over_time")
    result = compute([CSV], SPEC)
    paths = {"panel": folder / "panel.parquet", OLD: folder / "old.parquet",
             NEW: folder / "new.parquet"}
    write_output(result.frame, paths["panel"], result.metadata())
    for period in (OLD, NEW):
        write_output(result.frame.filter(pl.col("period") == period), paths[period],
                     result.metadata())
    return paths


def run(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def classes(path: Path, period: str) -> dict[str, str]:
    frame = pl.read_parquet(path).filter(pl.col("period") == period)
    return {a: c or NOT_SCORED for a, c in frame.select("area", "arrival_class").rows()}


def test_diff_shows_the_new_arrival_neighbourhoods_entering(
        outputs: dict[str, Path], new_areas: set[str]) -> None:
    result = run("diff", outputs[OLD], outputs[NEW], "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    arrival = report["indices"]["arrival"]
    labels = arrival["classes"]
    # the matrix, counted independently from the two files
    old, new = classes(outputs[OLD], OLD), classes(outputs[NEW], NEW)
    pairs = Counter((old[a], new[a]) for a in old)
    expected = [[pairs[(o, n)] for n in labels] for o in labels]
    assert arrival["transitions"]["counts"] == expected
    assert sum(map(sum, expected)) == 80
    # the areas that entered the arrival classes hoch/sehr hoch are the planted new ones
    entered = {r["area"] for c in HIGH for r in arrival["entered"][c]
               if r["old_class"] not in HIGH}
    assert entered == new_areas
    assert entered == {a for a in old if new[a] in HIGH and old[a] not in HIGH}
    # none left them
    assert not [r for c in HIGH for r in arrival["left"][c] if r["new_class"] not in HIGH]
    assert report["only_in_old"] == report["only_in_new"] == []
    # the largest risers of the index are the planted areas, too
    risers = [r["area"] for r in arrival["value_movers"] if r["value_change"] > 0][:4]
    assert set(risers) == new_areas


def test_two_periods_of_the_panel_give_the_same_report(outputs: dict[str, Path]) -> None:
    two_files = run("diff", outputs[OLD], outputs[NEW], "--format", "json")
    one_file = run("diff", outputs["panel"], "--old-period", OLD, "--new-period", NEW,
                   "--format", "json")
    assert one_file.exit_code == two_files.exit_code == 1
    assert json.loads(one_file.stdout)["indices"] == json.loads(two_files.stdout)["indices"]


def test_text_report(outputs: dict[str, Path]) -> None:
    result = run("diff", outputs["panel"], "--old-period", OLD, "--new-period", NEW)
    assert result.exit_code == 1
    assert "entered sehr hoch (3):" in result.stdout
    assert "03030202 Plattenbausiedlung Ost: erhöht → sehr hoch" in result.stdout
    assert "entered hoch (1):\n  08030102 Sonnenhügel: erhöht → hoch" in result.stdout
    assert result.stdout.rstrip().endswith("differences: yes")


@pytest.mark.parametrize("name", ["panel", NEW])
def test_an_output_against_itself(outputs: dict[str, Path], name: str) -> None:
    result = run("diff", outputs[name], outputs[name])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("no differences")
    assert "entered" not in result.stdout and result.stderr == ""
    data = json.loads(run("diff", outputs[name], outputs[name], "--format", "json").stdout)
    assert data["differences"] is False and set(data["changed_columns"].values()) == {0}


def test_watch_flags_the_new_neighbourhoods_before_the_top_class(
        outputs: dict[str, Path], new_areas: set[str]) -> None:
    out = read_output(outputs["panel"])
    frame = out.frame
    rules = WatchRules()  # the defaults: rise > 0.5 over 12 months, persistence 3 months
    first_flag: dict[str, str] = {}
    for period in out.periods[12:]:  # a 12-month look-back needs a year of output
        report = watch(out, WatchRules(as_of=period))
        assert report.index == "arrival" and report.since < period
        flagged = set(report.flagged["area"])
        assert flagged <= new_areas, f"false alarm in {period}: {flagged - new_areas}"
        for area in flagged:
            first_flag.setdefault(area, period)
    assert set(first_flag) == new_areas
    for area in new_areas:
        top = frame.filter((pl.col("area") == area) & (pl.col("arrival_class") == TOP))
        reached = top["period"].min()
        # flagged before the area reaches the top class (or although it never does),
        # and while it was not yet in the top class
        assert reached is None or first_flag[area] < reached, (area, first_flag[area])
        at_flag = frame.filter((pl.col("area") == area)
                               & (pl.col("period") == first_flag[area]))
        assert at_flag["arrival_class"][0] != TOP
    assert rules.over == 12 and rules.persist == 3 and rules.rise == 0.5


def test_watch_from_the_command_line(outputs: dict[str, Path], new_areas: set[str]) -> None:
    result = run("watch", outputs["panel"], "--as-of", OLD, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert {a["area"] for a in data["areas"]} == new_areas
    assert data["flagged"] == 4 and data["since"] == "2023-12"
    assert all(a["class"] not in HIGH for a in data["areas"])
    quiet = run("watch", outputs["panel"], "--rule", "rise", "--rise", "5")
    assert quiet.exit_code == 0 and "0 area(s) flagged" in quiet.stdout
