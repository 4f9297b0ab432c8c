"""Hamburg's Stadtteilprofile 2014 as published: spaces as thousands separators, decimal
commas, padded cells, withheld values, and the Bezirk and city rows below the Stadtteile
(four Bezirke share their name with a Stadtteil). Expected numbers come from the table
itself, read by hand (the values quoted below) or by Python's csv module."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ankunftsindex import compute

DATA = Path(__file__).parents[1] / "data" / "hamburg"
TABLE = DATA / "Daten_fuer_die_Stadtteilprofile_2014.csv"
SPEC = DATA / "hamburg.yaml"


@pytest.fixture(scope="module")
def result():
    return compute([TABLE], SPEC)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def number(cell: str) -> float:
    return float(cell.replace(" ", "").replace(",", "."))


def value(result, column: str, area: str) -> float:
    f = result.frame
    hit = f.filter(f["area"] == area)
    assert hit.height == 1, f"{area}: {hit.height} rows"
    return hit[column][0]


def test_the_99_stadtteile_are_the_areas_and_the_totals_are_left_out(result, rows) -> None:
    areas = result.frame["area"].to_list()
    assert len(areas) == 99
    assert len(set(areas)) == 99
    # the first 99 data rows of the table are the Stadtteile (by csv, not by our reader)
    assert sorted(areas) == sorted(r["Stadtgebiet"] for r in rows[:99])
    for total in ("Hamburg-Mitte", "Altona", "Hamburg-Nord", "Hamburg"):
        assert total not in areas
    assert [n.code for n in result.notes] == ["input-rows-dropped"]


def test_stadtteile_named_like_their_bezirk_keep_their_own_numbers(result) -> None:
    # table rows 73 and 86 (Stadtteile), not 106 and 107 (Bezirke with 122 815, 155 548)
    assert value(result, "population", "Bergedorf") == 33129
    assert value(result, "population", "Harburg") == 22674
    assert value(result, "population", "Eimsbüttel") == 56097
    assert value(result, "population", "Wandsbek") == 33388


def test_hand_checked_values_of_hamburg_altstadt(result) -> None:
    # row 2: Bevölkerung " 1 675    ", Ausländer "  341    " (table: 20,4 %), Zuzüge 283,
    # Fortzüge 306, SGB II 186 (table: 11,1 %)
    assert value(result, "population", "Hamburg-Altstadt") == 1675
    assert value(result, "foreign_share", "Hamburg-Altstadt") == pytest.approx(341 / 1675 * 100)
    assert round(value(result, "foreign_share", "Hamburg-Altstadt"), 1) == 20.4
    assert value(result, "inflow", "Hamburg-Altstadt") == pytest.approx(283 / 1675 * 1000)
    assert value(result, "fluctuation", "Hamburg-Altstadt") == pytest.approx(
        (283 + 306) / 1675 * 1000)
    assert round(value(result, "sgb2_share", "Hamburg-Altstadt"), 1) == 11.1


def test_published_shares_agree_for_every_stadtteil(result, rows) -> None:
    # the table's own "Ausländeranteil in %" (one decimal) against our recomputed share
    for r in rows[:99]:
        ours = value(result, "foreign_share", r["Stadtgebiet"])
        assert round(ours, 1) == pytest.approx(number(r["Ausländeranteil in %"]), abs=0.051)


def test_populations_sum_like_the_table(result, rows) -> None:
    stadtteile = sum(number(r["Bevölkerung"]) for r in rows[:99])
    assert result.frame["population"].sum() == stadtteile == 1_782_217
    # the 7 Bezirke (left out) add up to the city row (left out too)
    assert sum(number(r["Bevölkerung"]) for r in rows[99:106]) == number(
        rows[106]["Bevölkerung"]) == 1_788_994


def test_negative_numbers_with_a_blank_after_the_sign(tmp_path: Path) -> None:
    # the table writes negative balances as "-  23"; read as -23 (a column taken as is)
    spec = SPEC.read_text(encoding="utf-8").replace(
        "  sgb2_share:\n", "  balance: {column: Wanderungssaldo}\n  sgb2_share:\n")
    path = tmp_path / "spec.yaml"
    path.write_text(spec, encoding="utf-8")
    result = compute([TABLE], path)
    assert value(result, "balance", "Hamburg-Altstadt") == -23
