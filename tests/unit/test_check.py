"""Unit tests of the checking stage: impossible input values are errors (exit code 4).

Covers METHOD.md "Impossible input values" and "Input": duplicate area × period rows,
negative counts, malformed or mixed periods, empty area IDs and shares above 100 %.
Each problem is tested through the check functions and through ``compute``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ankunftsindex import compute
from ankunftsindex.check import check_counts, check_duplicates, check_ids
from ankunftsindex.errors import Finding, InputError
from ankunftsindex.read import count_columns, load_input
from ankunftsindex.spec import Spec, parse_spec

SPEC_TEXT = """\
spec_version: 1
input: {area: Gebiet, name: Name, period: Monat, population: EW}
min_population: 0
window: 1
indicators:
  foreign_share: {numerator: Ausl, per: 100}
  d1: {column: D1}
indices:
  arrival:
    weights: {foreign_share: 1, d1: 1}
    classes: [{label: alle}]
"""
SPEC = parse_spec(SPEC_TEXT, "test.yaml")

HEADER = "Gebiet;Name;Monat;EW;Ausl;D1"
# three areas in one month; valid on their own (lines 2, 3, 4)
ROWS = [
    "A;Mitte;2025-01;1000;100;-0,5",
    "B;Nord;2025-01;2000;300;1,5",
    "C;Süd;2025-01;1500;150;0",
]


def write(tmp_path: Path, rows: list[str], name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def compute_error(paths: list[Path], spec: Spec = SPEC) -> InputError:
    with pytest.raises(InputError) as info:
        compute(paths, spec)
    assert info.value.exit_code == 4
    return info.value


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def loaded(path: Path, spec: Spec = SPEC) -> pl.DataFrame:
    frame, _ = load_input([path], spec)
    return frame


# --- the valid base case -----------------------------------------------------------------


def test_valid_input_has_no_findings_and_computes(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    frame = loaded(path)
    assert check_ids(frame, SPEC) == []
    assert check_duplicates(frame, SPEC) == []
    assert check_counts(frame, count_columns(SPEC)) == []
    result = compute([path], SPEC)
    assert result.frame["area"].to_list() == ["A", "B", "C"]
    assert result.frame["status"].to_list() == ["scored"] * 3
    # foreign_share = Ausl / EW * 100
    assert result.frame["foreign_share"].to_list() == pytest.approx([10.0, 15.0, 10.0])


def test_count_columns_are_population_numerators_and_denominators() -> None:
    assert count_columns(SPEC) == ["EW", "Ausl"]


# --- duplicates ---------------------------------------------------------------------------


def test_duplicate_area_period_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, [*ROWS, "A;Mitte;2025-01;1000;100;-0,5"])
    findings = check_duplicates(loaded(path), SPEC)
    assert len(findings) == 1
    dup = findings[0]
    assert dup.code == "input-duplicate"
    assert (dup.file, dup.line, dup.value) == (str(path), 5, "A")
    assert f"{path}:2" in dup.message  # the first occurrence

    err = compute_error([path])
    assert err.code == "input-duplicate"
    assert [(f.line, f.value) for f in only(err.findings, "input-duplicate")] == [(5, "A")]


def test_duplicate_across_two_files_names_both_files(tmp_path: Path) -> None:
    a = write(tmp_path, ROWS, "a.csv")
    b = write(tmp_path, ["D;West;2025-01;900;90;0", "B;Nord;2025-01;2000;300;1,5"], "b.csv")
    err = compute_error([a, b])
    assert err.code == "input-duplicate"
    dup = only(err.findings, "input-duplicate")
    assert len(dup) == 1
    assert (dup[0].file, dup[0].line, dup[0].value) == (str(b), 3, "B")
    assert f"{a}:3" in dup[0].message


def test_same_area_in_two_periods_is_not_a_duplicate(tmp_path: Path) -> None:
    path = write(tmp_path, [*ROWS, "A;Mitte;2025-02;1000;100;-0,5"])
    assert check_duplicates(loaded(path), SPEC) == []


def test_duplicate_area_in_a_cross_section(tmp_path: Path) -> None:
    spec = parse_spec(SPEC_TEXT.replace(" period: Monat,", "").replace("window: 1\n", ""))
    path = tmp_path / "x.csv"
    path.write_text(
        "Gebiet;Name;EW;Ausl;D1\nA;Mitte;1000;100;1\nB;Nord;900;90;2\nA;Mitte;1000;100;1\n",
        encoding="utf-8",
    )
    err = compute_error([path], spec)
    assert err.code == "input-duplicate"
    assert [f.line for f in err.findings] == [4]


# --- negative counts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        ("B;Nord;2025-01;-2000;300;1,5", "EW", -2000.0),
        ("B;Nord;2025-01;2000;-3;1,5", "Ausl", -3.0),
    ],
)
def test_negative_count(tmp_path: Path, row: str, column: str, value: float) -> None:
    path = write(tmp_path, [ROWS[0], row, ROWS[2]])
    findings = check_counts(loaded(path), count_columns(SPEC))
    assert [(f.code, f.line, f.column) for f in findings] == [("input-negative-count", 3, column)]
    assert float(findings[0].value or "nan") == value

    err = compute_error([path])
    assert err.code == "input-negative-count"
    assert [(f.file, f.line, f.column) for f in err.findings] == [(str(path), 3, column)]


def test_negative_denominator_is_a_negative_count(tmp_path: Path) -> None:
    spec = parse_spec(
        SPEC_TEXT.replace(
            "{numerator: Ausl, per: 100}", "{numerator: Ausl, denominator: D1, per: 100}"
        )
    )
    path = write(tmp_path, ROWS)  # D1 of area A is -0,5
    err = compute_error([path], spec)
    assert err.code == "input-negative-count"
    # every problem at once: line 3 divides 300 foreigners by D1 = 1,5 (a share of
    # 20 000 %), line 4 150 foreigners by D1 = 0 (more foreigners than the denominator)
    assert [(f.code, f.line, f.column) for f in err.findings] == [
        ("input-negative-count", 2, "D1"), ("input-share-above-100", 3, "Ausl"),
        ("input-share-above-100", 4, "Ausl")]


def test_negative_precomputed_column_is_allowed(tmp_path: Path) -> None:
    # D1 is taken as it is (a change in percentage points), not a count
    path = write(tmp_path, ROWS)
    result = compute([path], SPEC)
    assert result.frame["d1"].to_list() == [-0.5, 1.5, 0.0]


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period",
    [
        "2025-13",
        "25-01",
        "2025-00",
        "2025-1",
        "2025/01",
        "Jan 2025",
        "202501",
        pytest.param("", id="empty"),
        pytest.param("\u0662\u0660\u0662\u0665-01", id="arabic-indic-digits"),
        pytest.param("\uff12\uff10\uff12\uff15", id="full-width-digits"),
    ],
)
def test_bad_period(tmp_path: Path, period: str) -> None:
    path = write(tmp_path, [ROWS[0], f"B;Nord;{period};2000;300;1,5", ROWS[2]])
    findings = only(check_ids(loaded(path), SPEC), "input-bad-period")
    assert [(f.line, f.column) for f in findings] == [(3, "Monat")]

    err = compute_error([path])
    assert err.code == "input-bad-period"
    bad = only(err.findings, "input-bad-period")
    assert [(f.file, f.line) for f in bad] == [(str(path), 3)]


@pytest.mark.parametrize("period", ["2025-01", "2025-12", "1999-10", "2025"])
def test_good_periods(tmp_path: Path, period: str) -> None:
    rows = [r.replace("2025-01", period) for r in ROWS]
    assert check_ids(loaded(write(tmp_path, rows)), SPEC) == []


def test_mixed_yearly_and_monthly_periods(tmp_path: Path) -> None:
    path = write(tmp_path, [ROWS[0], ROWS[1], "C;Süd;2025;1500;150;0"])
    findings = check_ids(loaded(path), SPEC)
    assert [(f.code, f.line, f.value) for f in findings] == [("input-mixed-periods", 4, "2025")]

    err = compute_error([path])
    assert err.code == "input-mixed-periods"


def test_mixed_periods_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, ROWS, "a.csv")
    b = write(tmp_path, ["A;Mitte;2024;1000;100;-0,5"], "b.csv")
    err = compute_error([a, b])
    assert err.code == "input-mixed-periods"
    assert [(f.file, f.line) for f in err.findings] == [(str(b), 2)]


# --- area IDs -----------------------------------------------------------------------------


@pytest.mark.parametrize("area", ["", "   "])
def test_empty_area_id(tmp_path: Path, area: str) -> None:
    path = write(tmp_path, [ROWS[0], ROWS[1], f"{area};Süd;2025-01;1500;150;0"])
    findings = check_ids(loaded(path), SPEC)
    assert [(f.code, f.line, f.column) for f in findings] == [("input-empty-id", 4, "Gebiet")]

    err = compute_error([path])
    assert err.code == "input-empty-id"
    assert [(f.file, f.line) for f in only(err.findings, "input-empty-id")] == [(str(path), 4)]


# --- shares above 100 % -------------------------------------------------------------------


def test_share_above_100_percent(tmp_path: Path) -> None:
    # area B: 2500 foreigners among 2000 residents = 125 %
    path = write(tmp_path, [ROWS[0], "B;Nord;2025-01;2000;2500;1,5", ROWS[2]])
    err = compute_error([path])
    assert err.code == "input-share-above-100"
    findings = only(err.findings, "input-share-above-100")
    assert len(findings) == 1
    assert (findings[0].file, findings[0].line) == (str(path), 3)
    assert "foreign_share" in findings[0].message
    assert "125" in findings[0].message


def test_share_of_exactly_100_percent_is_possible(tmp_path: Path) -> None:
    path = write(tmp_path, [ROWS[0], "B;Nord;2025-01;2000;2000;1,5", ROWS[2]])
    result = compute([path], SPEC)
    assert result.frame["foreign_share"].to_list() == pytest.approx([10.0, 100.0, 10.0])


def test_share_above_100_percent_in_a_small_area_is_still_an_error(tmp_path: Path) -> None:
    spec = parse_spec(SPEC_TEXT.replace("min_population: 0", "min_population: 300"))
    path = write(tmp_path, [*ROWS, "D;Klein;2025-01;20;30;0"])
    err = compute_error([path], spec)
    assert err.code == "input-share-above-100"
    assert [f.line for f in err.findings] == [5]


def test_share_above_100_with_an_explicit_denominator(tmp_path: Path) -> None:
    spec = parse_spec(
        SPEC_TEXT.replace(
            "  d1: {column: D1}\n",
            "  d1: {column: D1}\n  sgb2_share: {numerator: SGB2, denominator: EW_u65, per: 100}\n",
        ).replace("{foreign_share: 1, d1: 1}", "{foreign_share: 1, sgb2_share: 1}")
    )
    path = tmp_path / "x.csv"
    path.write_text(
        "Gebiet;Name;Monat;EW;Ausl;D1;SGB2;EW_u65\n"
        "A;Mitte;2025-01;1000;100;0;80;800\n"
        "B;Nord;2025-01;2000;300;0;900;850\n",  # 900 of 850 = 105.9 %
        encoding="utf-8",
    )
    err = compute_error([path], spec)
    assert err.code == "input-share-above-100"
    assert [f.line for f in err.findings] == [3]


# --- all problems at once -----------------------------------------------------------------


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "A;Mitte;2025-13;1000;100;0",  # line 2: bad period
            "B;Nord;2025-01;-5;300;0",  # line 3: negative count
            ";Süd;2025-01;1500;150;0",  # line 4: empty ID
            "B;Nord;2025-01;2000;300;0",  # line 5: duplicate of line 3
        ],
    )
    err = compute_error([path])
    found = sorted((f.code, f.line) for f in err.findings)
    assert found == [
        ("input-bad-period", 2),
        ("input-duplicate", 5),
        ("input-empty-id", 4),
        ("input-negative-count", 3),
    ]
    assert err.total_findings == 4


def test_the_same_file_given_twice_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    err = compute_error([path, tmp_path / "." / path.name])
    assert err.code == "input-duplicate"
    assert "given twice" in err.message


def test_a_copy_of_a_file_under_another_name_is_caught_row_by_row(tmp_path: Path) -> None:
    a = write(tmp_path, ROWS, "a.csv")
    b = write(tmp_path, ROWS, "b.csv")
    err = compute_error([a, b])
    assert [(f.file, f.line) for f in only(err.findings, "input-duplicate")] == [
        (str(b), 2), (str(b), 3), (str(b), 4)]
