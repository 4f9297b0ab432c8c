"""Which rows are scored: the ``status`` column and the choice of periods.

Status, first that applies: ``excluded_named``, ``excluded_small``, ``insufficient_history``,
``missing_data``, ``scored``. Only scored rows enter normalisation.
"""

from __future__ import annotations

import polars as pl

from .derive import FIRST_PERIOD, P
from .errors import Finding, InputError
from .spec import Spec

STATUSES = ("excluded_named", "excluded_small", "insufficient_history", "missing_data", "scored")
STATUS_TYPE = pl.Enum(STATUSES)


def history_need(spec: Spec) -> int:
    """Periods before the current one that the indices' indicators reach back."""
    return max((spec.history_need(i) for i in spec.used_indicators()), default=0)


def assign_status(frame: pl.LazyFrame, spec: Spec) -> pl.LazyFrame:
    """Add ``status`` to every row (see module doc for the order of the rules).

    The column is an enum (one byte a row, not a text): :data:`STATUS_TYPE`."""
    named = [e.area for e in spec.exclude]
    used = spec.used_indicators()
    any_null = pl.any_horizontal([pl.col(c).is_null() for c in ["population", *used]])

    def lit(status: str) -> pl.Expr:
        return pl.lit(status, STATUS_TYPE)

    status = (
        pl.when(pl.col("area").is_in(named)).then(lit("excluded_named"))
        .when(pl.col("population") < spec.min_population).then(lit("excluded_small"))
        .when(~has_history(spec)).then(lit("insufficient_history"))
        .when(any_null).then(lit("missing_data"))
        .otherwise(lit("scored"))
    )
    return frame.with_columns(status.alias("status"))


def has_history(spec: Spec) -> pl.Expr:
    """True where the periods the indices need lie within the area's series."""
    # the area's first period is a column of derive's output: no grouping by area
    return pl.col(P) - history_need(spec) >= pl.col(FIRST_PERIOD)


def _periods(frame: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """One row per period of the frame, in order: its text and how many areas have
    enough history in it (one grouping, by period number: no text hashing)."""
    return (
        frame.lazy().select(P, "period", FIRST_PERIOD)  # not every column of the frame
        .group_by(P).agg(pl.col("period").first(), has_history(spec).sum().alias("ready"))
        .sort(P)
        .collect()
    )


def _scorable(periods: pl.DataFrame) -> list[str]:
    """Periods in which at least two areas have enough history (the default of
    ``--period``; normalising needs two). Exclusions do not drop a period: a month in
    which they leave fewer than two areas is an error, not a silent gap."""
    return periods.filter(pl.col("ready") >= 2).get_column("period").to_list()


def unknown_exclusions(frame: pl.DataFrame, spec: Spec, column: str = "area") -> list[Finding]:
    """Named exclusions whose area is not in the data (a typo leaves the area scored)."""
    if not spec.exclude:
        return []
    wanted = [e.area for e in spec.exclude]
    known = set(frame.select(pl.col(column).filter(pl.col(column).is_in(wanted)).unique())
                .to_series().to_list())
    return [
        Finding("input-unknown-exclusion",
                f"excluded area {e.area!r} ({e.reason}) is not in the data",
                severity="warning", value=e.area,
                hint="check the ID in the spec's `exclude` list (IDs are text: quote them)")
        for e in spec.exclude if e.area not in known
    ]


def select_periods(frame: pl.DataFrame, spec: Spec, requested: list[str] | None) -> list[str]:
    """The periods to output: the requested ones (each must be in the data) or all
    scorable ones. Errors name the unknown period and list what is there."""
    # grouped by period number (integers, not texts), which sorts as the texts do
    by_period = _periods(frame, spec)
    available = by_period.get_column("period").to_list()
    if spec.input.period is None:
        if requested:
            raise InputError("--period needs a spec with input.period", code="input-no-periods",
                             hint="drop --period for a cross-section")
        return available
    for index_id, index in spec.indices.items():
        ref = index.reference_period
        if ref is not None and ref not in available:
            raise InputError(
                f"reference_period {ref!r} of index {index_id!r} is not in the data",
                code="input-unknown-period",
                hint=f"periods in the data: {_span(available)}")
    if requested:
        unknown = [p for p in requested if p not in available]
        if unknown:
            raise InputError(f"period {unknown[0]!r} is not in the data",
                             code="input-unknown-period",
                             hint=f"periods in the data: {_span(available)}")
        return sorted(set(requested))
    periods = _scorable(by_period)
    if not periods:
        raise InputError(
            f"no period has enough history for the spec ({history_need(spec)} earlier "
            f"periods needed, the data have {len(available)} period(s))",
            code="input-too-short",
            hint="give more periods of data, or a smaller window or lag in the spec")
    return periods


def _span(periods: list[str]) -> str:
    if len(periods) <= 6:
        return ", ".join(periods)
    return f"{periods[0]} … {periods[-1]} ({len(periods)} periods)"
