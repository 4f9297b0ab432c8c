"""Suspicious data → warnings: gaps in the period series, implausible jumps, zero
denominators; ``strict`` makes them stop the run (issue 3). Expected findings are read
off the hand-written rows."""

from __future__ import annotations

import polars as pl
import pytest

from ankunftsindex.check import check_gaps, check_jumps, check_zero_denominators
from ankunftsindex.errors import InputError
from ankunftsindex.pipeline import compute_result
from ankunftsindex.spec import parse_spec

SPEC_TEXT = """\
spec_version: 1
input: {area: Gebiet, period: Monat, population: EW}
window: 1
indicators:
  foreign_share: {numerator: Ausl, per: 100}
indices:
  arrival:
    weights: {foreign_share: 1}
    classes: [{label: alle}]
"""
SPEC = parse_spec(SPEC_TEXT, "test.yaml")


def frame(rows: list[tuple[str, str, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"Gebiet": [r[0] for r in rows], "Monat": [r[1] for r in rows],
         "EW": [float(r[2]) for r in rows], "Ausl": [float(r[3]) for r in rows]},
    ).with_columns(pl.lit("x.csv").alias("_file"),
                   pl.int_range(2, len(rows) + 2, dtype=pl.UInt32).alias("_line"))


FULL = [(a, m, 1000, 100) for m in ("2025-01", "2025-02", "2025-03") for a in ("A", "B")]


def test_a_complete_panel_has_no_gaps() -> None:
    assert check_gaps(frame(FULL), SPEC) == []


def test_a_month_missing_for_every_area() -> None:
    rows = [r for r in FULL if r[1] != "2025-02"]
    [gap] = check_gaps(frame(rows), SPEC)
    assert (gap.code, gap.severity, gap.value) == ("input-gap", "warning", "2025-02")


def test_an_area_missing_in_some_months() -> None:
    rows = [r for r in FULL if not (r[0] == "B" and r[1] in ("2025-01", "2025-03"))]
    [gap] = check_gaps(frame(rows), SPEC)
    assert gap.value == "B"
    assert "2 period(s)" in gap.message and "2025-01, 2025-03" in gap.message


def test_gaps_across_a_year_boundary_are_monthly() -> None:
    rows = [("A", "2024-11", 1000, 1), ("A", "2025-02", 1000, 1),
            ("B", "2024-11", 1000, 1), ("B", "2025-02", 1000, 1)]
    found = sorted(g.value for g in check_gaps(frame(rows), SPEC))
    assert found == ["2024-12", "2025-01"]


def test_gaps_can_be_switched_off() -> None:
    spec = parse_spec(SPEC_TEXT + "checks: {gaps: false}\n")
    assert check_gaps(frame([r for r in FULL if r[1] != "2025-02"]), spec) == []


def test_jump_of_the_population_above_half() -> None:
    rows = [("A", "2025-01", 1000, 1), ("A", "2025-02", 1500, 1),   # +50 %: not above
            ("A", "2025-03", 2300, 1),                                # +53 %: a jump
            ("B", "2025-01", 1000, 1), ("B", "2025-02", 400, 1),     # −60 %: a jump
            ("B", "2025-03", 80, 1)]                                  # from 400: ≥ 100, −80 %
    found = [(f.line, f.value) for f in check_jumps(frame(rows), SPEC)]
    assert found == [(4, "2300"), (6, "400"), (7, "80")]


def test_jumps_from_small_numbers_are_ignored_and_columns_configurable() -> None:
    spec = parse_spec(SPEC_TEXT + "checks: {jump: {columns: [Ausl], max_change: 1.0, "
                                  "min_base: 50}}\n")
    rows = [("A", "2025-01", 1000, 40), ("A", "2025-02", 9000, 120),  # base 40 < 50
            ("A", "2025-03", 1000, 250)]                                # 120 → 250: +108 %
    [jump] = check_jumps(frame(rows), spec)
    assert (jump.column, jump.line, jump.value) == ("Ausl", 4, "250")
    assert "+108 %" in jump.message and "2025-02" in jump.message


def test_jump_check_can_be_switched_off() -> None:
    spec = parse_spec(SPEC_TEXT + "checks: {jump: null}\n")
    rows = [("A", "2025-01", 1000, 1), ("A", "2025-02", 5000, 1)]
    assert check_jumps(frame(rows), spec) == []


def test_zero_denominator_is_a_warning_naming_the_row() -> None:
    rows = [("A", "2025-01", 1000, 1), ("B", "2025-01", 0, 0)]
    [zero] = check_zero_denominators(frame(rows), SPEC)
    assert (zero.code, zero.severity, zero.line, zero.column) == (
        "input-zero-denominator", "warning", 3, "EW")


def test_warnings_pass_but_strict_stops() -> None:
    rows = [(a, m, 1000 + i, 100 + 7 * i) for i, (a, m) in enumerate(
        [("A", "2025-01"), ("B", "2025-01"), ("C", "2025-01"),
         ("A", "2025-03"), ("B", "2025-03"), ("C", "2025-03")])]
    result = compute_result(frame(rows), SPEC)
    assert [w.code for w in result.warnings] == ["input-gap"]
    from ankunftsindex.check import check_frame
    from ankunftsindex.read import raise_errors

    with pytest.raises(InputError) as info:
        raise_errors(check_frame(frame(rows), SPEC), "input", strict=True)
    assert info.value.code == "input-gap"
    assert "warning(s) (--strict)" in info.value.message


def test_whole_period_gaps_are_capped() -> None:
    rows = [("A", "1999-12", 1000, 1), ("B", "1999-12", 1000, 1),
            ("A", "2025-01", 1000, 1), ("B", "2025-01", 1000, 1)]
    gaps = check_gaps(frame(rows), SPEC)
    missing = 2025 * 12 - (1999 * 12 + 11) - 1
    assert len(gaps) == 201
    assert gaps[0].value == "2000-01" and gaps[199].value == "2016-08"
    assert gaps[200].message.startswith(f"{missing - 200} more period(s)")


def test_an_area_that_starts_late_is_named_at_its_first_row() -> None:
    rows = [("A", "2025-01", 1000, 1), ("A", "2025-02", 1000, 1), ("A", "2025-03", 1000, 1),
            ("B", "2025-02", 1000, 1), ("B", "2025-03", 1000, 1)]
    [gap] = check_gaps(frame(rows), SPEC)
    assert (gap.value, gap.line) == ("B", 5)


def test_a_jump_to_an_absurd_count_is_a_warning_not_a_crash() -> None:
    # found by the CSV fuzz test: "1224" mangled into "1e224" overflowed the percentage
    rows = [("A", "2025-01", 1200, 100), ("A", "2025-02", 1.2e224, 100)]
    [found] = check_jumps(frame(rows), SPEC)
    assert found.code == "input-jump"
    assert "changes by +1e+223 % from 1200" in found.message  # (1.2e224 / 1200 − 1) · 100


def test_a_jump_that_rounds_to_zero_percent_reads_plus_zero() -> None:
    # 10000 → 9980 is −0.2 %: a jump only with a tiny max_change; shown as "+0 %" (the
    # rounded number's sign), as the integer format "+d" always showed it
    spec = parse_spec(SPEC_TEXT + "checks: {jump: {max_change: 0.001, min_base: 100}}\n",
                      "tiny.yaml")
    [found] = check_jumps(frame([("A", "2025-01", 10000, 100),
                                 ("A", "2025-02", 9980, 100)]), spec)
    assert "changes by +0 % from 10000" in found.message
