"""Crosswalks: counts split and merged by weight before deriving, shares re-derived,
validation with file and line."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from helpers import cell, table

from ankunftsindex.crosswalk import Crosswalk, apply_crosswalk, read_crosswalk
from ankunftsindex.errors import InputError
from ankunftsindex.pipeline import compute_frame, compute_result
from ankunftsindex.spec import parse_spec

SPEC = parse_spec("""
spec_version: 1
input: {area: gebiet, name: name, period: monat, population: ew}
window: 2
indicators:
  foreign_share: {numerator: ausl, per: 100}
  inflow: {numerator: zuz, per: 1000, type: flow}
indices:
  a:
    weights: {foreign_share: 1, inflow: 1}
    classes: [{label: hoch, from: 0}, {label: niedrig, to: 0}]
""")

RAW = table("gebiet name monat ew ausl zuz", [
    ("A", "Altstadt", "2025-01", 1000, 100, 10), ("A", "Altstadt", "2025-02", 1000, 120, 20),
    ("B", "Bahnhof", "2025-01", 3000, 900, 30), ("B", "Bahnhof", "2025-02", 3000, 900, 30),
    ("C", "Chaussee", "2025-01", 2000, 200, 40), ("C", "Chaussee", "2025-02", 2000, 200, 60),
    ("D", "Dorf", "2025-01", 500, 60, 5), ("D", "Dorf", "2025-02", 500, 60, 5),
])

# A and B merge into X; C is split into Y (a quarter) and Z; D stays
WALK = pl.DataFrame({
    "old_id": ["A", "B", "C", "C", "D"],
    "new_id": ["X", "X", "Y", "Z", "D"],
    "weight": [1.0, 1.0, 0.25, 0.75, 1.0],
    "new_name": ["Neustadt", "Neustadt", None, None, None],
})


def mapped() -> pl.DataFrame:
    frame, warnings = apply_crosswalk(RAW, SPEC, Crosswalk.from_frame(WALK))
    assert warnings == []
    return frame


def test_counts_are_split_and_merged_by_weight() -> None:
    m = mapped().filter(pl.col("monat") == "2025-02").sort("gebiet")
    assert m["gebiet"].to_list() == ["D", "X", "Y", "Z"]
    assert m["ew"].to_list() == [500, 4000, 500, 1500]
    assert m["ausl"].to_list() == [60, 1020, 50, 150]
    assert m["zuz"].to_list() == [5, 50, 15, 45]
    # a new area keeps its new_name, or the name of the old area with its ID
    assert m["name"].to_list() == ["Dorf", "Neustadt", None, None]


def test_shares_and_rates_are_rederived_not_averaged() -> None:
    out, periods = compute_frame(RAW, SPEC, crosswalk=Crosswalk.from_frame(WALK))
    assert periods == ["2025-02"]
    # X: 1,020 foreigners of 4,000 residents = 25.5 %; the mean of the old shares
    # (12 % and 30 %) would be 21 %
    assert cell(out, "foreign_share", "X") == pytest.approx(25.5)
    # flows: (10 + 30) + (20 + 30) in-moves over two months / mean population 4,000
    assert cell(out, "inflow", "X") == pytest.approx(90 / 4000 * 1000)
    # a split area keeps its shares and rates
    for area in ("Y", "Z"):
        assert cell(out, "foreign_share", area) == pytest.approx(10.0)
        assert cell(out, "inflow", area) == pytest.approx(100 / 2000 * 1000)
    assert cell(out, "inflow", "D") == pytest.approx(10 / 500 * 1000)
    assert sorted(out["area"].to_list()) == ["D", "X", "Y", "Z"]


def test_totals_are_kept() -> None:
    m = mapped()
    for column in ("ew", "ausl", "zuz"):
        before = RAW.group_by("monat").agg(pl.col(column).sum()).sort("monat")
        after = m.group_by("monat").agg(pl.col(column).sum()).sort("monat")
        assert after[column].to_list() == pytest.approx(before[column].to_list())


def test_a_gap_in_an_old_area_leaves_the_new_area_without_counts() -> None:
    raw = RAW.filter(~((pl.col("gebiet") == "B") & (pl.col("monat") == "2025-01")))
    m, _ = apply_crosswalk(raw, SPEC, Crosswalk.from_frame(WALK))
    x = m.filter((pl.col("gebiet") == "X") & (pl.col("monat") == "2025-01"))
    assert x["ew"].to_list() == [None]  # not 1,000 (A alone)
    result = compute_result(raw, SPEC, crosswalk=Crosswalk.from_frame(WALK))
    assert cell(result.frame, "status", "X", "2025-02") == "missing_data"


def test_rounded_weights_are_rescaled() -> None:
    walk = pl.DataFrame({"old_id": ["A", "B", "C", "C", "C", "D"],
                         "new_id": ["A", "B", "P", "Q", "R", "D"],
                         "weight": [1.0, 1.0, 0.333, 0.333, 0.333, 1.0]})
    m, _ = apply_crosswalk(RAW, SPEC, Crosswalk.from_frame(walk))
    c = m.filter(pl.col("gebiet").is_in(["P", "Q", "R"]) & (pl.col("monat") == "2025-02"))
    assert c["ew"].to_list() == pytest.approx([2000 / 3] * 3)
    assert c["ew"].sum() == pytest.approx(2000)


def write(tmp_path: Path, text: str, name: str = "walk.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_a_file_with_decimal_commas_and_names(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffold_id;new_id;weight;new_name\nA;X;1;Neustadt\nB;X;1;Neustadt\n"
                 "C;Y;0,25;\nC;Z;0,75;Zollhof\nD;D;1;\n")
    walk = read_crosswalk(path)
    assert walk.table["weight"].to_list() == [1, 1, 0.25, 0.75, 1]
    m, _ = apply_crosswalk(RAW, SPEC, walk)
    z = m.filter((pl.col("gebiet") == "Z") & (pl.col("monat") == "2025-02"))
    assert z["name"].to_list() == ["Zollhof"] and z["ew"].to_list() == [1500]


@pytest.mark.parametrize(("text", "code", "line", "value"), [
    ("old_id;new_id;weight\nA;X;1\nB;X;1\nC;Y;0,25\nC;Z;0,5\nD;D;1\n",
     "input-crosswalk-sum", 4, "0.75"),
    ("old_id;new_id;weight\nA;X;1\nB;X;eins\nC;Y;1\nD;D;1\n", "input-crosswalk-weight", 3, "eins"),
    ("old_id;new_id;weight\nA;X;1\nB;X;1\nC;Y;1,5\nC;Y;-0,5\nD;D;1\n",
     "input-crosswalk-weight", 4, "1,5"),
    ("old_id;new_id;weight\nA;X;1\nB;X;0,5\nB;X;0,5\nC;Y;1\nD;D;1\n",
     "input-crosswalk-duplicate", 4, "X"),
    ("old_id;new_id;weight\nA;X;1\n;X;1\nC;Y;1\nD;D;1\n", "input-crosswalk-id", 3, None),
    ("old_id;new_id;weight;new_name\nA;X;1;Neustadt\nB;X;1;Nordstadt\nC;Y;1;\nD;D;1;\n",
     "input-crosswalk-name", 3, "Nordstadt"),
])
def test_invalid_crosswalks(tmp_path: Path, text: str, code: str, line: int,
                            value: str | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        apply_crosswalk(RAW, SPEC, read_crosswalk(path))
    finding = next(f for f in err.value.findings if f.code == code)
    assert err.value.code == code
    assert finding.file == str(path) and finding.line == line and finding.value == value


def test_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_crosswalk(write(tmp_path, "alt;neu;anteil\nA;X;1\n"))
    assert err.value.code == "input-crosswalk-columns"


def test_areas_the_crosswalk_does_not_cover_are_errors() -> None:
    raw = RAW.with_columns(pl.lit("extract.csv").alias("_file"),
                           pl.int_range(2, RAW.height + 2).alias("_line"))
    with pytest.raises(InputError) as err:
        apply_crosswalk(raw, SPEC, Crosswalk.from_frame(WALK.filter(pl.col("old_id") != "C")))
    assert err.value.code == "input-crosswalk-uncovered"
    (finding,) = err.value.findings
    assert (finding.file, finding.line, finding.value) == ("extract.csv", 6, "C")


def test_crosswalk_areas_not_in_the_data_are_warnings() -> None:
    walk = pl.concat([WALK, pl.DataFrame({"old_id": ["E"], "new_id": ["Z"], "weight": [1.0],
                                          "new_name": [None]},
                                         schema=WALK.schema)])
    m, warnings = apply_crosswalk(RAW, SPEC, Crosswalk.from_frame(walk))
    (warning,) = warnings
    assert (warning.code, warning.value, warning.line, warning.severity) == (
        "input-crosswalk-unused", "E", 7, "warning")
    # Z would miss E's counts: it gets none rather than too few
    assert m.filter(pl.col("gebiet") == "Z")["ew"].null_count() == 2
    result = compute_result(RAW, SPEC, crosswalk=Crosswalk.from_frame(walk))
    assert "input-crosswalk-unused" in [w.code for w in result.warnings]


def test_column_indicators_cannot_be_mapped() -> None:
    spec = parse_spec("""
spec_version: 1
input: {area: gebiet, period: monat, population: ew}
indicators: {s1: {column: ausl}}
indices: {a: {weights: {s1: 1}, classes: [{label: alle}]}}
""")
    with pytest.raises(InputError) as err:
        apply_crosswalk(RAW, spec, Crosswalk.from_frame(WALK))
    assert err.value.code == "input-crosswalk-column"


def test_a_cross_section() -> None:
    spec = parse_spec("""
spec_version: 1
input: {area: gebiet, population: ew}
indicators: {foreign_share: {numerator: ausl, per: 100}}
indices: {a: {weights: {foreign_share: 1}, classes: [{label: alle}]}}
""")
    raw = RAW.filter(pl.col("monat") == "2025-02").drop("monat", "name")
    out, _ = compute_frame(raw, spec, crosswalk=Crosswalk.from_frame(WALK))
    assert "period" not in out.columns
    assert out.select("area", "population").rows() == [
        ("D", 500), ("X", 4000), ("Y", 500), ("Z", 1500)]
    assert cell(out, "foreign_share", "X") == pytest.approx(25.5)


def test_an_empty_new_id_names_its_column(tmp_path: Path) -> None:
    path = write(tmp_path, "old_id;new_id;weight\nA;X;1\nB;;1\nC;Y;1\nD;D;1\n")
    with pytest.raises(InputError) as err:
        apply_crosswalk(RAW, SPEC, read_crosswalk(path))
    (finding,) = err.value.findings
    assert (finding.code, finding.line, finding.column) == ("input-crosswalk-id", 3, "new_id")


def test_a_parquet_crosswalk_with_numeric_weights(tmp_path: Path) -> None:
    WALK.write_parquet(tmp_path / "walk.parquet")  # weight is Float64
    m, _ = apply_crosswalk(RAW, SPEC, read_crosswalk(tmp_path / "walk.parquet"))
    assert m.drop("_file", "_line").equals(mapped().drop("_file", "_line"))
    WALK.with_columns(pl.lit(1).alias("weight")).filter(pl.col("old_id") != "C").write_parquet(
        tmp_path / "ints.parquet")  # whole-number weights as Int32
    walk = read_crosswalk(tmp_path / "ints.parquet")
    assert walk.table["weight"].to_list() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(("text", "codes"), [
    # B's first weight is not a number: no second error about B's sum
    ("old_id;new_id;weight\nA;X;1\nB;X;eins\nB;Y;0,5\nC;Y;1\nD;D;1\n",
     ["input-crosswalk-weight"]),
    # B → X twice: the repeated pair, not also a sum of 2
    ("old_id;new_id;weight\nA;X;1\nB;X;1\nB;X;1\nC;Y;1\nD;D;1\n",
     ["input-crosswalk-duplicate"]),
    ("old_id;new_id;weight\nA;X;1\nB;;0,5\nB;Y;0,2\nC;Y;1\nD;D;1\n", ["input-crosswalk-id"]),
])
def test_a_sum_error_does_not_pile_on(tmp_path: Path, text: str, codes: list[str]) -> None:
    with pytest.raises(InputError) as err:
        apply_crosswalk(RAW, SPEC, read_crosswalk(write(tmp_path, text)))
    assert [f.code for f in err.value.findings] == codes


def test_a_sum_error_names_the_first_row_of_the_old_area(tmp_path: Path) -> None:
    path = write(tmp_path, "old_id;new_id;weight\nC;Y;0,25\nA;X;1\nB;X;1\nC;Z;0,5\nD;D;1\n")
    with pytest.raises(InputError) as err:
        apply_crosswalk(RAW, SPEC, read_crosswalk(path))
    (finding,) = err.value.findings
    assert (finding.code, finding.line, finding.value) == ("input-crosswalk-sum", 2, "0.75")


def test_ids_that_lost_their_leading_zeros_are_hinted() -> None:
    zeros = {"A": "01", "B": "02", "C": "03", "D": "04"}
    raw = RAW.with_columns(pl.col("gebiet").replace(zeros))
    walk = WALK.with_columns(pl.col("old_id").replace({k: v.lstrip("0")
                                                       for k, v in zeros.items()}))
    with pytest.raises(InputError) as err:
        apply_crosswalk(raw, SPEC, Crosswalk.from_frame(walk))
    assert err.value.code == "input-crosswalk-uncovered"
    assert "leading zeros (data '01', crosswalk '1')" in (err.value.hint or "")
    # other uncovered areas get no such hint
    with pytest.raises(InputError) as err:
        apply_crosswalk(RAW, SPEC, Crosswalk.from_frame(WALK.filter(pl.col("old_id") != "C")))
    assert "leading zeros" not in (err.value.hint or "")
