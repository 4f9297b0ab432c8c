"""The whole pipeline as pure functions: read → check → derive → exclude → normalise →
aggregate → rank → classify → typology. Usable from a notebook without the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from . import check, exclude
from ._version import __version__
from .aggregate import COLLECT, compute_indices
from .crosswalk import Crosswalk, apply_crosswalk, read_crosswalk
from .derive import (
    AREA_NUMBER,
    SCORED,
    SOURCE_ROW,
    P,
    derive,
    is_presorted,
    number_rows,
    period_number,
    sort_output,
    standardise_columns,
)
from .errors import AnkunftsindexError, Finding, InputError
from .exclude import assign_status, select_periods
from .read import FILE_COL, LINE_COL, raise_errors, spec_columns
from .spec import Spec, load_spec

#: Told the name of each stage as it starts ("reading", "checking", …); for a progress
#: display. The library itself prints nothing.
Progress = Callable[[str], None]


def _silent(stage: str) -> None:
    """The default :data:`Progress`: says nothing."""


@dataclass(frozen=True)
class InputFile:
    """An input file as recorded in the provenance: its name and SHA-256."""

    name: str
    sha256: str


@dataclass
class Result:
    """The output table of :func:`compute` and what made it."""

    frame: pl.DataFrame
    spec: Spec
    inputs: list[InputFile] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    #: the number of areas and the rows per status of ``frame``, when the pipeline
    #: counted them on its integer and enum columns (None: counted from ``frame``)
    counts: tuple[int, dict[str, int]] | None = None

    def metadata(self) -> dict[str, str]:
        """Provenance: spec (canonical JSON) and its SHA-256, tool version, input SHA-256s."""
        return {
            "ankunftsindex.version": __version__,
            "ankunftsindex.spec": self.spec.canonical_json(),
            "ankunftsindex.spec_sha256": self.spec.sha256(),
            "ankunftsindex.inputs": json.dumps(
                [{"file": f.name, "sha256": f.sha256} for f in self.inputs],
                ensure_ascii=False, separators=(",", ":")),
        }

    def summary(self) -> dict[str, Any]:
        """Counts per status (all rows) and, for the latest period, per class of each index
        and per type; plain data for the terminal and for ``--json``."""
        f = self.frame
        # a cross-section (no input.period) has no periods to name
        periods = self.periods if self.spec.input.period is not None else []
        latest = periods[-1] if periods else None
        last = f.filter(pl.col("period") == latest) if "period" in f.columns else f
        areas, status = self.counts or (f["area"].n_unique(), _counts(f, "status"))
        indices = {}
        for index_id, index in self.spec.indices.items():
            counts = _counts(last, f"{index_id}_class")
            indices[index_id] = {
                "label": index.label or index_id,
                "classes": {c.label: counts.get(c.label, 0) for c in index.classes},
            }
        out: dict[str, Any] = {
            "rows": f.height,
            "areas": areas,
            "periods": periods,
            "latest_period": latest,
            "status": {s: status[s] for s in sorted(status)},
            "indices": indices,
            "spec_sha256": self.spec.sha256(),
            "version": __version__,
            "inputs": [{"file": i.name, "sha256": i.sha256} for i in self.inputs],
            "warnings": [w.to_dict() for w in self.warnings],
            "notes": [n.to_dict() for n in self.notes],
        }
        if self.spec.typology is not None:
            out["typology"] = dict(sorted(_counts(last, self.spec.typology.column).items()))
        return out

    def top(self, index_id: str, n: int = 10) -> list[dict[str, Any]]:
        """The ``n`` highest-ranked areas of an index in the latest period."""
        f = self.frame
        if "period" in f.columns and self.periods:
            f = f.filter(pl.col("period") == self.periods[-1])
        cols = ["area", "name", index_id, f"{index_id}_rank", f"{index_id}_class"]
        if self.spec.typology is not None:
            cols.append(self.spec.typology.column)
        return (f.filter(pl.col(f"{index_id}_rank").is_not_null())
                .sort(f"{index_id}_rank", "area").head(n).select(cols).to_dicts())


def _counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    """How often each non-null value of a column occurs (without a Python list of rows)."""
    counts = frame.get_column(column).drop_nulls().value_counts()
    return dict(zip(*(counts.get_column(c).to_list() for c in counts.columns), strict=True))


def compute(
    extracts: list[str | Path] | list[Path],
    spec: Spec | str | Path,
    *,
    periods: list[str] | None = None,
    encoding: str | None = None,
    separator: str | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
    strict: bool = False,
    crosswalk: str | Path | Crosswalk | None = None,
    progress: Progress | None = None,
) -> Result:
    """Read extract files, run every check of :func:`~ankunftsindex.check.validate`
    (errors, and with ``strict`` warnings, stop here) and compute every index.

    With ``crosswalk`` (a file or a :class:`~ankunftsindex.crosswalk.Crosswalk`), the
    counts are mapped onto the crosswalk's new area layout before indicators are derived.
    ``progress`` is told the name of each stage as it starts."""
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    if crosswalk is not None and not isinstance(crosswalk, Crosswalk):
        crosswalk = read_crosswalk(crosswalk)
    (progress or _silent)("reading")
    report = check.validate(extracts, spec, encoding=encoding, separator=separator,
                            decimal=decimal, sheet=sheet, periods=periods)
    report.raise_for(strict)
    assert report.frame is not None
    frame, report.frame = report.frame, None  # compute_result may let go of its columns
    if crosswalk is None:  # the checks are done: only a crosswalk names input lines
        frame = frame.drop(FILE_COL, LINE_COL)
    try:
        result = compute_result(frame, spec, periods=periods, findings=report.findings,
                                crosswalk=crosswalk, progress=progress,
                                presorted=report.presorted)
    except AnkunftsindexError as exc:
        exc.warnings = [f for f in report.findings if f.severity == "warning"]
        raise
    result.inputs = [InputFile(e.path.name, e.sha256) for e in report.extracts]
    if crosswalk is not None:
        result.inputs.append(InputFile(crosswalk.path.name, crosswalk.sha256))
    return result




def compute_frame(
    raw: pl.DataFrame, spec: Spec, *, periods: list[str] | None = None,
    crosswalk: Crosswalk | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """Compute from a frame with the spec's input columns (numbers already parsed).

    Returns the output table (sorted by period, then area) and the output periods.
    """
    result = compute_result(raw, spec, periods=periods, crosswalk=crosswalk)
    return result.frame, result.periods


def compute_result(
    raw: pl.DataFrame, spec: Spec, *, periods: list[str] | None = None,
    findings: list[Finding] | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
    presorted: bool | None = None,
) -> Result:
    """:func:`compute_frame` as a :class:`Result` (with warnings, without input files).

    ``findings`` are those of a :func:`~ankunftsindex.check.validate` run on ``raw``;
    without them the data checks run here (and errors among them stop). ``presorted``:
    what validate found about the rows' order (None: look)."""
    stage = progress or _silent
    stage("checking")
    if raw.height == 0:
        raise InputError("the input has no data rows", code="input-empty",
                         hint="give extracts with at least one row per area")
    text, numeric = spec_columns(spec)
    missing = [c for c in [*text, *numeric] if c not in raw.columns]
    if missing:
        raise InputError(f"the frame lacks column(s) {', '.join(missing)}",
                         code="input-missing-column",
                         hint=f"columns in the frame: {', '.join(raw.columns)}")
    raw = raw.with_columns(
        # a categorical name (scan.py) stays one until the output rows are chosen
        *[pl.col(c).cast(pl.String) for c in text if raw.schema[c] != pl.Categorical],
        *[pl.col(c).cast(pl.Float64) for c in numeric],
    )
    if findings is None:  # the checks name rows by file and line
        if FILE_COL not in raw.columns:
            raw = raw.with_columns(pl.lit("<frame>").alias(FILE_COL))
        if LINE_COL not in raw.columns:
            raw = raw.with_row_index(LINE_COL, offset=1)
        # as validate does: period numbers and the row order found once, used again below
        raw = check.with_period_numbers(raw, spec)
        quick = check.quick_check(raw, spec)
        findings = check.check_frame(raw, spec, quick) + exclude.unknown_exclusions(
            raw, spec, spec.input.area)
        raise_errors(findings, "input")
        presorted = quick.presorted if presorted is None else presorted
    if crosswalk is not None:
        # exclusions name areas of the new layout: look them up after mapping
        raw, mapped = apply_crosswalk(raw, spec, crosswalk)
        findings = [f for f in findings if f.code != "input-unknown-exclusion"] + mapped
        findings += exclude.unknown_exclusions(raw, spec, spec.input.area)
    if presorted is None or crosswalk is not None:
        presorted = is_presorted(raw, spec.input.area, spec.input.period)
    stage("deriving indicators")
    keyed = number_rows(standardise_columns(raw.lazy(), spec, numeric), presorted=presorted)
    # from here on only the names (for the output) are read
    raw = raw.select(*([spec.input.name] if spec.input.name else []))
    selected = select_periods(keyed, spec, periods)
    needed = set(selected) | {
        i.reference_period for i in spec.indices.values() if i.reference_period is not None
    }
    # indicators only for the rows of the periods needed (windows see every row)
    derived = (derive(keyed, spec, keep=_in_periods(needed)).pipe(assign_status, spec)
               .collect(**COLLECT))
    del keyed
    output_rows = derived if needed == set(selected) else derived.filter(_in_periods(selected))
    # still in area order (as derive returns them): the areas are counted without hashing
    areas = output_rows.get_column(AREA_NUMBER)
    counts = ((areas.set_sorted() if areas.is_sorted() else areas).n_unique(),
              _counts(output_rows, "status"))
    del output_rows
    derived = sort_output(derived)
    name = (raw.get_column(spec.input.name).gather(derived.get_column(SOURCE_ROW))
            .cast(pl.String) if spec.input.name else pl.lit(None, pl.String))
    # every row stays: the indices mask the rows that are not scored (nulls)
    frame = derived.with_columns(pl.col("status").cast(pl.String), name.alias("name"),
                                 (pl.col("status") == "scored").alias(SCORED))
    del derived
    stage("indices" + (" and typology" if spec.typology is not None else ""))
    frame = compute_indices(frame, spec, selected)
    if needed != set(selected):  # reference periods computed but not output
        frame = frame.filter(_in_periods(selected))
    out = frame.select(spec.output_columns())
    return Result(out, spec, [], selected,
                  [f for f in findings if f.severity == "warning"],
                  [f for f in findings if f.severity == "info"], counts)


def _in_periods(periods: Collection[str]) -> pl.Expr:
    """Rows of these periods, found by period number (integers, not texts)."""
    numbers = pl.Series("period", sorted(periods), pl.String).to_frame().select(
        period_number(pl.col("period"))).to_series()
    return pl.col(P).is_in(numbers.implode())
