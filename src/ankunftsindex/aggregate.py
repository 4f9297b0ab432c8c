"""Scores → indices: weights, aggregation, re-standardisation, rank, classes, typology."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import reduce
from typing import Any

import polars as pl

from .derive import SCORED, P
from .errors import ComputeError, SpecError
from .normalise import (
    Reference,
    check_reference,
    reference_stats,
    score_expr,
    spread_fn,
    where_label,
    winsorise_expr,
    zscore,
)
from .spec import ClassDef, Index, Spec, Typology, spec_position

#: Index values are ranked as rounded to this many decimals (see index_stages).
RANK_DECIMALS = 12

COLLECT = {"engine": "in-memory"}  # the streaming engine sums groups in varying order


def score_column(index_id: str, indicator: str) -> str:
    return f"{index_id}_{indicator}_score"


def aggregate_expr(index: Index, index_id: str) -> pl.Expr:
    """mean = Σwᵢsᵢ/Σwᵢ; sum = Σwᵢsᵢ; geometric = (Πsᵢ^wᵢ)^(1/Σwᵢ)."""
    total = sum(index.weights.values())
    terms = [(pl.col(score_column(index_id, i)), w) for i, w in index.weights.items()]
    if index.aggregate == "geometric":
        log_sum = reduce(lambda a, b: a + b, [s.log() * w for s, w in terms])
        return (log_sum / total).exp()
    weighted = reduce(lambda a, b: a + b, [s * w for s, w in terms])
    return weighted / total if index.aggregate == "mean" else weighted


def class_expr(value: pl.Expr, classes: list[ClassDef]) -> pl.Expr:
    """The label of the class with ``from <= value < to``.

    The spec's classes cover the whole line without gaps or overlaps, so ordered by
    ``from``, a value's class is the number of ``from`` bounds at or below it: one sum
    of comparisons and a look-up, not a chain of conditions (+inf and NaN, below no
    ``to``, get no class)."""
    ordered = sorted(classes, key=lambda c: -math.inf if c.from_ is None else c.from_)
    labels = pl.Series([c.label for c in ordered], dtype=pl.String)
    position = reduce(lambda a, b: a + b,
                      [(value >= c.from_).cast(pl.UInt32) for c in ordered[1:]],
                      pl.lit(0, pl.UInt32))
    return pl.when(value < math.inf).then(pl.lit(labels).gather(position))


def _x_columns(index_id: str, index: Index) -> dict[str, str]:
    """Column → indicator: each indicator's value as the index normalises it (direction
    applied, winsorised)."""
    return {f"_x_{index_id}_{i}": i for i in index.weights}


def _aggregate_column(index_id: str) -> str:
    """The index value before it is standardised again."""
    return f"_aggregate_{index_id}"


def index_stages(spec: Spec) -> list[list[pl.Expr]]:
    """The columns of every index, in stages (each stage reads the columns of the ones
    before): values to normalise, winsorised values, scores, aggregate, index value, rank
    and class. Rows whose :data:`SCORED` column is false get nulls: their indicator values
    enter no statistic (mean, SD, quantiles and ranks skip nulls), so no row is filtered
    out and put back."""
    stages: list[list[pl.Expr]] = [[] for _ in range(6)]
    for index_id, index in spec.indices.items():
        ref = Reference(index.reference_period)
        xs = _x_columns(index_id, index)
        stages[0] += [
            pl.when(pl.col(SCORED)).then(pl.col(i) * spec.indicators[i].direction).alias(x)
            for x, i in xs.items()]
        if index.winsorise is not None:
            lo, hi = index.winsorise
            stages[1] += [winsorise_expr(pl.col(x), ref, lo, hi).alias(x) for x in xs]
        stages[2] += [
            # masked again: a rank against a reference period places a null too
            pl.when(pl.col(SCORED)).then(score_expr(index.normalise, pl.col(x), ref, index.ddof))
            .alias(score_column(index_id, i))
            for x, i in xs.items()]
        aggregate = _aggregate_column(index_id)
        stages[3].append(aggregate_expr(index, index_id).alias(aggregate))
        value = pl.col(aggregate)
        stages[4].append((zscore(value, ref, index.ddof) if index.standardise else value)
                         .alias(index_id))
        stages[5] += [
            # values equal to 12 decimals tie: sums of the same numbers in another order
            # may differ in the last bit, which must not decide a rank
            pl.col(index_id).round(RANK_DECIMALS).rank(method="min", descending=True).over(P)
            .cast(pl.UInt32).alias(f"{index_id}_rank"),
            class_expr(pl.col(index_id), index.classes).alias(f"{index_id}_class"),
        ]
    return [stage for stage in stages if stage]


def compute_indices(frame: pl.DataFrame, spec: Spec, periods: list[str]) -> pl.DataFrame:
    """Add the scores, value, rank and class of every index, and the typology, to every
    row of ``frame`` (``periods``: the periods to score); rows whose :data:`SCORED` column
    is false get nulls.

    All of it is one query (independent columns are computed in parallel); the checks of
    the reference sets (at least two areas, a spread) run on its result, index by index
    in the spec's order, before anything is returned."""
    lf = frame.lazy()
    for stage in index_stages(spec):
        lf = lf.with_columns(stage)
    typology = spec.typology
    typed = [] if typology is None else [
        pl.when(pl.col(SCORED)).then(typology_expr(typology)).alias(typology.column)]
    try:
        out = lf.with_columns(typed).collect(**COLLECT)
    except pl.exceptions.PolarsError:
        if typology is None:
            raise
        out = None  # the typology failed: the checks of the indices first, then its rules
    done = out if out is not None else lf.collect(**COLLECT)
    spreads: dict[str, Callable[[pl.Expr], pl.Expr] | None] = {}
    for index_id, index in spec.indices.items():
        spreads |= dict.fromkeys(_x_columns(index_id, index),
                                 spread_fn(index.normalise, index.ddof))
        if index.standardise:
            spreads[_aggregate_column(index_id)] = spread_fn("zscore", index.ddof)
    stats = reference_stats(done, {c: fn for c, fn in spreads.items() if fn is not None})
    for index_id, index in spec.indices.items():
        ref = Reference(index.reference_period)
        xs = _x_columns(index_id, index)
        check_reference(stats, xs, ref, index.normalise, index.ddof, index_id, periods)
        if index.aggregate == "geometric":
            _check_positive(done, index, index_id,
                            [*periods, *([ref.period] if ref.period else [])])
        if index.standardise:
            check_reference(stats, {_aggregate_column(index_id): "(aggregate)"}, ref,
                            "zscore", index.ddof, index_id, periods)
    _check_finite(done, spec)
    if out is None:
        _typology_error(done, spec)
        done = done.with_columns(typed)  # no single rule failed: fails as it is, or not
    return done.drop(c for c in done.columns if c.startswith(("_x_", "_aggregate_")))


def _check_finite(frame: pl.DataFrame, spec: Spec) -> None:
    """Every scored row has a finite value of every index: a spec's numbers can overflow
    floating point (``per: 1e308``, a weight of 1e-320), which would give NaN or ±inf
    values that no class holds."""
    for index_id in spec.indices:
        bad = frame.filter(pl.col(SCORED) & ~pl.col(index_id).is_finite())
        if bad.height:
            row = bad.row(0, named=True)
            raise ComputeError(
                f"{where_label(row['period'])}index {index_id!r}: {bad.height} scored "
                f"row(s) without a finite value, area {row['area']} has {row[index_id]}",
                code="compute-not-finite",
                hint="the spec's numbers overflow floating point: use `per` and weights "
                "of ordinary size (per: 100 or 1000, weights near 1)")


def _check_positive(frame: pl.DataFrame, index: Index, index_id: str, periods: list[str]) -> None:
    """Geometric aggregation needs positive scores in the periods this index computes."""
    for i in index.weights:
        col = score_column(index_id, i)
        bad = frame.filter(pl.col("period").is_in(periods) & (pl.col(col) <= 0))
        if bad.height:
            row = bad.row(0, named=True)
            raise ComputeError(
                f"{where_label(row['period'])}index {index_id!r}, indicator {i!r}: geometric "
                f"aggregation needs positive scores, area {row['area']} has {row[col]:.6g} "
                f"({bad.height} such row(s))",
                code="compute-geometric-nonpositive",
                hint="use normalise: rank (1..n) with aggregate: geometric, or aggregate: mean")


def _typology_error(frame: pl.DataFrame, spec: Spec) -> None:
    """Raise a spec error naming the typology rule that fails on the data (the check at
    load time runs the rules on an empty frame only)."""
    assert spec.typology is not None
    for i, rule in enumerate(spec.typology.rules):
        try:
            frame.select(pl.sql_expr(rule.when))
        except pl.exceptions.PolarsError as exc:
            where = spec_position(spec, ("typology", "rules", i, "when"))
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise SpecError(f"{where}: rule {rule.label!r} fails on the data: {first}",
                            code="spec-typology-sql",
                            hint="compare class columns with their labels, e.g. "
                            "\"arrival_class = 'hoch'\"") from None


def typology_expr(typology: Typology) -> pl.Expr:
    """First matching rule's label, else the default (rules are SQL over output columns).

    The conditions choose a position, and the labels are looked up once: a chain of
    text literals would build a text column at every step (four times slower)."""
    labels = pl.Series([r.label for r in typology.rules] + [typology.default],
                       dtype=pl.String)
    chain: Any = None
    for i, rule in enumerate(typology.rules):
        cond = pl.sql_expr(rule.when).fill_null(False)
        chain = (pl.when(cond) if chain is None else chain.when(cond)).then(
            pl.lit(i, pl.UInt32))
    assert chain is not None
    position = chain.otherwise(pl.lit(len(typology.rules), pl.UInt32))
    return pl.lit(labels).gather(position).alias(typology.column)
