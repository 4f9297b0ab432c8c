"""Early warning over a panel output: areas whose index rose by more than a threshold
over the last N periods, or that have stayed in a higher class than N periods ago for
the last K periods (the persistence rule, so that one noisy month flags nothing).

Periods are calendar periods, as everywhere: N and K count months (or years), not rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .derive import period_number
from .diff import Output
from .errors import Finding, InputError


@dataclass(frozen=True)
class WatchRules:
    """The thresholds of :func:`watch`."""

    index: str | None = None  # default: the output's first index
    rise: float | None = 0.5  # flag a rise of the index value by more than this
    over: int = 12  # … over this many periods (and: "higher class than this many ago")
    persist: int | None = 3  # flag a higher class than `over` periods ago in each of the
    # last `persist` periods
    at_least: str | None = None  # persistence counts only classes at least this high
    as_of: str | None = None  # the period to look from (default: the latest)


@dataclass
class WatchReport:
    """Areas flagged by :func:`watch`, with the values behind each flag."""

    index: str
    as_of: str
    since: str
    rules: WatchRules
    classes: list[str]  # lowest to highest
    flagged: pl.DataFrame
    warnings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def clean(v: Any) -> Any:  # JSON has no NaN or infinity
            return None if isinstance(v, float) and not math.isfinite(v) else v

        return {
            "flagged": self.flagged.height,
            "index": self.index,
            "as_of": self.as_of,
            "since": self.since,
            "rules": {"rise": self.rules.rise, "over": self.rules.over,
                      "persist": self.rules.persist, "at_least": self.rules.at_least},
            "classes_low_to_high": self.classes,
            "areas": [{k: clean(v) for k, v in r.items()} for r in self.flagged.to_dicts()],
            "warnings": [w.to_dict() for w in self.warnings],
        }


def class_order(out: Output, index_id: str) -> list[str]:
    """Class labels from the lowest to the highest values (by the spec's bounds)."""
    spec = out.spec
    try:
        classes = spec["indices"][index_id]["classes"]  # type: ignore[index]
        ordered = sorted(classes, key=lambda c: -math.inf if c.get("from") is None
                         else c["from"])
        return [c["label"] for c in ordered]
    except (KeyError, TypeError):
        return out.class_labels(index_id)[::-1]


def _period_after(period: str, steps: int) -> str:
    """The period ``steps`` calendar periods later (negative: earlier)."""
    if len(period) == 4:
        return f"{int(period) + steps:04d}"
    n = int(period[:4]) * 12 + int(period[5:7]) - 1 + steps
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def watch(out: Output, rules: WatchRules) -> WatchReport:
    """Flag areas by the rise rule and the persistence rule (see the module doc)."""
    frame = out.frame
    if "period" not in frame.columns:
        raise InputError(f"{out.path}: the output has no period column; watch needs a panel "
                         "of several periods", code="input-no-periods",
                         hint="compute without --period to get every scorable period")
    indices = out.index_ids()
    index_id = rules.index or (indices[0] if indices else "")
    if index_id not in indices:
        raise InputError(f"{out.path}: no index {index_id!r} in the output",
                         code="input-unknown-index",
                         hint=f"indices in the output: {', '.join(indices) or 'none'}")
    periods = out.periods
    as_of = rules.as_of or periods[-1]
    if as_of not in periods:
        raise InputError(f"{out.path}: period {as_of} is not in the output",
                         code="input-unknown-period",
                         hint=f"periods in the file: {', '.join(periods[:3])} … {periods[-1]}")
    if rules.over < 1 or (rules.persist is not None and not 1 <= rules.persist <= rules.over):
        raise InputError(f"persistence of {rules.persist} period(s) and look-back of "
                         f"{rules.over} period(s): need 1 <= persist <= over",
                         code="input-watch-rules", hint="choose --persist at most --over")
    if rules.rise is not None and not math.isfinite(rules.rise):
        raise InputError(f"rise threshold {rules.rise}: need a finite number",
                         code="input-watch-rules", hint="give --rise a number such as 0.5")
    since = _period_after(as_of, -rules.over)
    classes = class_order(out, index_id)
    if rules.at_least is not None and rules.at_least not in classes:
        raise InputError(f"--at-least {rules.at_least!r} is not a class of {index_id!r}",
                         code="input-watch-rules", hint=f"classes: {', '.join(classes)}")
    warnings = []
    if since not in periods:
        # nothing could be compared: for a cron job that is not "no area flagged"
        raise InputError(
            f"{out.path}: the output has no period {since} ({rules.over} periods before "
            f"{as_of}); nothing can be compared", code="input-too-short",
            hint="compute a longer panel (without --period) or choose a smaller --over")
    if rules.persist is not None:
        lacking = [q for q in (_period_after(as_of, -k) for k in range(rules.persist))
                   if q not in periods]
        if lacking:
            warnings.append(Finding(
                "watch-short-panel", f"the output lacks {', '.join(sorted(lacking))} of the "
                f"last {rules.persist} periods up to {as_of}; the persistence rule cannot "
                "flag anything", severity="warning", file=str(out.path),
                hint="compute the missing periods or choose a smaller --persist"))
    p_now = period_number(pl.lit(as_of))
    rank = {label: i for i, label in enumerate(classes)}
    rows = (frame.select("area", "name", "period",
                         pl.col(index_id).cast(pl.Float64).fill_nan(None).alias("value"),
                         pl.col(f"{index_id}_class").alias("class"))
            .with_columns(period_number(pl.col("period")).alias("_p"),
                          pl.col("class").replace_strict(rank, default=None,
                                                         return_dtype=pl.Int64).alias("_rank"))
            .filter(pl.col("_p").is_between(p_now - rules.over, p_now)))
    recent = pl.col("_p") > p_now - (rules.persist or 0)
    floor = rank[rules.at_least] if rules.at_least is not None else -1
    per_area = rows.sort("_p").group_by("area").agg(
        pl.col("name").last(),
        pl.col("value").filter(pl.col("_p") == p_now).first().alias("value"),
        pl.col("value").filter(pl.col("_p") == p_now - rules.over).first().alias("value_then"),
        pl.col("class").filter(pl.col("_p") == p_now).first().alias("class"),
        pl.col("class").filter(pl.col("_p") == p_now - rules.over).first().alias("class_then"),
        pl.col("_rank").filter(pl.col("_p") == p_now - rules.over).first().alias("_then"),
        pl.col("_rank").filter(recent).min().alias("_run_min"),
        pl.col("_rank").filter(recent).count().alias("_run_n"),
    ).with_columns((pl.col("value") - pl.col("value_then")).alias("rise"))
    rise_flag = (pl.col("rise") > rules.rise) if rules.rise is not None else pl.lit(False)
    persist_flag = (
        (pl.col("_run_n") == rules.persist) & (pl.col("_run_min") > pl.col("_then"))
        & (pl.col("_run_min") >= floor)
        if rules.persist is not None else pl.lit(False))
    flagged = (
        per_area.with_columns(rise_flag.fill_null(False).alias("rise_rule"),
                              persist_flag.fill_null(False).alias("persistence_rule"))
        .filter(pl.col("rise_rule") | pl.col("persistence_rule"))
        .sort(pl.col("rise"), pl.col("area"), descending=[True, False], nulls_last=True)
        .select("area", "name", "value", "value_then", "rise", "class", "class_then",
                "rise_rule", "persistence_rule")
    )
    return WatchReport(index_id, as_of, since, rules, classes, flagged, warnings)
