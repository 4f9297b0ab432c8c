""":func:`~ankunftsindex.check.with_period_numbers` against a plain Python reading of
the period texts: ``YYYY-MM`` → year · 12 + month − 1 when the data have monthly
periods at all, else ``YYYY`` → the year; anything else (the other format, a month 13,
blanks, nulls, other text) → no number."""

from __future__ import annotations

import re

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ankunftsindex.check import PERIOD_NUMBER, with_period_numbers
from ankunftsindex.spec import parse_spec

SPEC = parse_spec("""\
spec_version: 1
input: {area: Gebiet, period: Monat, population: EW}
indicators:
  share: {numerator: Ausl, per: 100}
indices:
  i: {weights: {share: 1}, classes: [{label: alle}]}
""", "periods.yaml")

periods = st.one_of(
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1990, 2030), st.integers(0, 13)),
    st.builds(lambda y: f"{y:04d}", st.integers(1990, 2030)),
    st.sampled_from(["", " ", "2024-1", "2024-01 ", "x", "2024/01", "Jan 2024"]),
    st.none(),
)


def expected(texts: list[str | None]) -> list[int | None]:
    monthly = any(t is not None and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", t) for t in texts)
    out: list[int | None] = []
    for t in texts:
        if t is not None and monthly and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", t):
            out.append(int(t[:4]) * 12 + int(t[5:]) - 1)
        elif t is not None and not monthly and re.fullmatch(r"\d{4}", t):
            out.append(int(t))
        else:
            out.append(None)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(periods, min_size=1, max_size=30))
def test_period_numbers_are_read_from_the_texts(texts: list[str | None]) -> None:
    frame = pl.DataFrame({"Monat": texts, "EW": [1.0] * len(texts)},
                         schema={"Monat": pl.String, "EW": pl.Float64})
    numbered = with_period_numbers(frame, SPEC)
    assert numbered.get_column(PERIOD_NUMBER).to_list() == expected(texts)
    assert numbered.get_column("Monat").to_list() == texts  # the texts stay as they are
