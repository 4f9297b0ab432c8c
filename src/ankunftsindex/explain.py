"""Explain one area: raw values against the city, scores, weights, contributions that add
up to the index, ranks, class thresholds and the typology rule that matched.

Everything is computed from an output table and its spec (the one embedded in the
output's provenance), so an explanation can be given from a file alone. The statistics
that the output does not hold (city mean and median of an indicator) are recomputed from
the output's own rows: the scored areas of the same period (see docs/method.md).
"""

from __future__ import annotations

import difflib
import math
from functools import reduce
from pathlib import Path
from typing import Any

import polars as pl

from .aggregate import score_column
from .derive import P, period_number
from .errors import InputError
from .normalise import Reference
from .spec import ClassDef, Index, Spec


def contribution_column(index_id: str, indicator: str) -> str:
    return f"{index_id}_{indicator}_contribution"


def additive_scale(index: Index) -> str:
    """What the contributions of an index add up to."""
    if index.aggregate != "geometric":
        return "index"
    return "log_aggregate"


def add_contributions(frame: pl.DataFrame, spec: Spec, index_id: str) -> pl.DataFrame:
    """Add ``<index>_<indicator>_contribution`` to every scored row: parts that add up
    to the index value.

    - ``mean``/``sum`` without ``standardise``: part = wᵢsᵢ/Σw (mean) or wᵢsᵢ (sum);
    - with ``standardise`` (index = (A − mean_R A)/sd_R A, A = Σ partᵢ): contribution =
      (partᵢ − mean_R partᵢ)/sd_R A, which adds up to the index exactly, because a mean
      is linear; R is the reference set (the period's scored rows, or the
      ``reference_period``'s when the output holds it; null otherwise);
    - ``geometric``: contribution = wᵢ ln sᵢ / Σw, which adds up to ln of the aggregate.
    """
    index = spec.indices[index_id]
    total = sum(index.weights.values())
    parts = {}
    for indicator, w in index.weights.items():
        s = pl.col(score_column(index_id, indicator))
        if index.aggregate == "geometric":
            parts[indicator] = s.log() * (w / total)
        elif index.aggregate == "mean":
            parts[indicator] = s * (w / total)
        else:
            parts[indicator] = s * w
    scored = pl.col("status") == "scored"
    if not index.standardise or index.aggregate == "geometric":
        return frame.with_columns(
            pl.when(scored).then(e).alias(contribution_column(index_id, i))
            for i, e in parts.items())
    # the reference statistics come from scored rows only
    has_period = "period" in frame.columns
    work = frame if has_period else frame.with_columns(pl.lit("").alias("period"))
    # the reference statistics group by the period number, as in the pipeline
    work = work.with_columns(period_number(pl.col("period")).alias(P))
    ref = Reference(index.reference_period)
    tmp = {i: f"_part_{i}" for i in parts}
    work = work.with_columns(
        pl.when(scored).then(e).alias(tmp[i]) for i, e in parts.items()
    ).with_columns(
        reduce(lambda a, b: a + b, [pl.col(c) for c in tmp.values()]).alias("_aggregate"))
    sd = ref.stat(pl.col("_aggregate"), lambda v: v.std(ddof=index.ddof))
    work = work.with_columns(
        ((pl.col(c) - ref.stat(pl.col(c), lambda v: v.mean())) / sd)
        .alias(contribution_column(index_id, i)) for i, c in tmp.items()
    ).drop([*tmp.values(), "_aggregate", P])
    return work if has_period else work.drop("period")


def read_output(path: str | Path) -> tuple[pl.DataFrame, Spec, dict[str, str]]:
    """An output file of ``compute`` (Parquet, or CSV with its ``.meta.json``), the spec
    embedded in its provenance (checked against its SHA-256) and the provenance."""
    from .outputs import read_output as read

    out = read(path)
    spec = out.embedded_spec()
    missing = [c for c in spec.output_columns() if c not in out.frame.columns]
    if missing:
        raise InputError(f"{out.path}: lacks the output column(s) {', '.join(missing)} of "
                         "its spec", code="input-not-an-output",
                         hint="give an unchanged file written by `ankunftsindex compute`")
    return out.frame, spec, out.metadata


def latest_period(frame: pl.DataFrame) -> str | None:
    """The last period of an output (None for a cross-section)."""
    if "period" not in frame.columns or frame.height == 0:
        return None
    return str(frame["period"].max())


def select_period(frame: pl.DataFrame, period: str | None) -> tuple[pl.DataFrame, str | None]:
    """The rows of one period (default: the latest); an unknown period is an error."""
    if "period" not in frame.columns:
        if period is not None:
            raise InputError(f"--period {period}: the output is a cross-section without "
                             "periods", code="input-no-periods",
                             hint="drop --period for a cross-section")
        return frame, None
    periods = sorted(set(frame["period"].to_list()))
    chosen = period or periods[-1]
    if chosen not in periods:
        raise InputError(f"period {chosen!r} is not in the output", code="input-unknown-period",
                         hint=f"periods in the output: {periods[0]} … {periods[-1]}")
    return frame.filter(pl.col("period") == chosen), chosen


def class_bounds(classes: list[ClassDef]) -> list[ClassDef]:
    """The classes from the lowest to the highest."""
    return sorted(classes, key=lambda c: -math.inf if c.from_ is None else c.from_)


def explain(frame: pl.DataFrame, spec: Spec, area: str, period: str | None = None
            ) -> dict[str, Any]:
    """Everything about one area in one period (default: the latest), as plain data."""
    rows, chosen = select_period(frame, period)
    mine = rows.filter(pl.col("area") == area)
    if mine.height == 0:
        known = sorted(set(frame["area"].to_list()))
        close = difflib.get_close_matches(area, known, n=3)
        raise InputError(f"area {area!r} is not in the output" +
                         (f" for period {chosen}" if chosen and area in known else ""),
                         code="input-unknown-area",
                         hint=(f"did you mean {', '.join(close)}?" if close else
                               f"the output has {len(known)} areas, e.g. {known[0]}"))
    row = mine.row(0, named=True)
    scored = rows.filter(pl.col("status") == "scored")
    n = scored.height
    out: dict[str, Any] = {
        "area": area, "name": row["name"], "period": chosen, "population": row["population"],
        "status": row["status"], "scored_areas": n, "title": spec.title,
        "spec_sha256": spec.sha256(), "indices": {}, "typology": None,
    }
    ordered = [i for i in spec.indicators if i in spec.used_indicators()]
    # mean, median and rank (1 = most arrival-like) of every indicator among scored areas
    stats = scored.select(
        *[pl.col(i).mean().alias(f"{i}__mean") for i in ordered],
        *[pl.col(i).median().alias(f"{i}__median") for i in ordered],
    ).row(0, named=True) if n else {}
    ranked = scored.select(
        "area",
        *[(pl.col(i) * spec.indicators[i].direction).rank(method="min", descending=True)
          .cast(pl.UInt32).alias(i) for i in ordered],
    ).filter(pl.col("area") == area)
    my_ranks = ranked.row(0, named=True) if ranked.height else {}
    out["indicators"] = {
        i: {
            "label": spec.indicators[i].label or i,
            "value": row[i],
            "direction": spec.indicators[i].direction,
            "city_mean": stats.get(f"{i}__mean"),
            "city_median": stats.get(f"{i}__median"),
            "rank": my_ranks.get(i),
        } for i in ordered
    }
    for index_id, index in spec.indices.items():
        with_c = add_contributions(frame, spec, index_id)
        if chosen is not None:
            with_c = with_c.filter(pl.col("period") == chosen)
        crow = with_c.filter(pl.col("area") == area).row(0, named=True)
        out["indices"][index_id] = _explain_index(spec, index_id, index, row, crow, n)
    if spec.typology is not None and row["status"] == "scored":
        out["typology"] = _explain_typology(spec, mine)
    return out


def _explain_index(spec: Spec, index_id: str, index: Index, row: dict[str, Any],
                   crow: dict[str, Any], n: int) -> dict[str, Any]:
    total = sum(index.weights.values())
    value = row[index_id]
    indicators = []
    for i, w in index.weights.items():
        indicators.append({
            "indicator": i,
            "label": spec.indicators[i].label or i,
            "value": row[i],
            "score": row[score_column(index_id, i)],
            "weight": w,
            "weight_share": w / total,
            "contribution": crow[contribution_column(index_id, i)],
        })
    contributions = [d["contribution"] for d in indicators]
    known = value is not None and all(c is not None for c in contributions)
    drivers = sorted((d for d in indicators if d["contribution"] is not None),
                     key=lambda d: -d["contribution"])
    info: dict[str, Any] = {
        "label": index.label or index_id,
        "value": value,
        "rank": row[f"{index_id}_rank"],
        "of": n,
        "class": row[f"{index_id}_class"],
        "method": {"normalise": index.normalise, "ddof": index.ddof,
                   "winsorise": list(index.winsorise) if index.winsorise else None,
                   "aggregate": index.aggregate, "standardise": index.standardise,
                   "reference_period": index.reference_period},
        "contributions_add_up_to": additive_scale(index),
        "standardised": index.standardise,
        "contribution_sum": sum(contributions) if known else None,
        "indicators": indicators,
        "drivers": [d["indicator"] for d in drivers if d["contribution"] > 0],
    }
    if index.aggregate == "geometric" and value is not None and index.standardise:
        info["note"] = ("geometric aggregation: contributions add up to ln of the aggregate; "
                        "the index is that aggregate re-standardised (a monotone transform)")
    if value is not None and not known:
        info["note"] = ("contributions need the reference period "
                        f"{index.reference_period}, which this output does not hold")
    info["class_position"] = _class_position(index.classes, value) if value is not None \
        else None
    return info


def _class_position(classes: list[ClassDef], value: float) -> dict[str, Any]:
    """The bounds of the value's class and how far the neighbouring classes are."""
    ordered = class_bounds(classes)
    pos = next(k for k, c in enumerate(ordered)
               if (c.from_ is None or value >= c.from_) and (c.to is None or value < c.to))
    c = ordered[pos]
    return {
        "label": c.label, "from": c.from_, "to": c.to,
        "next_higher": None if pos + 1 == len(ordered) else
        {"label": ordered[pos + 1].label, "distance": c.to - value if c.to is not None
         else None},
        "next_lower": None if pos == 0 else
        {"label": ordered[pos - 1].label, "distance": value - c.from_ if c.from_ is not None
         else None},
    }


def _explain_typology(spec: Spec, mine: pl.DataFrame) -> dict[str, Any]:
    """Each rule evaluated on the area's row; the first true one is the type."""
    assert spec.typology is not None
    typology = spec.typology
    results = mine.select(
        pl.sql_expr(r.when).alias(f"_rule_{k}") for k, r in enumerate(typology.rules)
    ).row(0)
    rules = [{"label": r.label, "when": r.when, "result": res}
             for r, res in zip(typology.rules, results, strict=True)]
    matched = next((k for k, r in enumerate(rules) if r["result"] is True), None)
    return {
        "column": typology.column,
        "type": mine[typology.column][0],
        "matched_rule": matched,
        "default": typology.default,
        "rules": rules,
    }
