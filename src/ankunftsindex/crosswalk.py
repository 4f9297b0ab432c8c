"""Boundary changes: map the counts of an old area layout onto a new one.

A crosswalk is a table ``old_id;new_id;weight`` (optionally ``new_name``): the share of an
old area's counts that goes to a new area. Counts (population, numerators, denominators)
are split by weight and summed per new area and period *before* indicators are derived,
so shares and rates are re-derived from the mapped counts and never averaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .errors import (
    FILE_COL,
    LINE_COL,
    Finding,
    InputError,
    error_from_findings,
    rows_to_findings,
)
from .read import count_columns, read_extract
from .spec import Spec

#: Weights of one old area may miss 1 by this much (rounded shares in published
#: crosswalks); they are then rescaled to sum to exactly 1 so that totals are kept.
WEIGHT_TOLERANCE = 1e-3

COLUMNS = ("old_id", "new_id", "weight")
NAME_COLUMN = "new_name"


@dataclass
class Crosswalk:
    """A checked crosswalk: one row per (old area, new area) with weights summing to 1."""

    path: Path
    sha256: str
    table: pl.DataFrame  # old_id, new_id, weight, new_name, _file, _line

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, source: str = "<crosswalk>") -> Crosswalk:
        """A crosswalk from a frame with ``old_id``, ``new_id``, ``weight`` (numbers) and
        optionally ``new_name``, e.g. in a notebook; rows count from line 2 as in a file."""
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise InputError(f"{source}: the crosswalk lacks column(s) {', '.join(missing)}",
                             code="input-crosswalk-columns",
                             hint="a crosswalk has the columns old_id, new_id, weight")
        name = pl.col(NAME_COLUMN) if NAME_COLUMN in frame.columns else pl.lit(None)
        table = frame.with_row_index(LINE_COL, offset=2).select(
            pl.col("old_id").cast(pl.String).str.strip_chars(),
            pl.col("new_id").cast(pl.String).str.strip_chars(),
            pl.col("weight").cast(pl.String).alias("_weight_text"),
            pl.col("weight").cast(pl.Float64),
            name.cast(pl.String).alias(NAME_COLUMN),
            pl.lit(source).alias(FILE_COL), pl.col(LINE_COL))
        return cls(Path(source), "", table)


def read_crosswalk(path: str | Path) -> Crosswalk:
    """Read and check a crosswalk file (CSV; separator and encoding detected)."""
    extract = read_extract(path, numeric_columns=[])
    missing = [c for c in COLUMNS if c not in extract.columns]
    if missing:
        raise InputError(
            f"{extract.path}: the crosswalk lacks column(s) {', '.join(missing)}",
            code="input-crosswalk-columns",
            hint="a crosswalk has the header old_id;new_id;weight (and optionally new_name); "
            f"columns in the file: {', '.join(extract.columns)}")
    # a Parquet crosswalk keeps its types (weights as numbers): read every column as text
    frame = extract.frame.with_columns(
        pl.col(c).cast(pl.String) for c in (*COLUMNS, NAME_COLUMN) if c in extract.columns)
    name = pl.col(NAME_COLUMN).str.strip_chars() if NAME_COLUMN in frame.columns else pl.lit(
        None, pl.String)
    text = pl.col("weight").str.strip_chars()
    table = frame.select(
        pl.col("old_id").str.strip_chars(), pl.col("new_id").str.strip_chars(),
        text.alias("_weight_text"),
        text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False).alias("weight"),
        name.alias(NAME_COLUMN), FILE_COL, LINE_COL,
    )
    return Crosswalk(extract.path, extract.sha256, table)


def check_crosswalk(crosswalk: Crosswalk) -> list[Finding]:
    """Empty IDs, weights that are not numbers in (0, 1], repeated pairs, weights per old
    area that do not sum to 1, and new areas given two names."""
    t = crosswalk.table
    empty = {c: pl.col(c).fill_null("").eq("") for c in ("old_id", "new_id")}
    findings = sorted(
        (f for column, is_empty in empty.items() for f in rows_to_findings(
            t.filter(is_empty), column, "input-crosswalk-id",
            "empty area ID in the crosswalk", "every crosswalk row needs old_id and new_id")),
        key=lambda f: (f.line is None, f.line or 0))
    w = pl.col("weight")
    bad_weight = w.is_null() | ~w.is_finite().fill_null(False) | (w <= 0) | (w > 1)
    findings += rows_to_findings(
        t.filter(bad_weight).with_columns(pl.col("_weight_text").alias("weight")),
        "weight", "input-crosswalk-weight", "weight is not a number in (0, 1]",
        "a weight is the share of the old area's counts that goes to the new area")
    t = t.with_row_index("_row").with_columns(
        (pl.col("_row") != pl.col("_row").min().over("old_id", "new_id")).alias("_repeated"),
        (bad_weight | empty["new_id"]).alias("_bad"))
    findings += rows_to_findings(
        t.filter("_repeated"), "new_id", "input-crosswalk-duplicate",
        "the pair old_id {old_id} → new_id {new_id} appears twice",
        "give each pair once with the combined weight")
    # an old area with a row already reported above has no meaningful sum
    sums = (t.group_by("old_id")
            .agg(w.sum().alias("_sum"), pl.col(FILE_COL).first(), pl.col(LINE_COL).min(),
                 (pl.col("_bad") | pl.col("_repeated")).any().alias("_reported"))
            .filter(~pl.col("_reported") & ~empty["old_id"])
            .filter((pl.col("_sum") - 1).abs() > WEIGHT_TOLERANCE)
            .with_columns(pl.col("_sum").round(6).alias("weight"))
            .sort(LINE_COL))
    findings += rows_to_findings(
        sums, "weight", "input-crosswalk-sum",
        "the weights of old area {old_id} sum to {weight}, not 1",
        "the shares of an old area must add up to 1 (its counts are split, not copied)")
    names = (t.filter(pl.col(NAME_COLUMN).is_not_null())
             .with_columns(pl.col(NAME_COLUMN).n_unique().over("new_id").alias("_names"))
             .filter(pl.col("_names") > 1)
             .filter(pl.col("_row") != pl.col("_row").min().over("new_id")))
    findings += rows_to_findings(
        names, NAME_COLUMN, "input-crosswalk-name", "new area {new_id} has another name "
        "in an earlier row", "give each new area one name")
    return findings


def _zeros_hint(uncovered: pl.DataFrame, area: str, table: pl.DataFrame) -> str:
    """A hint when data and crosswalk IDs match only without their leading zeros (a
    spreadsheet turned the crosswalk's ``008`` into ``8``, or the other way round)."""
    def bare(column: str) -> pl.Expr:
        return pl.col(column).cast(pl.String).str.strip_chars_start("0")

    walk = table.select(bare("old_id").alias("_bare"), pl.col("old_id")).unique("_bare",
                                                                                keep="first")
    near = (uncovered.with_columns(bare(area).alias("_bare"))
            .join(walk, on="_bare", how="inner").sort(FILE_COL, LINE_COL))
    if not near.height:
        return ""
    data_id, walk_id = near.select(area, "old_id").row(0)
    return (f"; {near.height} of them match a crosswalk ID only without leading zeros (data "
            f"{data_id!r}, crosswalk {walk_id!r}): keep the IDs as text with their leading "
            "zeros (a spreadsheet may have dropped them)")


def apply_crosswalk(
    raw: pl.DataFrame, spec: Spec, crosswalk: Crosswalk
) -> tuple[pl.DataFrame, list[Finding]]:
    """Map the input (spec column names, counts as Float64) onto the new layout.

    Every count of a new area and period is Σ weight × count of the old areas mapped to
    it; it is null when a mapped old area has no row or a null count in that period.
    Areas of the data that the crosswalk does not map are errors (their counts would be
    lost); crosswalk areas that are not in the data are warnings.
    """
    findings = check_crosswalk(crosswalk)
    if any(f.severity == "error" for f in findings):
        raise error_from_findings(
            findings, f"{crosswalk.path}: {len(findings)} problem(s) in the crosswalk",
            findings[0].code, "fix the crosswalk rows listed above; nothing was written")
    columns = [i for i, ind in spec.indicators.items() if ind.kind == "column"]
    if columns:
        raise InputError(
            f"indicator(s) {', '.join(columns)} take a column as it is; a pre-computed "
            "rate or share cannot be mapped to new areas",
            code="input-crosswalk-column",
            hint="derive the indicator from counts (numerator/denominator) in the spec, or "
            "map the extract before computing")
    area, period, name = spec.input.area, spec.input.period, spec.input.name
    if FILE_COL not in raw.columns:
        raw = raw.with_columns(pl.lit("<frame>").alias(FILE_COL))
    if LINE_COL not in raw.columns:
        raw = raw.with_row_index(LINE_COL, offset=1)
    t = crosswalk.table.with_columns(
        (pl.col("weight") / pl.col("weight").sum().over("old_id")).alias("weight"))
    data_areas = raw.group_by(area).agg(pl.col(FILE_COL).first(), pl.col(LINE_COL).min())
    uncovered = data_areas.join(t.select(pl.col("old_id").alias(area)).unique(), on=area,
                                how="anti").sort(FILE_COL, LINE_COL)
    if uncovered.height:
        found = rows_to_findings(
            uncovered, area, "input-crosswalk-uncovered",
            "area {" + area + "} is not in the crosswalk",
            "add a row old_id;new_id;weight for it (an unchanged area maps to itself with "
            "weight 1)")
        raise error_from_findings(
            found, f"{crosswalk.path}: {uncovered.height} area(s) of the data are not in the "
            "crosswalk; their counts would be lost", "input-crosswalk-uncovered",
            "add them to the crosswalk; nothing was written" + _zeros_hint(uncovered, area, t))
    unused = t.join(data_areas.select(pl.col(area).alias("old_id")), on="old_id", how="anti")
    findings = rows_to_findings(
        unused.group_by("old_id").agg(pl.col(FILE_COL).first(), pl.col(LINE_COL).min())
        .sort(LINE_COL), "old_id", "input-crosswalk-unused",
        "crosswalk area {old_id} is not in the data", "check the crosswalk's IDs (text, "
        "leading zeros); new areas it feeds miss those counts and become missing_data",
        severity="warning")
    # new areas fed by an old area without data get no counts at all (see the warning)
    t = t.with_columns(pl.col("old_id").is_in(unused["old_id"].unique().to_list()).any()
                       .over("new_id").alias("_incomplete"))
    counts = count_columns(spec)
    keys = ["new_id", *([period] if period else [])]
    expected = t.group_by("new_id").agg(pl.len().alias("_expected"),
                                        pl.col("_incomplete").first())
    first_line = t.group_by("new_id").agg(pl.col(LINE_COL).min().alias(LINE_COL),
                                          pl.col(NAME_COLUMN).drop_nulls().first())
    mapped = (
        raw.join(t.select("old_id", "new_id", "weight"), left_on=area, right_on="old_id",
                 how="inner")
        .group_by(keys)
        .agg(pl.len().alias("_n"),
             *([pl.col(name).filter(pl.col(area) == pl.col("new_id")).first().alias("_own")]
               if name else []),
             *[pl.when(pl.col(c).null_count() == 0).then((pl.col(c) * pl.col("weight")).sum())
               .alias(c) for c in counts])
        .join(expected, on="new_id", how="left")
        .join(first_line, on="new_id", how="left")
        .with_columns(
            # a gap in one old area's series leaves the new area without a full count
            *[pl.when((pl.col("_n") == pl.col("_expected")) & ~pl.col("_incomplete"))
              .then(pl.col(c)).alias(c) for c in counts],
            pl.lit(str(crosswalk.path)).alias(FILE_COL),
        )
        .rename({"new_id": area})
        .sort([*([period] if period else []), area])
    )
    out = [FILE_COL, LINE_COL, area]
    if name:
        # a new area without new_name keeps the name of the old area with its ID
        mapped = mapped.with_columns(pl.coalesce(NAME_COLUMN, "_own").alias(name))
        out.append(name)
    if period:
        out.append(period)
    return mapped.select(*out, *counts), findings
