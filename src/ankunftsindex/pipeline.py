"""The whole pipeline as pure functions: read → check → derive → exclude → normalise →
aggregate → rank → classify → typology. Usable from a notebook without the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from . import check, exclude
from ._version import __version__
from .aggregate import COLLECT, apply_typology, compute_index
from .derive import (
    AREA_NUMBER,
    SOURCE_ROW,
    P,
    derive,
    is_presorted,
    sort_output,
    standardise_columns,
)
from .errors import Finding, InputError
from .exclude import assign_status, select_periods
from .read import FILE_COL, LINE_COL, Extract, count_columns, load_input, spec_columns
from .scan import scan_csv_inputs, scan_parquet_inputs
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
        latest = self.periods[-1] if self.periods else None
        last = f.filter(pl.col("period") == latest) if "period" in f.columns else f
        status = _counts(f, "status")
        indices = {}
        for index_id, index in self.spec.indices.items():
            counts = _counts(last, f"{index_id}_class")
            indices[index_id] = {
                "label": index.label or index_id,
                "classes": {c.label: counts.get(c.label, 0) for c in index.classes},
            }
        out: dict[str, Any] = {
            "rows": f.height,
            "areas": f["area"].n_unique(),
            "periods": self.periods,
            "latest_period": latest,
            "status": {s: status[s] for s in sorted(status)},
            "indices": indices,
            "spec_sha256": self.spec.sha256(),
            "version": __version__,
            "inputs": [{"file": i.name, "sha256": i.sha256} for i in self.inputs],
            "warnings": [w.to_dict() for w in self.warnings],
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
    progress: Progress | None = None,
) -> Result:
    """Read extract files, check them and compute every index (see METHOD.md).

    ``progress`` is told the name of each stage as it starts."""
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    (progress or _silent)("reading")
    files: list[Extract] = []
    # no name here holds the input frame: compute_result can let go of the columns it
    # has used (a large input is most of the memory)
    result = compute_result(
        _read(extracts, spec, files, encoding=encoding, separator=separator,
              decimal=decimal), spec, periods=periods, progress=progress)
    result.inputs = [InputFile(e.path.name, e.sha256) for e in files]
    return result


def _read(extracts: list[str | Path] | list[Path], spec: Spec, files: list[Extract],
          **options: str | None) -> pl.DataFrame:
    """The input frame (Parquet fast path or the reader); the extracts go into ``files``."""
    raw, extracts_read = (
        scan_parquet_inputs(extracts, spec, decimal=options["decimal"])
        or scan_csv_inputs(extracts, spec, **options)
        or load_input(extracts, spec, **options))  # type: ignore[arg-type]
    files.extend(extracts_read)
    return raw


def compute_frame(
    raw: pl.DataFrame, spec: Spec, *, periods: list[str] | None = None
) -> tuple[pl.DataFrame, list[str]]:
    """Compute from a frame with the spec's input columns (numbers already parsed).

    Returns the output table (sorted by period, then area) and the output periods.
    """
    result = compute_result(raw, spec, periods=periods)
    return result.frame, result.periods


def compute_result(
    raw: pl.DataFrame, spec: Spec, *, periods: list[str] | None = None,
    progress: Progress | None = None,
) -> Result:
    """:func:`compute_frame` as a :class:`Result` (with warnings, without input files)."""
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
    if FILE_COL not in raw.columns:
        raw = raw.with_columns(pl.lit("<frame>").alias(FILE_COL))
    if LINE_COL not in raw.columns:
        raw = raw.with_row_index(LINE_COL, offset=1)
    if not (_ids_clean(raw, spec) and _counts_clean(raw, spec)):
        # the checks that name every bad row run only when a quick look found one
        findings = (
            check.check_ids(raw, spec)
            + (check.check_duplicates(raw, spec) if _has_duplicates(raw, spec) else [])
            + check.check_counts(raw, count_columns(spec))
        )
        check.raise_on_errors(findings, "input")
    presorted = is_presorted(raw, spec.input.area, spec.input.period)
    stage("deriving indicators")
    derived = (
        derive(standardise_columns(raw.lazy(), spec, numeric), spec, presorted=presorted)
        .pipe(assign_status, spec)
        .collect(**COLLECT)
    )
    if not presorted and _repeats(derived):
        check.raise_on_errors(check.check_duplicates(raw, spec), "input")
    # from here on only the names (for the output) and file/line (for findings) are read
    raw = raw.select(FILE_COL, LINE_COL, *([spec.input.name] if spec.input.name else []))
    check.raise_on_errors(check.check_shares(_share_suspects(derived, raw, spec), spec),
                          "input")
    selected = select_periods(derived, spec, periods)
    needed = set(selected) | {
        i.reference_period for i in spec.indices.values() if i.reference_period is not None
    }
    warnings = exclude.unknown_exclusions(derived, spec) if spec.exclude else []
    derived = sort_output(derived.filter(pl.col("period").is_in(sorted(needed))))
    derived = derived.with_row_index(ROW).with_columns(pl.col("status").cast(pl.String))
    name = (raw.get_column(spec.input.name).gather(derived.get_column(SOURCE_ROW))
            .cast(pl.String) if spec.input.name else pl.lit(None, pl.String))
    derived = derived.with_columns(name.alias("name"))
    scored = derived.filter(pl.col("status") == "scored")
    for index_id in spec.indices:
        stage(f"index {index_id}")
        scored = compute_index(scored, spec, index_id, selected)
    if spec.typology is not None:
        stage("typology")
        scored = apply_typology(scored, spec)
    columns = spec.output_columns()
    out = (
        derived.with_columns(_scatter(scored, derived.height, derived.columns))
        .filter(pl.col("period").is_in(selected))
        .select(columns)
    )
    return Result(out, spec, [], selected, warnings)


ROW = "_row"


def _scatter(scored: pl.DataFrame, height: int, have: list[str]) -> list[pl.Series]:
    """The columns the scored rows gained (scores, index, rank, class, type), each put
    back at its row (:data:`ROW`) of the full frame, null elsewhere: no sort, no join."""
    rows = scored.get_column(ROW)
    out = []
    for c in scored.columns:
        if c in have:
            continue
        values = scored.get_column(c)
        column = pl.repeat(None, height, dtype=values.dtype, eager=True).alias(c)
        column.scatter(rows, values)
        out.append(column)
    return out


def _share_suspects(derived: pl.DataFrame, raw: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """The rows :func:`check.check_shares` could object to, with their file and line (the
    derived frame carries only the input row number)."""
    shares = [ident for ident, ind in spec.indicators.items()
              if ind.kind == "ratio" and ind.type == "stock" and ind.per == 100
              and ind.denominator]
    if not shares:
        return derived.clear()
    rows = sort_output(derived.filter(pl.any_horizontal(pl.col(shares) > 100)))
    source = rows.get_column(SOURCE_ROW)
    return rows.with_columns(raw.get_column(FILE_COL).gather(source),
                             raw.get_column(LINE_COL).gather(source))


def _ids_clean(raw: pl.DataFrame, spec: Spec) -> bool:
    """No empty area ID; periods (looked at once each) all monthly or all yearly."""
    area = pl.col(spec.input.area)
    if raw.select((area.is_null() | (area == "")).any()).item():
        return False
    if spec.input.period is None:
        return True
    periods = raw.get_column(spec.input.period).unique()
    if periods.null_count():
        return False
    return bool(periods.str.contains(check.MONTHLY).all()
                or periods.str.contains(check.YEARLY).all())


def _counts_clean(raw: pl.DataFrame, spec: Spec) -> bool:
    """No negative count, in one pass over all count columns."""
    counts = count_columns(spec)
    return not raw.select(pl.any_horizontal(pl.col(counts) < 0).any()).item()


def _repeats(derived: pl.DataFrame) -> bool:
    """Some area × period twice: in area, period order the repeats are neighbours."""
    same = (pl.col(AREA_NUMBER) == pl.col(AREA_NUMBER).shift()) & (pl.col(P) == pl.col(P).shift())
    return bool(derived.select(same.fill_null(False).any()).item())


def _has_duplicates(raw: pl.DataFrame, spec: Spec) -> bool:
    """A quick test for duplicate area × period rows; the check that names them runs only
    when there are some."""
    keys = [spec.input.area] + ([spec.input.period] if spec.input.period else [])
    return raw.select(pl.struct(keys).is_duplicated().any()).item()
