"""Scores → indices: weights, aggregation, re-standardisation, rank, classes, typology."""

from __future__ import annotations

import math
from functools import reduce

import polars as pl

from .derive import P
from .errors import ComputeError, SpecError
from .normalise import (
    Reference,
    check_reference,
    score_expr,
    where_label,
    winsorise_expr,
    zscore,
)
from .spec import ClassDef, Index, Spec, Typology, spec_position

#: Index values are ranked as rounded to this many decimals (see compute_index).
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
    """The label of the class with ``from <= value < to``."""
    chain: pl.Expr | None = None
    for c in classes:
        lo = -math.inf if c.from_ is None else c.from_
        hi = math.inf if c.to is None else c.to
        cond = (value >= lo) & (value < hi)
        chain = pl.when(cond).then(pl.lit(c.label)) if chain is None else chain.when(cond).then(
            pl.lit(c.label))
    assert chain is not None
    return chain.otherwise(pl.lit(None, pl.String))


def compute_index(
    scored: pl.DataFrame, spec: Spec, index_id: str, periods: list[str]
) -> pl.DataFrame:
    """Add the scores, the index value, its rank and class of one index to scored rows
    (``periods``: the periods to score)."""
    index = spec.indices[index_id]
    ref = Reference(index.reference_period)
    xs = {f"_x_{i}": i for i in index.weights}
    lf = scored.lazy().with_columns(
        (pl.col(i) * spec.indicators[i].direction).alias(x) for x, i in xs.items()
    )
    if index.winsorise is not None:
        lo, hi = index.winsorise
        lf = lf.with_columns(winsorise_expr(pl.col(x), ref, lo, hi).alias(x) for x in xs)
    frame = lf.collect(**COLLECT)
    check_reference(frame, xs, ref, index.normalise, index.ddof, index_id, periods)
    frame = frame.with_columns(
        score_expr(index.normalise, pl.col(x), ref, index.ddof).alias(score_column(index_id, i))
        for x, i in xs.items()
    ).drop(list(xs))
    if index.aggregate == "geometric":
        _check_positive(frame, index, index_id, [*periods, *([ref.period] if ref.period else [])])
    frame = frame.with_columns(aggregate_expr(index, index_id).alias(index_id))
    if index.standardise:
        check_reference(frame, {index_id: "(aggregate)"}, ref, "zscore", index.ddof, index_id,
                        periods)
        frame = frame.with_columns(zscore(pl.col(index_id), ref, index.ddof).alias(index_id))
    return frame.with_columns(
        # values equal to 12 decimals tie: sums of the same numbers in another order
        # may differ in the last bit, which must not decide a rank
        pl.col(index_id).round(RANK_DECIMALS).rank(method="min", descending=True).over(P)
        .cast(pl.UInt32).alias(f"{index_id}_rank"),
        class_expr(pl.col(index_id), index.classes).alias(f"{index_id}_class"),
    )


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


def apply_typology(scored: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """Add the typology column; a rule that fails on the data is a spec error naming it
    (the check at load time runs the rules on an empty frame only)."""
    assert spec.typology is not None
    try:
        return scored.with_columns(typology_expr(spec.typology))
    except pl.exceptions.PolarsError:
        for i, rule in enumerate(spec.typology.rules):
            try:
                scored.select(pl.sql_expr(rule.when))
            except pl.exceptions.PolarsError as exc:
                where = spec_position(spec, ("typology", "rules", i, "when"))
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise SpecError(f"{where}: rule {rule.label!r} fails on the data: {first}",
                                code="spec-typology-sql",
                                hint="compare class columns with their labels, e.g. "
                                "\"arrival_class = 'hoch'\"") from None
        raise


def typology_expr(typology: Typology) -> pl.Expr:
    """First matching rule's label, else the default (rules are SQL over output columns)."""
    chain: pl.Expr | None = None
    for rule in typology.rules:
        cond = pl.sql_expr(rule.when).fill_null(False)
        chain = (pl.when(cond) if chain is None else chain.when(cond)).then(pl.lit(rule.label))
    assert chain is not None
    return chain.otherwise(pl.lit(typology.default, pl.String)).alias(typology.column)
