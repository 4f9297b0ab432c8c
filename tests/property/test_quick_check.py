"""The one-pass :func:`~ankunftsindex.check.quick_check` only skips checks that have
nothing to find: on any frame, the findings with its flags equal the findings of every
check run row by row (flags all set), for clean panels (where it skips) and broken ones
(gaps, repeats, shuffled rows, empty IDs, bad periods, negative counts, shares above
100 %, zero denominators, jumps)."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankunftsindex.check import (
    PERIOD_NUMBER,
    Quick,
    check_frame,
    check_history,
    check_ids,
    quick_check,
    with_period_numbers,
)
from ankunftsindex.derive import is_presorted
from ankunftsindex.spec import parse_spec

SPEC = parse_spec("""\
spec_version: 1
input: {area: Gebiet, period: Monat, population: EW}
window: 2
checks: {jump: {columns: [EW, Zuz], max_change: 0.5, min_base: 10}}
indicators:
  foreign_share: {numerator: Ausl, denominator: EW, per: 100}
  inflow: {numerator: Zuz, denominator: EW, type: flow, per: 1000}
indices:
  arrival:
    weights: {foreign_share: 1, inflow: 1}
    classes: [{label: alle}]
""", "quick.yaml")

EVERYTHING = Quick(ids=True, duplicates=True, counts=frozenset(["EW", "Ausl", "Zuz"]),
                   shares=frozenset(["foreign_share", "inflow"]), zeros=frozenset(["EW"]),
                   complete=False, jumps=frozenset(["EW", "Zuz"]))

MONTHS = ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
counts = st.sampled_from([0, 5, 40, 100, 101, 1000, 1600, -3])


@st.composite
def panels(draw: st.DrawFn) -> pl.DataFrame:
    areas = draw(st.lists(st.sampled_from(["01", "02", "10", "A", ""]), min_size=1,
                          max_size=4, unique=True))
    months = draw(st.lists(st.sampled_from(MONTHS), min_size=1, max_size=5, unique=True))
    rows = [[a, m, 1000, 100, 20] for a in sorted(areas) for m in sorted(months)]
    for _ in range(draw(st.integers(0, 3))):  # mutations
        kind = draw(st.sampled_from(["drop", "repeat", "swap", "value", "period"]))
        i = draw(st.integers(0, len(rows) - 1))
        if kind == "drop" and len(rows) > 1:
            rows.pop(i)
        elif kind == "repeat":
            rows.insert(i, list(rows[i]))
        elif kind == "swap":
            j = draw(st.integers(0, len(rows) - 1))
            rows[i], rows[j] = rows[j], rows[i]
        elif kind == "value":
            rows[i][draw(st.integers(2, 4))] = draw(counts)
        else:
            rows[i][1] = draw(st.sampled_from(["2025", "2025-13", None, "2023-12"]))
    return pl.DataFrame(
        {"Gebiet": [r[0] for r in rows], "Monat": [r[1] for r in rows],
         "EW": [float(r[2]) for r in rows], "Ausl": [float(r[3]) for r in rows],
         "Zuz": [float(r[4]) for r in rows]},
        schema={"Gebiet": pl.String, "Monat": pl.String, "EW": pl.Float64,
                "Ausl": pl.Float64, "Zuz": pl.Float64},
    ).with_columns(pl.lit("x.csv").alias("_file"),
                   pl.int_range(2, len(rows) + 2, dtype=pl.UInt32).alias("_line"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=panels())
def test_quick_check_skips_only_checks_without_findings(frame: pl.DataFrame) -> None:
    numbered = with_period_numbers(frame, SPEC)
    quick = quick_check(numbered, SPEC)
    assert check_frame(numbered, SPEC, quick) == check_frame(numbered, SPEC, EVERYTHING)
    assert check_history(numbered, SPEC, quick) == check_history(numbered, SPEC)
    # with period numbers, check_ids skips periods that all have one: same findings
    assert check_ids(numbered, SPEC) == check_ids(frame, SPEC)
    # the order found from run starts and period numbers is the order of the texts; a
    # period without a number (an error) inside an area's run makes it unknown: no
    by_text = is_presorted(numbered, "Gebiet", "Monat")
    assert not quick.presorted or by_text
    if numbered.get_column(PERIOD_NUMBER).null_count() == 0:
        assert quick.presorted == by_text


def test_a_clean_panel_is_cleared_in_one_pass() -> None:
    rows = [(a, m) for a in ("01", "02") for m in MONTHS]
    frame = pl.DataFrame({"Gebiet": [r[0] for r in rows], "Monat": [r[1] for r in rows],
                          "EW": [1000.0] * 10, "Ausl": [100.0] * 10, "Zuz": [20.0] * 10})
    quick = quick_check(with_period_numbers(frame, SPEC), SPEC)
    assert quick == Quick(ids=False, duplicates=False, counts=frozenset(),
                          shares=frozenset(), zeros=frozenset(), complete=True,
                          jumps=frozenset(), span=(2024 * 12 + 10, 2025 * 12 + 2, 2),
                          presorted=True)


def test_flags_name_the_columns_to_look_at() -> None:
    frame = pl.DataFrame({"Gebiet": ["01", "01", "02"], "Monat": ["2025-01", "2025-02"] * 1
                          + ["2025-01"], "EW": [1000.0, 2000.0, 0.0],
                          "Ausl": [100.0, 100.0, 5.0], "Zuz": [20.0, 25.0, -1.0]})
    quick = quick_check(with_period_numbers(frame, SPEC), SPEC)
    assert quick.counts == {"Zuz"}  # -1 in area 02
    assert quick.shares == {"foreign_share"}  # 5 of 0 is above 100 %
    assert quick.zeros == {"EW"}
    assert quick.jumps == {"EW"}  # 1000 → 2000 in area 01
    assert not quick.complete  # area 02 lacks 2025-02
