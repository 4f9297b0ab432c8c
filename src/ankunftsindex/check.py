"""Data checks → findings: empty IDs, period formats, duplicates, negative counts, shares.

Each check returns findings; :func:`raise_on_errors` turns error findings into one
:class:`~ankunftsindex.errors.InputError` so that nothing is written.
"""

from __future__ import annotations

import polars as pl

from .errors import Finding, error_from_findings, rows_to_findings
from .read import FILE_COL, LINE_COL
from .spec import Spec

MONTHLY = r"^\d{4}-(0[1-9]|1[0-2])$"
YEARLY = r"^\d{4}$"


def check_ids(frame: pl.DataFrame, spec: Spec) -> list[Finding]:
    """Area IDs must be present; periods (when the spec has them) present and well-formed."""
    area = spec.input.area
    findings = rows_to_findings(
        frame.filter(pl.col(area).is_null() | (pl.col(area) == "")), area,
        "input-empty-id", "empty area ID", "every row needs an area ID")
    period = spec.input.period
    if period is None:
        return findings
    p = pl.col(period)
    bad = frame.filter((~(p.str.contains(MONTHLY) | p.str.contains(YEARLY))).fill_null(True))
    findings += rows_to_findings(
        bad, period, "input-bad-period", "period is neither YYYY-MM nor YYYY",
        "write periods as 2025-01 (monthly) or 2025 (yearly)")
    monthly = frame.filter(p.str.contains(MONTHLY).fill_null(False))
    yearly = frame.filter(p.str.contains(YEARLY).fill_null(False))
    if monthly.height and yearly.height:
        minority = yearly if yearly.height <= monthly.height else monthly
        kind = "yearly" if minority is yearly else "monthly"
        findings += rows_to_findings(
            minority, period, "input-mixed-periods",
            f"{kind} period in a file set that mostly has the other format",
            "use one period format (YYYY-MM or YYYY) in all files")
    return findings


def check_duplicates(frame: pl.DataFrame, spec: Spec) -> list[Finding]:
    """Each area appears once per period."""
    keys = [spec.input.area] + ([spec.input.period] if spec.input.period else [])
    # position in the concatenated input: (file, line) is not unique when a file is
    # given twice
    dup = (
        frame.with_row_index("_row")
        .with_columns(pl.col("_row").min().over(keys).alias("_first_row"),
                      pl.col(LINE_COL).first().over(keys).alias("_first_line"),
                      pl.col(FILE_COL).first().over(keys).alias("_first_file"))
        .filter(pl.col("_row") != pl.col("_first_row"))
    )
    what = "area × period" if spec.input.period else "area"
    return rows_to_findings(
        dup, spec.input.area, "input-duplicate",
        f"duplicate {what} row (first seen at {{_first_file}}:{{_first_line}})",
        "remove one of the rows; several files must not overlap in periods")


def check_counts(frame: pl.DataFrame, count_columns: list[str]) -> list[Finding]:
    """Counts (population, numerators, denominators) must not be negative."""
    findings: list[Finding] = []
    for c in count_columns:
        findings += rows_to_findings(
            frame.filter(pl.col(c) < 0), c, "input-negative-count", "negative count",
            "counts cannot be below zero; check the extract")
    return findings


def check_shares(derived: pl.DataFrame, spec: Spec) -> list[Finding]:
    """Stock indicators per 100 are shares: a value above 100 % is impossible."""
    findings: list[Finding] = []
    for ident, ind in spec.indicators.items():
        if ind.kind == "ratio" and ind.type == "stock" and ind.per == 100 and ind.denominator:
            bad = derived.filter(pl.col(ident) > 100).with_columns(
                pl.col(ident).round(2).alias("_share"))
            cols = " + ".join(ind.numerator_columns)
            findings += rows_to_findings(
                bad, ind.numerator_columns[0], "input-share-above-100",
                f"{ident} = {{_share}} %: {cols} is larger than {ind.denominator} "
                f"(area {{area}}{', period {period}' if spec.input.period else ''})",
                "two extracts may be mixed up; check numerator and denominator of that row")
    return findings


def raise_on_errors(findings: list[Finding], what: str) -> None:
    """Raise one InputError listing every error finding (capped); warnings pass."""
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise error_from_findings(
            errors, f"{len(errors)} problem(s) in the {what}", errors[0].code,
            "fix the rows listed above and run again; nothing was written")
