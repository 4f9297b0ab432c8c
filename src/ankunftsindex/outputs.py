"""Outputs of ``compute`` read back: the table (Parquet, or CSV in either dialect with its
``.meta.json``) and its provenance, for ``diff``, ``watch``, ``explain``, ``sensitivity``
and ``report``.

A CSV output is read as text first: IDs, names, periods, status, classes and the typology
stay text, ranks become integers and every other column a number (by the embedded spec;
without one, a column becomes a number only when every cell is one without a leading
zero). The apostrophe that ``write_csv`` puts before formula-like text cells is taken off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .errors import AnkunftsindexError, InputError
from .spec import Spec, parse_spec
from .write import CSV_DIALECTS, FORMULA_START, format_for, read_metadata, sidecar_path


@dataclass
class Output:
    """An output file of ``compute`` as read back: its table and provenance."""

    path: Path
    frame: pl.DataFrame
    metadata: dict[str, str]

    @property
    def spec(self) -> dict[str, Any] | None:
        text = self.metadata.get("ankunftsindex.spec")
        try:
            return json.loads(text) if text else None
        except ValueError:
            return None

    @property
    def periods(self) -> list[str]:
        if "period" not in self.frame.columns:
            return []
        return self.frame["period"].unique().sort().to_list()

    def index_ids(self) -> list[str]:
        """The indices of the output: from the spec, else from ``<id>_rank``/``<id>_class``."""
        spec = self.spec
        cols = set(self.frame.columns)
        if spec and isinstance(spec.get("indices"), dict):
            return [i for i in spec["indices"] if {i, f"{i}_rank", f"{i}_class"} <= cols]
        return [c.removesuffix("_rank") for c in self.frame.columns if c.endswith("_rank")
                and {c.removesuffix("_rank"), c.removesuffix("_rank") + "_class"} <= cols]

    def class_labels(self, index_id: str) -> list[str]:
        """Class labels in the spec's order; without a spec, by mean index value, highest
        first."""
        spec = self.spec
        try:
            return [c["label"] for c in spec["indices"][index_id]["classes"]]  # type: ignore[index]
        except (KeyError, TypeError):
            return (self.frame.filter(pl.col(f"{index_id}_class").is_not_null())
                    .group_by(f"{index_id}_class").agg(pl.col(index_id).mean())
                    .sort(index_id, f"{index_id}_class", descending=[True, False])
                    [f"{index_id}_class"].to_list())

    def embedded_spec(self) -> Spec:
        """The spec of the provenance, checked against its SHA-256."""
        text = self.metadata.get("ankunftsindex.spec")
        if text is None:
            where = sidecar_path(self.path) if self.path.suffix.lower() == ".csv" else self.path
            raise InputError(f"{where}: no ankunftsindex provenance (spec) found",
                             code="input-no-provenance",
                             hint="give a file written by `ankunftsindex compute` (a CSV "
                             "output needs its .meta.json beside it)")
        spec = parse_spec(text, f"{self.path} (embedded spec)")
        recorded = self.metadata.get("ankunftsindex.spec_sha256")
        if recorded is not None and spec.sha256() != recorded:
            raise InputError(f"{self.path}: the embedded spec does not match its SHA-256 "
                             f"{recorded}", code="input-provenance-mismatch",
                             hint="the file was changed after `ankunftsindex compute`; "
                             "compute it again")
        return spec

    def text_columns(self) -> set[str]:
        """Columns that are text whatever their cells look like: IDs, names, periods,
        status, classes and the typology (``01001`` must not become 1001)."""
        spec = self.spec or {}
        typology = spec.get("typology") if isinstance(spec.get("typology"), dict) else None
        text = {"area", "name", "period", "status"}
        if typology is not None:
            text.add(typology.get("column") or "typ")
        return text | {c for c in self.frame.columns if c.endswith("_class")}


#: What ``write_csv`` put before text cells that a spreadsheet would run as a formula.
_APOSTROPHE = "^'" + FORMULA_START.removeprefix("^")


def read_output(path: str | Path) -> Output:
    """Read a Parquet or CSV output of ``compute`` with its provenance (CSV: sidecar)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: output file not found", code="input-not-found",
                         hint="give an output of `ankunftsindex compute` (Parquet or CSV)")
    try:
        kind = format_for(p, None)
    except Exception:
        raise InputError(f"{p}: cannot tell the format from the suffix {p.suffix!r}",
                         code="input-not-an-output",
                         hint="give a .parquet or .csv file written by compute") from None
    if kind == "csv":
        frame, metadata, decimal_comma = read_csv_output(p)
    else:
        try:
            frame = pl.read_parquet(p)
            metadata = read_metadata(p)
        except AnkunftsindexError:
            raise
        except Exception as exc:  # polars/arrow raise many kinds for broken files
            raise InputError(f"{p}: cannot read: {exc}", code="input-not-an-output",
                             hint="give a complete output of `ankunftsindex compute`") from None
    if "area" not in frame.columns or "status" not in frame.columns:
        raise InputError(f"{p}: not an output of ankunftsindex (no area/status columns)",
                         code="input-not-an-output",
                         hint="give files written by `ankunftsindex compute`; from an "
                         "extract, explain and sensitivity compute first with --spec")
    _refuse_repeated_keys(p, frame)
    if "name" not in frame.columns:  # a spec without input.name; the reports show names
        frame = frame.with_columns(pl.lit(None, pl.String).alias("name"))
    out = Output(p, frame, metadata)
    if kind == "csv":
        typed = _typed(frame, out.text_columns(), decimal_comma)
        # ranks are whole numbers, as in Parquet
        out.frame = typed.with_columns(
            pl.col(c).cast(pl.Int64) for c, t in typed.schema.items()
            if c.endswith("_rank") and t == pl.Float64)
    _check_output(out)
    return out


_AS_WRITTEN = "give the file as compute wrote it (edited by hand, it may not fit any more)"


def _check_output(out: Output) -> None:
    """What every command reads from an output, as compute writes it: rows; area, period
    and status as text in every row; each index's values numbers, its ranks whole numbers
    and its classes the spec's labels. A file edited by hand is refused here, naming the
    column, instead of failing somewhere inside a command."""
    frame, path = out.frame, out.path

    def refuse(what: str) -> InputError:
        return InputError(f"{path}: {what}", code="input-not-an-output", hint=_AS_WRITTEN)

    if frame.height == 0:
        raise refuse("the output has no rows")
    keys = [c for c in ("area", "period", "status") if c in frame.columns]
    for c in keys:
        if frame.schema[c] != pl.String:
            raise refuse(f"column {c!r} holds {frame.schema[c]}, not text")
    missing = frame.select(pl.col(keys).is_null().arg_true().first()).row(0, named=True)
    for c in keys:
        if missing[c] is not None:
            raise refuse(f"row {missing[c] + 1} of the table has no {c}")
    for i in out.index_ids():
        if not frame.schema[i].is_numeric():
            raise refuse(f"column {i!r} holds {frame.schema[i]}, not numbers")
        if not frame.schema[f"{i}_rank"].is_integer():
            raise refuse(f"column {i}_rank holds {frame.schema[f'{i}_rank']}, not whole "
                         "numbers")
        if frame.schema[f"{i}_class"] != pl.String:
            raise refuse(f"column {i}_class holds {frame.schema[f'{i}_class']}, not text")
        labels = out.class_labels(i)
        unknown = frame.filter(pl.col(f"{i}_class").is_not_null()
                               & ~pl.col(f"{i}_class").is_in(labels))
        if unknown.height:
            raise refuse(f"column {i}_class holds {unknown[f'{i}_class'][0]!r}, which is "
                         f"not a class of {i} ({', '.join(labels)})")


def read_csv_output(path: Path) -> tuple[pl.DataFrame, dict[str, str], bool]:
    """A CSV output with every column as text, its provenance, and whether it has decimal
    commas. The dialect comes from the sidecar's ``csv_dialect``, without a sidecar from
    the file (a BOM or ``;``); the apostrophe that ``write_csv`` puts before formula-like
    cells is taken off again."""
    side = sidecar_path(path)
    metadata: dict[str, str] = {}
    if side.is_file():
        try:
            raw = json.loads(side.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:  # UnicodeDecodeError is a ValueError
            raise InputError(f"{side}: the provenance of {path.name} is not readable JSON: "
                             f"{exc}", code="input-not-an-output",
                             hint=f"run compute again, or delete {side.name} to read the CSV "
                             "without provenance") from None
        if not isinstance(raw, dict):
            raise InputError(f"{side}: the provenance of {path.name} is not a JSON object",
                             code="input-not-an-output",
                             hint=f"run compute again, or delete {side.name} to read the CSV "
                             "without provenance")
        dialect = raw.get("csv_dialect") or (
            "excel-de" if _guess_separator(path) == ";" else "standard")
        if dialect not in CSV_DIALECTS:
            raise InputError(f"{side}: unknown csv_dialect {dialect!r}",
                             code="input-not-an-output",
                             hint=f"a CSV output is written in one of {', '.join(CSV_DIALECTS)}")
        metadata = read_metadata(path)  # raises input-stale-sidecar for another run's
        separator = ";" if dialect == "excel-de" else ","
    else:
        separator = _guess_separator(path)
    try:
        frame = pl.read_csv(path, separator=separator, infer_schema=False)
    except Exception as exc:  # polars raises many kinds for broken files
        raise InputError(f"{path}: cannot read: {exc}", code="input-not-an-output",
                         hint="give a complete output of `ankunftsindex compute` (with its "
                         ".meta.json, which names the CSV dialect)") from None
    frame = frame.with_columns(
        pl.when(pl.col(c).str.contains(_APOSTROPHE)).then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c)).alias(c) for c in frame.columns)
    return frame, metadata, separator == ";"


def _guess_separator(path: Path) -> str:
    """Without a sidecar: excel-de (``;``) when the file starts with a BOM or its header
    has more semicolons than commas (output column names hold neither)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith(b"\xef\xbb\xbf"):
        return ";"
    header = head.split(b"\n", 1)[0]
    return ";" if header.count(b";") > header.count(b",") else ","


def _typed(frame: pl.DataFrame, text: set[str], decimal_comma: bool) -> pl.DataFrame:
    """Numbers for every column that is not known text and whose every cell is a number
    without a leading zero (a typology or an ID column such as ``0815`` stays text)."""
    candidates = [c for c in frame.columns if c not in text]
    if not candidates:
        return frame

    def number(c: str) -> pl.Expr:
        cell = pl.col(c).str.replace(",", ".", literal=True) if decimal_comma else pl.col(c)
        return cell.cast(pl.Float64, strict=False)

    parses = frame.select(
        ((number(c).null_count() == pl.col(c).null_count())
         & ~pl.col(c).str.contains(r"^[+-]?0\d").any()).alias(c)
        for c in candidates).row(0, named=True)
    return frame.with_columns(number(c).alias(c) for c in candidates if parses[c])


def _refuse_repeated_keys(path: Path, frame: pl.DataFrame) -> None:
    """An output has one row per area (and period); repeated keys would be counted twice."""
    keys = ["area", "period"] if "period" in frame.columns else ["area"]
    repeated = frame.filter(pl.struct(keys).is_duplicated())
    if not repeated.height:
        return
    first = repeated.select(keys).row(0, named=True)
    key = ", ".join(f"{k} {v}" for k, v in first.items())
    n = repeated.select(keys).unique().height
    raise InputError(f"{path}: {n} key(s) appear in more than one row, first {key}: "
                     f"an output of compute has one row per {' and '.join(keys)}",
                     code="input-not-an-output",
                     hint="give the file as compute wrote it (files joined or edited by "
                     "hand may repeat rows)")
