"""Compare two outputs of ``compute`` (or two periods of one): class transitions,
areas entering and leaving classes, largest movers, areas only in one, changed columns.

The outputs are joined by area, and by period when both sides hold several periods; when
each side holds one period (a file of last year's December against this year's, or two
``--period`` selections of one panel) they are joined by area alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .errors import Finding, InputError
from .outputs import Output, read_csv_output, read_output  # noqa: F401 (library API)

#: How the transition matrix and the lists name "no class" (not scored, or no row).
NOT_SCORED = "(not scored)"


def select_period(out: Output, period: str | None, option: str) -> Output:
    """The rows of one period (``None``: all rows)."""
    if period is None:
        return out
    if "period" not in out.frame.columns:
        raise InputError(f"{out.path}: {option} {period}: the output has no period column",
                         code="input-no-periods", hint=f"drop {option} for a cross-section")
    if period not in out.periods:
        raise InputError(f"{out.path}: {option} {period} is not in the output",
                         code="input-unknown-period",
                         hint=f"periods in the file: {_span(out.periods)}")
    return Output(out.path, out.frame.filter(pl.col("period") == period), out.metadata)


def _span(periods: list[str]) -> str:
    if len(periods) <= 6:
        return ", ".join(periods) or "none"
    return f"{periods[0]} … {periods[-1]} ({len(periods)} periods)"


@dataclass
class IndexDiff:
    """The comparison of one index."""

    index: str
    labels: list[str]
    changes: pl.DataFrame  # one row per key: classes, ranks, values, their changes

    def matrix(self) -> list[list[int]]:
        """Areas in both by old class (rows) × new class (columns), labels + not scored."""
        both = self.changes.filter(pl.col("presence") == "both")
        counts = {(o, n): c for o, n, c in both.group_by("old_class", "new_class").len().rows()}
        return [[counts.get((o, n), 0) for n in self.labels] for o in self.labels]

    def entered(self, label: str) -> pl.DataFrame:
        return self.changes.filter((pl.col("presence") == "both") & (pl.col("new_class") == label)
                                   & (pl.col("old_class") != label))

    def left(self, label: str) -> pl.DataFrame:
        return self.changes.filter((pl.col("presence") == "both") & (pl.col("old_class") == label)
                                   & (pl.col("new_class") != label))

    def rank_movers(self, top: int) -> pl.DataFrame:
        return (self.changes.filter(pl.col("rank_change").fill_null(0) != 0)
                .sort(pl.col("rank_change").abs(), pl.col("area"), descending=[True, False])
                .head(top))

    def value_movers(self, top: int, tolerance: float) -> pl.DataFrame:
        return (self.changes.filter(pl.col("value_change").abs() > tolerance)
                .sort(pl.col("value_change").abs(), pl.col("area"), descending=[True, False])
                .head(top))


@dataclass
class DiffReport:
    """What changed between an old and a new output."""

    old: Output
    new: Output
    keys: list[str]
    tolerance: float
    indices: list[IndexDiff]
    only_old: pl.DataFrame
    only_new: pl.DataFrame
    changed_columns: dict[str, int]
    warnings: list[Finding] = field(default_factory=list)

    @property
    def differences(self) -> bool:
        """Rows only in one side, or a cell that differs (decimal numbers beyond the
        tolerance)."""
        return bool(self.only_old.height or self.only_new.height
                    or any(self.changed_columns.values()))

    def changes_table(self) -> pl.DataFrame:
        """One row per index and key: the tidy table behind the report (``--format csv``)."""
        frames = [d.changes.select(pl.lit(d.index).alias("index"), pl.all()) for d in self.indices]
        if not frames:
            return pl.DataFrame({"index": []}, schema={"index": pl.String})
        return pl.concat(frames, how="vertical_relaxed")

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        """Plain data for ``--format json``."""
        def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
            return [{k: _clean(v) for k, v in r.items() if k != "presence"}
                    for r in frame.to_dicts()]

        def side(out: Output) -> dict[str, Any]:
            return {"file": str(out.path), "periods": out.periods,
                    "rows": out.frame.height,
                    "spec_sha256": out.metadata.get("ankunftsindex.spec_sha256"),
                    "version": out.metadata.get("ankunftsindex.version")}

        return {
            "differences": self.differences,
            "old": side(self.old),
            "new": side(self.new),
            "joined_on": self.keys,
            "tolerance": self.tolerance,
            "warnings": [w.to_dict() for w in self.warnings],
            "only_in_old": rows(self.only_old),
            "only_in_new": rows(self.only_new),
            "changed_columns": self.changed_columns,
            "indices": {
                d.index: {
                    "classes": d.labels,
                    "transitions": {"rows": "old class", "columns": "new class",
                                    "counts": d.matrix()},
                    "entered": {c: rows(d.entered(c)) for c in d.labels},
                    "left": {c: rows(d.left(c)) for c in d.labels},
                    "rank_movers": rows(d.rank_movers(top)),
                    "value_movers": rows(d.value_movers(top, self.tolerance)),
                }
                for d in self.indices
            },
        }


def _clean(v: Any) -> Any:
    """JSON has no NaN or infinity: they become null."""
    if isinstance(v, float):
        return round(v, 10) if math.isfinite(v) else None
    return v


def diff_outputs(old: Output, new: Output, *, tolerance: float = 0.0) -> DiffReport:
    """Compare two outputs (see the module doc for how they are joined)."""
    warnings = _provenance_warnings(old, new)
    has_period = "period" in old.frame.columns and "period" in new.frame.columns
    panel = has_period and (len(old.periods) > 1 or len(new.periods) > 1)
    if panel and old.periods != new.periods and not (set(old.periods) & set(new.periods)):
        raise InputError(
            f"{old.path} holds {_span(old.periods)}, {new.path} {_span(new.periods)}: no "
            "period in common to join on",
            code="input-no-common-period",
            hint="compare one period of each with --old-period and --new-period")
    if not has_period and (len(old.periods) > 1 or len(new.periods) > 1):
        raise InputError("one output has several periods, the other none",
                         code="input-no-common-period",
                         hint="choose one period of the panel with --old-period or "
                         "--new-period")
    keys = ["area", "period"] if panel else ["area"]
    o, n = (_prefixed(x.frame, keys, p) for x, p in ((old, "old"), (new, "new")))
    joined = (o.join(n, on=keys, how="full", coalesce=True)
              .with_columns(pl.coalesce("new_name", "old_name").alias("name"))
              .with_columns(
                  pl.when(pl.col("old_status").is_null()).then(pl.lit("only_new"))
                  .when(pl.col("new_status").is_null()).then(pl.lit("only_old"))
                  .otherwise(pl.lit("both")).alias("presence"))
              .sort(keys[::-1]))
    period_cols = [] if panel or not has_period else ["old_period", "new_period"]
    base = [*keys[::-1], "name", *period_cols]
    only = {p: joined.filter(pl.col("presence") == p).select(*base, "presence")
            for p in ("only_old", "only_new")}
    common = [i for i in old.index_ids() if i in new.index_ids()]
    for which, one, other in (("old", old, new), ("new", new, old)):
        for i in one.index_ids():
            if i not in other.index_ids():
                warnings.append(Finding("diff-index-missing",
                                        f"index {i!r} is only in the {which} output",
                                        severity="warning", file=str(one.path),
                                        hint="only indices in both outputs are compared"))
    indices = []
    for i in common:
        labels = new.class_labels(i)
        labels += [c for c in old.class_labels(i) if c not in labels]
        changes = joined.select(
            *base, "presence",
            pl.col(f"old_{i}_class").fill_null(NOT_SCORED).alias("old_class"),
            pl.col(f"new_{i}_class").fill_null(NOT_SCORED).alias("new_class"),
            pl.col(f"old_{i}_rank").cast(pl.Int64).alias("old_rank"),
            pl.col(f"new_{i}_rank").cast(pl.Int64).alias("new_rank"),
            (pl.col(f"old_{i}_rank").cast(pl.Int64) - pl.col(f"new_{i}_rank").cast(pl.Int64))
            .alias("rank_change"),
            pl.col(f"old_{i}").alias("old_value"),
            pl.col(f"new_{i}").alias("new_value"),
            (pl.col(f"new_{i}") - pl.col(f"old_{i}")).alias("value_change"),
        )
        seen = set(changes["old_class"]) | set(changes["new_class"])
        labels += [*sorted(seen - set(labels) - {NOT_SCORED}), NOT_SCORED]
        indices.append(IndexDiff(i, labels, changes))
    changed = _changed_columns(joined.filter(pl.col("presence") == "both"), old, new, keys,
                               tolerance)
    return DiffReport(old, new, keys, tolerance, indices, only["only_old"], only["only_new"],
                      changed, warnings)


def _prefixed(frame: pl.DataFrame, keys: list[str], prefix: str) -> pl.DataFrame:
    return frame.rename({c: f"{prefix}_{c}" for c in frame.columns if c not in keys})


def _changed_columns(both: pl.DataFrame, old: Output, new: Output, keys: list[str],
                     tolerance: float) -> dict[str, int]:
    """Per column in both outputs: the rows whose cells differ (decimal numbers: by more
    than the tolerance; ranks and other whole numbers, names, classes and other text:
    at all; a null against a value always differs)."""
    skip = {*keys, "period"}
    columns = [c for c in old.frame.columns if c in new.frame.columns and c not in skip]
    exprs = []
    for c in columns:
        a, b = pl.col(f"old_{c}"), pl.col(f"new_{c}")
        types = (old.frame.schema[c], new.frame.schema[c])
        if all(t.is_numeric() for t in types):
            # a CSV reads ranks back as floats: whole numbers are known by name and type
            exact = c.endswith("_rank") or all(t.is_integer() for t in types)
            a, b = a.cast(pl.Float64), b.cast(pl.Float64)
            differs = (a - b).abs() > (0.0 if exact else tolerance)
            differs = pl.when(a.is_null() | b.is_null()).then(a.is_null() != b.is_null()
                                                              ).otherwise(differs)
        else:
            differs = a.cast(pl.String).ne_missing(b.cast(pl.String))
        exprs.append(differs.fill_null(False).sum().alias(c))
    if not exprs:
        return {}
    counts = both.select(exprs).row(0, named=True) if both.height else dict.fromkeys(columns, 0)
    return {c: int(counts[c]) for c in columns}


def _provenance_warnings(old: Output, new: Output) -> list[Finding]:
    out = []
    for side in (old, new):
        if not side.metadata:
            out.append(Finding("diff-no-provenance", "the output carries no provenance "
                               "(spec, version)", severity="warning", file=str(side.path),
                               hint="a CSV output keeps it in <file>.meta.json beside it"))
    if old.metadata and new.metadata:
        a, b = (x.metadata.get("ankunftsindex.spec_sha256") for x in (old, new))
        if a != b:
            out.append(Finding("diff-spec-changed", "the outputs were computed with "
                               f"different specs (SHA-256 {str(a)[:12]}… and {str(b)[:12]}…)",
                               severity="warning",
                               hint="differences may come from the spec, not the data"))
        a, b = (x.metadata.get("ankunftsindex.version") for x in (old, new))
        if a != b:
            out.append(Finding("diff-version-changed", f"the outputs were computed with "
                               f"ankunftsindex {a} and {b}", severity="warning",
                               hint="see CHANGELOG.md for changes of the method"))
    return out
