"""Raw columns → indicator values: stock ratios, flow windows, changes, columns as they are.

Periods are calendar periods: a monthly ``YYYY-MM`` becomes the month number
``year * 12 + month - 1`` (column ``_p``), a yearly ``YYYY`` the year, so that a window or
lag counts months (or years), not rows. A value that needs a period the area lacks is null.
"""

from __future__ import annotations

from functools import reduce

import polars as pl

from .spec import Indicator, Spec

P = "_p"  # calendar period number
AREA_NUMBER = "_a"  # areas numbered 0, 1, … in ID order
KEY = "_k"  # AREA_NUMBER · 2³² + P: one sorted integer for area and period
SOURCE_ROW = "_src"  # the row's position in the input frame
FIRST_PERIOD = "_p0"  # the period number of the area's first row
KEEP = "_keep"  # derive: the row is returned
#: true on the rows with status ``scored`` while the indices are computed
SCORED = "_scored"
NO_PERIOD = ""  # the period of a cross-section (a spec without input.period)
#: the input's period as a number, as :func:`~ankunftsindex.check.with_period_numbers`
#: adds it (null for a period of the minority format or no format: errors)
PERIOD_NUMBER = "_period_number"


def raw(column: str) -> str:
    """Internal name of an input column, so that it cannot clash with output names."""
    return f"@{column}"


def standardise_columns(frame: pl.LazyFrame, spec: Spec, numeric: list[str]) -> pl.LazyFrame:
    """Rename the spec's input columns to ``area``, ``period``, ``population``, the numeric
    input columns to ``@<column>``, and add the period number ``_p`` and the input row
    :data:`SOURCE_ROW`. Names, files and lines stay behind in the input: they are not
    needed to compute and are looked up by row for the rows that are output. Period
    numbers the checks added (:data:`PERIOD_NUMBER`) are taken as they are."""
    inp = spec.input
    numbered = inp.period is not None and PERIOD_NUMBER in frame.collect_schema()
    lf = frame.with_row_index(SOURCE_ROW).select(
        pl.col(SOURCE_ROW),
        pl.col(inp.area).alias("area"),
        (pl.col(inp.period) if inp.period else pl.lit(NO_PERIOD)).alias("period"),
        pl.col(inp.population).alias("population"),
        *[pl.col(c).alias(raw(c)) for c in numeric],
        *([pl.col(PERIOD_NUMBER).alias(P)] if numbered else []),
    )
    return lf if numbered else lf.with_columns(period_number(pl.col("period")).alias(P))


def period_number(period: pl.Expr) -> pl.Expr:
    """``YYYY-MM`` → year·12 + month − 1; ``YYYY`` → year; anything else → null."""
    year = period.str.slice(0, 4).cast(pl.Int64, strict=False)
    month = period.str.slice(5, 2).cast(pl.Int64, strict=False)
    return (
        pl.when(period.str.len_chars() == 7).then(year * 12 + month - 1)
        .when(period.str.len_chars() == 4).then(year)
        .otherwise(pl.lit(0, pl.Int64))
    )


def _strict_sum(columns: list[str]) -> pl.Expr:
    """Sum of columns that is null when any of them is null (unlike sum_horizontal)."""
    return reduce(lambda a, b: a + b, [pl.col(raw(c)) for c in columns])


def _window_sum(expr: pl.Expr, window: int) -> pl.Expr:
    """Sum over the last ``window`` calendar periods, null unless all are there and non-null.

    Rows are sorted by :data:`KEY` (unique: area number · 2³² + period number), so the
    ``window`` periods up to a row are all there exactly when the row ``window − 1`` rows
    back has the key ``window − 1`` lower; then the sum over those rows is the sum over
    the periods. No per-area grouping (and no per-area object) is needed."""
    if window == 1:
        return expr
    if window > 2**31:  # more periods than any calendar holds
        return pl.lit(None, pl.Float64)
    complete = pl.col(KEY).shift(window - 1) == pl.col(KEY) - (window - 1)
    return pl.when(complete).then(expr.rolling_sum(window)).otherwise(None)


def ratio_expr(ind: Indicator, window: int) -> pl.Expr:
    """A ratio indicator: numerator (summed over the window for flows) divided by the
    denominator (its mean over the same window for flows) times ``per``."""
    num = _strict_sum(ind.numerator_columns)
    w = window if ind.type == "flow" else 1
    num = _window_sum(num, w)
    if ind.denominator is None:
        return num * ind.per
    den = _window_sum(pl.col(raw(ind.denominator)), w)
    den = den / w if w > 1 else den
    # a zero denominator gives no rate (null → missing_data), never inf; so does a
    # negative one (counts are not negative: the checks refuse them). The denominator is
    # named once: polars would work its window out again for each mention
    return num / den.clip(lower_bound=0).replace(0, None) * ind.per


def number_rows(frame: pl.LazyFrame, *, presorted: bool = False) -> pl.DataFrame:
    """The standardised rows sorted by area, then period, with the areas numbered in
    :data:`AREA_NUMBER` (in ID order), the key :data:`KEY` and each area's first period
    in :data:`FIRST_PERIOD`: all :func:`derive` and the choice of periods need. With
    ``presorted`` (rows already in area, then period order, one row each) the sort and
    its copy of every column are skipped."""
    if presorted:
        number = (pl.col("area") != pl.col("area").shift()).fill_null(True).cum_sum() - 1
        lf = frame.with_columns(number.cast(pl.Int64).alias(AREA_NUMBER)).with_columns(
            _key().set_sorted())
    else:
        lf = frame.with_columns(
            (pl.col("area").rank("dense") - 1).cast(pl.Int64).alias(AREA_NUMBER)
        ).with_columns(_key()).sort(KEY).with_columns(pl.col(KEY).set_sorted())
    new_area = pl.col(AREA_NUMBER) != pl.col(AREA_NUMBER).shift()
    return lf.with_columns(  # rows are in area, period order: first row of each area
        pl.when(new_area.fill_null(True)).then(pl.col(P)).forward_fill().alias(FIRST_PERIOD)
    ).collect(engine="in-memory")


def derive(frame: pl.LazyFrame | pl.DataFrame, spec: Spec, *, presorted: bool = False,
           keep: pl.Expr | None = None) -> pl.LazyFrame:
    """Add one column per indicator (its raw value, before any direction or scaling).

    ``frame``: standardised rows, or the result of :func:`number_rows` (then
    ``presorted`` does not matter). The result is sorted by area, then period and has the
    columns of :func:`number_rows` but :data:`KEY`; the input columns ``@…`` are dropped.
    With ``keep`` (a filter), only those rows are returned: windows and lags still see
    every row, but no indicator is materialised for the rows that are not kept."""
    keyed = frame if isinstance(frame, pl.DataFrame) and KEY in frame.columns else (
        number_rows(frame.lazy(), presorted=presorted))
    window = spec.effective_window
    exprs: dict[str, pl.Expr] = {
        ident: (ratio_expr(ind, window) if ind.kind == "ratio"
                else pl.col(raw(ind.column or ""))).cast(pl.Float64)
        for ident, ind in spec.indicators.items()
        if ind.kind != "change"
    }
    changes = _change_order(spec)
    lf = keyed.lazy()
    # the indicators that changes look back on are computed once, for every row
    bases = {spec.indicators[c].change_of or "" for c in changes}
    lf = lf.with_columns(exprs[i].alias(i) for i in bases if i not in changes)
    exprs.update({i: pl.col(i) for i in bases if i not in changes})
    if changes:
        # without gaps inside an area, the period `lag` back is `lag` rows back (or
        # absent); with gaps a binary search over the sorted keys finds it. Neither
        # copies the frame as a join would.
        step = pl.col(KEY) - pl.col(KEY).shift()
        gapless = keyed.select(
            ((step == 1) | (pl.col(AREA_NUMBER) != pl.col(AREA_NUMBER).shift()))
            .fill_null(True).all()).item()
        for ident in changes:  # each after the indicator it changes
            ind = spec.indicators[ident]
            base = exprs[ind.change_of or ""]
            # a lag beyond 2³¹ lands between two areas' keys: no match, as it must be
            lag = min(ind.lag or 0, 2**31)
            target = pl.col(KEY) - lag
            if gapless:
                past = pl.when(pl.col(KEY).shift(lag) == target).then(base.shift(lag))
            else:
                at = pl.col(KEY).search_sorted(target, side="left").clip(0, pl.len() - 1)
                past = pl.when(pl.col(KEY).gather(at) == target).then(base.gather(at))
            exprs[ident] = base - past
            if ident in bases:  # a change of a change
                lf = lf.with_columns(exprs[ident].alias(ident))
                exprs[ident] = pl.col(ident)
    carried = [c for c in keyed.columns if c != KEY and not c.startswith("@")]
    columns = [*[pl.col(c) for c in carried],
               *[exprs[i].alias(i) for i in spec.indicators]]
    if keep is not None:
        # each column filtered as it is made: one filter of the finished rows would hold
        # every column of every row at once (at 1M areas × 36 months, 36 times the rows
        # kept). The filter is a column, worked out once, not once for every column.
        lf = lf.with_columns(keep.alias(KEEP))
        columns = [c.filter(pl.col(KEEP)) for c in columns]
    return lf.select(columns)


def _key() -> pl.Expr:
    return ((pl.col(AREA_NUMBER) * 2**32) + pl.col(P)).alias(KEY)


def is_presorted(frame: pl.DataFrame, area: str, period: str | None) -> bool:
    """True when the rows are in area, then period order with no repeats (as an extract
    written area by area is): :func:`derive` need not sort them. Periods must be
    checked already (texts of one format sort as the periods do)."""
    a, prev = pl.col(area), pl.col(area).shift()
    later = a > prev
    if period is not None:
        later = later | ((a == prev) & (pl.col(period) > pl.col(period).shift()))
    return bool(frame.select(later.fill_null(True).all()).item())


def sort_output(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in output order: period, then area (period numbers sort as the period texts,
    area numbers as the IDs)."""
    # flagged sorted, the period number groups the statistics without hashing
    return (frame.sort(pl.col(P) * 2**32 + pl.col(AREA_NUMBER))
            .with_columns(pl.col(P).set_sorted()))


def _change_order(spec: Spec) -> list[str]:
    """change_of indicators in an order where each comes after the one it changes."""
    order: list[str] = []

    def visit(ident: str) -> None:
        ind = spec.indicators[ident]
        if ind.kind != "change" or ident in order:
            return
        visit(ind.change_of or "")
        order.append(ident)

    for ident in spec.indicators:
        visit(ident)
    return order
