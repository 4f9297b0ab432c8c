"""The shortcuts that make large inputs fast must not change a result or an error:
sorted input skips the sort, flow windows and changes run over one integer key per area
and period, and the row-by-row checks run only when a quick look found a problem.

Expected values are the arithmetic of METHOD.md or rows named by hand."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import cell, table

from ankunftsindex.derive import is_presorted
from ankunftsindex.errors import InputError
from ankunftsindex.pipeline import compute_frame
from ankunftsindex.spec import parse_spec

HEAD = "spec_version: 1\ninput: {area: gebiet, period: monat, population: ew}\n"
INDEX = "indices:\n  i: {weights: {anchor: 1}, normalise: none, classes: [{label: alle}]}\n"


def spec(body: str, window: int = 1) -> object:
    return parse_spec(HEAD + f"window: {window}\nindicators:\n  anchor: {{column: s}}\n"
                      + body + INDEX)


# area 00 in every month (two areas in each month to normalise); area 01 in 2025-01..03,
# area 02 in 2025-04..06: their rows are neighbours, their periods are not
BASE = [("00", f"2025-0{m}", 100, 0, 1) for m in range(1, 7)]
ROWS = [
    *BASE,
    ("01", "2025-01", 100, 1, 1), ("01", "2025-02", 100, 2, 1), ("01", "2025-03", 100, 4, 1),
    ("02", "2025-04", 100, 8, 1), ("02", "2025-05", 100, 16, 1), ("02", "2025-06", 100, 32, 1),
]


def frame(rows: list[tuple] = ROWS) -> pl.DataFrame:
    return table("gebiet monat ew zuzug s", rows)


def test_a_flow_window_never_reaches_into_the_previous_area() -> None:
    out, _ = compute_frame(frame(), spec("  inflow: {numerator: zuzug, denominator: null, "
                                         "type: flow}\n", window=2),
                           periods=["2025-02", "2025-03", "2025-04", "2025-05", "2025-06"])
    # 2-month sums: 01: 1+2, 2+4; 02 in 2025-04 lacks 2025-03 (area 01's month does not
    # count); 8+16, 16+32
    assert cell(out, "inflow", "01", "2025-02") == 3
    assert cell(out, "inflow", "01", "2025-03") == 6
    assert cell(out, "inflow", "02", "2025-04") is None
    assert cell(out, "inflow", "02", "2025-05") == 24
    assert cell(out, "inflow", "02", "2025-06") == 48


@pytest.mark.parametrize("gap", [False, True])
@pytest.mark.parametrize("lag", [3, 2**32, 2**32 + 3, 2**40])
def test_a_change_never_finds_another_areas_period(lag: int, gap: bool) -> None:
    # with area keys 2³² apart, a naive key − lag would land on area 01 for lag 2³² + 3;
    # a gap (area 00 without 2025-02) takes the binary search instead of the row shift
    rows = [*ROWS[:9], ("02", "2025-03", 100, 0, 1), *ROWS[9:]]
    if gap:
        rows.pop(1)
    body = f"  z: {{column: zuzug}}\n  dz: {{change_of: z, lag: {lag}}}\n"
    out, _ = compute_frame(frame(rows), spec(body), periods=["2025-06"])
    expected = 32 - 0 if lag == 3 else None  # 2025-06 − 3 months = 2025-03 of area 02
    assert cell(out, "dz", "02", "2025-06") == expected


@pytest.mark.parametrize("rows,expected", [
    (ROWS, True),
    ([ROWS[1], ROWS[0], *ROWS[2:]], False),         # months out of order
    ([*ROWS[6:], *ROWS[:6]], False),                # areas out of order
    ([*ROWS[:8], ROWS[7], *ROWS[8:]], False),       # a repeat is not "sorted"
])
def test_is_presorted(rows: list[tuple], expected: bool) -> None:
    assert is_presorted(frame(rows), "gebiet", "monat") is expected


def test_sorted_and_shuffled_input_give_the_same_output() -> None:
    s = spec("  inflow: {numerator: zuzug, denominator: null, type: flow}\n", window=2)
    a, _ = compute_frame(frame(), s)
    b, _ = compute_frame(frame(ROWS[::-1]), s)
    assert a.equals(b)


@pytest.mark.parametrize("order", ["sorted", "shuffled"])
def test_duplicates_are_found_in_sorted_and_shuffled_input(order: str) -> None:
    rows = [*ROWS[:8], ROWS[7], *ROWS[8:]]  # 01/2025-02 twice: rows 8 and 9
    if order == "shuffled":
        rows = rows[::-1]  # now rows 5 and 6 of 13
    with pytest.raises(InputError) as err:
        compute_frame(frame(rows), spec(""))
    assert err.value.code == "input-duplicate"
    (finding,) = err.value.findings
    assert finding.line == (9 if order == "sorted" else 6)
    assert finding.value == "01"


def test_every_problem_is_listed_together_when_a_quick_look_finds_one() -> None:
    rows = [("", "2025-01", 100, 1, 1), *BASE[:2], BASE[1], ("03", "2025-13", -5, 1, 1)]
    with pytest.raises(InputError) as err:
        compute_frame(frame(rows), spec(""))
    codes = sorted((f.code, f.line) for f in err.value.findings)
    assert codes == [("input-bad-period", 5), ("input-duplicate", 4), ("input-empty-id", 1),
                     ("input-negative-count", 5)]
