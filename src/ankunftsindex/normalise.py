"""Normalisation: one pure expression builder per method, over the scored rows only.

Statistics come from the *reference set*: the scored areas of the same period, or of the
index's ``reference_period`` when one is set. Every area counts once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from .derive import SCORED, P
from .errors import ComputeError

MAD_SCALE = 1.4826


@dataclass(frozen=True)
class Reference:
    """Where the statistics of a normalisation come from: each period, or one period."""

    period: str | None = None

    def values(self, x: pl.Expr) -> pl.Expr:
        return x.filter(pl.col("period") == self.period) if self.period is not None else x

    def stat(self, x: pl.Expr, fn: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
        """``fn`` over the reference values of ``x``, broadcast to every row."""
        e = fn(self.values(x))
        # grouped by the period number: the same groups as the period text, hashed faster
        return e if self.period is not None else e.over(P)


def _mad(v: pl.Expr) -> pl.Expr:
    return MAD_SCALE * (v - v.median()).abs().median()


def spread_fn(method: str, ddof: int) -> Callable[[pl.Expr], pl.Expr] | None:
    """The statistic a method divides by (zero spread is an error), or None."""
    return {
        "zscore": lambda v: v.std(ddof=ddof),
        "robust_zscore": _mad,
        "minmax": lambda v: v.max() - v.min(),
    }.get(method)


def zscore(x: pl.Expr, ref: Reference, ddof: int = 0) -> pl.Expr:
    return (x - ref.stat(x, lambda v: v.mean())) / ref.stat(x, lambda v: v.std(ddof=ddof))


def robust_zscore(x: pl.Expr, ref: Reference) -> pl.Expr:
    return (x - ref.stat(x, lambda v: v.median())) / ref.stat(x, _mad)


def minmax(x: pl.Expr, ref: Reference) -> pl.Expr:
    lo = ref.stat(x, lambda v: v.min())
    return (x - lo) / (ref.stat(x, lambda v: v.max()) - lo)


def rank(x: pl.Expr, ref: Reference) -> pl.Expr:
    """1..n, ties at the lowest rank; against a reference period: 1 + #(reference < x)."""
    if ref.period is None:
        return x.rank(method="min").over(P).cast(pl.Float64)
    below = ref.values(x).drop_nulls().sort().search_sorted(x, side="left")
    return (below + 1).cast(pl.Float64)


def percentile(x: pl.Expr, ref: Reference) -> pl.Expr:
    """(rank − 1)/(n − 1) with ties at the lowest rank (CDC SVI convention)."""
    n = ref.stat(x, lambda v: v.count())
    return (rank(x, ref) - 1) / (n - 1).cast(pl.Float64)


def score_expr(method: str, x: pl.Expr, ref: Reference, ddof: int = 0) -> pl.Expr:
    """The normalised score of ``x`` by ``method`` (see METHOD.md)."""
    if method == "zscore":
        return zscore(x, ref, ddof)
    if method == "robust_zscore":
        return robust_zscore(x, ref)
    if method == "minmax":
        return minmax(x, ref)
    if method == "percentile":
        return percentile(x, ref)
    if method == "rank":
        return rank(x, ref)
    if method == "none":
        return x
    raise ValueError(f"unknown normalisation {method!r}")


def winsorise_expr(x: pl.Expr, ref: Reference, lower: float, upper: float) -> pl.Expr:
    """Clip at the reference set's quantiles (linear interpolation, numpy's default)."""
    lo = ref.stat(x, lambda v: v.quantile(lower, interpolation="linear"))
    hi = ref.stat(x, lambda v: v.quantile(upper, interpolation="linear"))
    return x.clip(lo, hi)


SPREAD_NAMES = {"zscore": "standard deviation", "robust_zscore": "median absolute deviation",
                "minmax": "range"}


def where_label(period: str, reference: bool = False) -> str:
    """How a message names a period ("" for a cross-section, which has none)."""
    if period == "":
        return ""
    return f"{'reference period' if reference else 'period'} {period}, "


def reference_stats(frame: pl.DataFrame, spreads: dict[str, Callable[[pl.Expr], pl.Expr]]
                    ) -> pl.DataFrame:
    """Per period of ``frame`` (every row; scored ones, :data:`SCORED`, with their
    values, the others with nulls): its text, the number of scored areas ``_n``, and
    for each column of ``spreads`` that statistic of the column. One grouping, by the
    period number (sorted integers, no hashing of texts), for every check of
    :func:`check_reference`."""
    aggs = [pl.col("period").first(), pl.col(SCORED).sum().alias("_n"),
            *[fn(pl.col(c)).alias(c) for c, fn in spreads.items()]]
    return frame.group_by(P).agg(aggs).drop(P)


def check_reference(
    stats: pl.DataFrame, columns: dict[str, str], ref: Reference, method: str, ddof: int,
    index_id: str, periods: list[str],
) -> None:
    """Fewer than two areas in a reference set, or a zero spread, is an error that names
    period, index and indicator. ``stats``: :func:`reference_stats` with the spread of
    ``method`` for each of ``columns``, which maps a column to the indicator it holds;
    ``periods`` are the periods to be scored (each needs its own reference set unless
    the index has a reference period)."""
    needed = [ref.period] if ref.period is not None else periods
    fn = spread_fn(method, ddof)
    # the few groups are matched to the periods needed
    stats = (
        pl.DataFrame({"period": needed}, schema={"period": pl.String})
        .join(stats.select("period", "_n", *(columns if fn is not None else [])),
              on="period", how="left")
        .with_columns(pl.col("_n").fill_null(0))
        .sort("period")
    )
    small = stats.filter(pl.col("_n") < 2)
    if small.height:
        period, n = small.row(0)[:2]
        names = ", ".join(repr(i) for i in columns.values())
        raise ComputeError(
            f"{where_label(period, ref.period is not None)}index {index_id!r}, "
            f"indicator(s) {names}: {n} scored "
            "area(s); normalising needs at least two",
            code="compute-too-few-areas",
            hint="check min_population, exclusions and missing values, or choose "
            "another --period")
    if fn is None:
        return
    for c, indicator in columns.items():
        zero = stats.filter(~(pl.col(c) > 0))
        if zero.height:
            raise ComputeError(
                f"{where_label(zero['period'][0], ref.period is not None)}index {index_id!r}, "
                f"indicator {indicator!r}: zero spread ({SPREAD_NAMES[method]} 0) among the "
                "scored areas",
                code="compute-zero-spread",
                hint="drop the indicator from the index or use normalise: rank or percentile")
