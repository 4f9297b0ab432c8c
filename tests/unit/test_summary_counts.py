"""The summary's counts of areas and statuses, which the pipeline takes from its own
integer and enum columns, against a count of the output table itself."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import table

from ankunftsindex.pipeline import Result, compute_result
from ankunftsindex.spec import parse_spec

SPEC = """\
spec_version: 1
input: {area: gebiet, period: monat, population: ew}
min_population: 100
indicators:
  share: {numerator: ausl, per: 100}
indices:
  i: {weights: {share: 1}, classes: [{label: alle}]REF}
"""

# 05 only from 2024-02 on, 07 too small in 2024-01, 03 lacks 2024-02; rows shuffled
ROWS = table(
    "gebiet monat ew ausl",
    [
        ("05", "2024-03", 500, 50), ("01", "2024-01", 300, 30), ("07", "2024-02", 400, 4),
        ("03", "2024-01", 200, 10), ("01", "2024-03", 300, 60), ("05", "2024-02", 500, 20),
        ("07", "2024-01", 50, 5), ("01", "2024-02", 300, 40), ("03", "2024-03", 250, 25),
        ("07", "2024-03", 400, 8),
    ],
)


def counted(result: Result) -> tuple[int, dict[str, int]]:
    statuses = result.frame.get_column("status").value_counts()
    return (result.frame.get_column("area").n_unique(),
            dict(zip(*(statuses.get_column(c).to_list() for c in statuses.columns),
                     strict=True)))


@pytest.mark.parametrize("periods", [None, ["2024-02"], ["2024-01", "2024-03"]])
@pytest.mark.parametrize("reference", ["", ", reference_period: '2024-01'"])
def test_counts_are_those_of_the_output_rows(periods: list[str] | None, reference: str) -> None:
    spec = parse_spec(SPEC.replace("REF", reference))
    result = compute_result(ROWS, spec, periods=periods)
    assert result.counts == counted(result)
    summary = result.summary()
    assert (summary["areas"], summary["status"]) == counted(result)


def test_counts_by_hand() -> None:
    result = compute_result(ROWS, parse_spec(SPEC.replace("REF", "")), periods=["2024-02"])
    # 2024-02: 01, 05, 07 (03 has no row); 07 has 400 residents then
    assert result.counts == (3, {"scored": 3})
    result = compute_result(ROWS, parse_spec(SPEC.replace("REF", "")), periods=["2024-01"])
    # 2024-01: 01, 03, 07; 07 has 50 residents (< 100)
    assert result.counts == (3, {"scored": 2, "excluded_small": 1})
