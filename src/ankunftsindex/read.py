"""Files → frames: dialect, encoding, German numbers, IDs as text.

Every input column is first read as text, then parsed with polars expressions, so that a
value that is not a number can be reported with file, line, column and value instead of
silently becoming null. Lines are counted as in a text editor: the header is line 1.
"""

from __future__ import annotations

import codecs
import hashlib
import io
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
from .spec import Spec

#: Cell contents that mean "no value" in German statistical tables (withheld, not
#: applicable, nothing there). Compared after stripping blanks.
NULL_SYMBOLS = ("", ".", "-", "–", "x", "X", "/", "…", "...")


_BLANKS = r"[ \u00a0\u202f\t]"
_EXP = r"([eE][+-]?\d+)?"
_NUMBER = {
    ",": rf"^[+-]?(\d+|\d{{1,3}}(\.\d{{3}})+)(,\d+)?{_EXP}$",
    ".": rf"^[+-]?(\d+|\d{{1,3}}(,\d{{3}})+)(\.\d+)?{_EXP}$",
}
_NOT_FINITE = r"^[+-]?(nan|inf|infinity)$"


@dataclass
class Extract:
    """One input file as read: its raw text columns plus file name and line number."""

    path: Path
    sha256: str
    frame: pl.DataFrame
    encoding: str
    separator: str | None
    decimal: str

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c not in (FILE_COL, LINE_COL)]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _utf8(raw: bytes, path: Path, encoding: str | None) -> tuple[bytes, str]:
    """The file as UTF-8 bytes without BOM, and the encoding it was read with: UTF-8
    (with or without BOM) when the bytes are UTF-8, else cp1252 (latin-1 for the five
    bytes cp1252 leaves undefined). UTF-8 input is checked once and not copied."""
    body = raw.removeprefix(codecs.BOM_UTF8)
    candidates = [encoding] if encoding else ["utf-8", "cp1252", "latin-1"]
    for enc in candidates:
        try:
            text = body.decode(enc)
        except (UnicodeDecodeError, LookupError) as exc:
            if encoding:
                raise InputError(
                    f"{path}: cannot decode as {enc}: {exc}",
                    code="input-encoding",
                    hint="try --encoding=cp1252 (Windows exports) or --encoding=utf-8",
                ) from None
            continue
        if enc.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig"):
            return body, "utf-8-sig" if body is not raw else "utf-8"
        return text.removeprefix("\ufeff").encode("utf-8"), enc
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def detect_separator(header: str) -> str:
    """The most frequent of ``;``, ``,`` and tab in the header line (``;`` on a tie)."""
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts.values())
    if best == 0:
        return ";"
    return next(sep for sep in (";", ",", "\t") if counts[sep] == best)


def read_extract(
    path: str | Path,
    *,
    encoding: str | None = None,
    separator: str | None = None,
    decimal: str | None = None,
    numeric_columns: list[str] | None = None,
) -> Extract:
    """Read one CSV or Parquet file with every column as it is stored (CSV: as text).

    Without ``decimal``, the decimal mark is guessed from ``numeric_columns`` (default:
    all columns; names such as "Mitte, Nord" mislead the guess, so pass them)."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not a file", code="input-not-found",
                         hint=f"give the files in it, e.g. {p}/*.csv")
    if not p.is_file():
        raise InputError(f"{p}: input file not found", code="input-not-found",
                         hint="check the path; several files may be given")
    sha = file_sha256(p)
    if p.suffix.lower() in (".parquet", ".pq"):
        try:
            frame = pl.read_parquet(p)
        except Exception as exc:  # polars/arrow raise many kinds for broken files
            raise InputError(f"{p}: cannot read Parquet: {exc}", code="input-parquet",
                             hint="check that the file is a complete Parquet file") from None
        frame = frame.with_row_index(LINE_COL, offset=1).with_columns(
            pl.lit(str(p)).alias(FILE_COL)
        )
        return Extract(p, sha, frame, "parquet", None, decimal or ".")

    raw = p.read_bytes()
    data, enc = _utf8(raw, p, encoding)
    if not data.strip():
        raise InputError(f"{p}: the file is empty", code="input-empty",
                         hint="check the export; the file needs a header and data rows")
    header = data.split(b"\n", 1)[0].decode("utf-8")
    sep = separator or detect_separator(header)
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            separator=sep,
            infer_schema=False,
            quote_char='"',
            raise_if_empty=False,
        )
    except Exception as exc:
        raise InputError(f"{p}: cannot parse as CSV (separator {sep!r}): {exc}",
                         code="input-csv",
                         hint="check the separator (--separator) and quoting") from None
    frame = frame.rename({c: c.strip() for c in frame.columns})
    cells = list(frame.columns)
    frame = (
        frame.with_row_index(LINE_COL, offset=2)
        .with_columns(pl.lit(str(p)).alias(FILE_COL))
        # blank lines (or lines of separators only) are not rows
        .filter(~pl.all_horizontal(pl.col(cells).str.strip_chars().fill_null("") == ""))
    )
    if frame.height == 0:
        raise InputError(f"{p}: the file has a header but no data rows", code="input-empty",
                         hint="check the export; the file needs data rows below the header")
    cols = [c for c in (numeric_columns or cells) if c in cells]
    return Extract(p, sha, frame, enc, sep, decimal or guess_decimal(frame, sep, cols, p))


_POINT_DECIMAL = r"^[+-]?\d*\.\d+$"
_GERMAN_THOUSANDS = r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$"


def guess_decimal(frame: pl.DataFrame, sep: str | None, cols: list[str],
                  path: Path | None = None) -> str:
    """Decimal comma for ``;`` files unless no cell of the numeric columns ``cols`` has a
    comma and some has a point that cannot be a German thousands separator. A file with
    both such a cell and one that only fits a thousands separator (``1.000``) is
    ambiguous: an error, never a guess."""
    if sep != ";":
        return "."
    cols = [c for c in cols if frame.schema.get(c) == pl.String]
    if not cols or frame.height == 0:
        return ","
    v = pl.col(cols).str.strip_chars()
    has_comma, has_point_decimal = frame.select(
        pl.any_horizontal(v.str.contains(",", literal=True).any()).alias("comma"),
        pl.any_horizontal(
            (v.str.contains(_POINT_DECIMAL) & ~v.str.contains(_NUMBER[","])).any()
        ).alias("point"),
    ).row(0)
    if has_comma or not has_point_decimal:
        return ","
    thousands = [
        Finding("input-ambiguous-decimal",
                "looks like a thousands separator, but other cells use a decimal point",
                file=str(path) if path else None, line=line, column=c, value=value)
        for c in cols
        for line, value in frame.filter(pl.col(c).str.strip_chars().str.contains(
            _GERMAN_THOUSANDS)).select(LINE_COL, c).head(3).rows()
    ]
    if thousands:
        raise error_from_findings(
            thousands, f"{path}: cannot tell the decimal mark", "input-ambiguous-decimal",
            "pass --decimal=. (1.000 is one) or --decimal=, (1.000 is a thousand)")
    return "."


def number_expr(column: str, decimal: str) -> pl.Expr:
    """Parse a text column into Float64: blanks inside numbers, thousands separators,
    decimal comma or point; null symbols become null, and so does anything else (which
    :func:`to_typed` reports)."""
    s = _cleaned(column)
    thousands = "." if decimal == "," else ","
    normal = s.str.replace_all(thousands, "", literal=True)
    if decimal == ",":
        normal = normal.str.replace_all(",", ".", literal=True)
    return (
        pl.when(s.str.contains(_NUMBER[decimal]))
        .then(normal.cast(pl.Float64, strict=False))
        .otherwise(None)
        .alias(column)
    )


def _cleaned(column: str) -> pl.Expr:
    s = pl.col(column).str.strip_chars().str.replace_all(_BLANKS, "")
    return pl.when(s.is_in(list(NULL_SYMBOLS))).then(None).otherwise(s)


def not_finite_expr(column: str) -> pl.Expr:
    """True where a cell holds NaN or infinity (literal text or a float in Parquet)."""
    return _cleaned(column).str.to_lowercase().str.contains(_NOT_FINITE).fill_null(False)


def _unique(columns: list[str | None]) -> list[str]:
    return list(dict.fromkeys(c for c in columns if c is not None))


def count_columns(spec: Spec) -> list[str]:
    """Numeric columns that hold counts (must not be negative): population, numerators
    and denominators, without repeats."""
    return _unique([spec.input.population, *[
        c for ind in spec.indicators.values() for c in [*ind.numerator_columns, ind.denominator]
    ]])


def spec_columns(spec: Spec) -> tuple[list[str], list[str]]:
    """The text columns and the numeric columns (counts, then columns taken as they are)
    that the spec reads, without repeats."""
    text = _unique([spec.input.area, spec.input.name, spec.input.period])
    numeric = _unique([*count_columns(spec), *[i.column for i in spec.indicators.values()]])
    return text, numeric


def _missing_columns(extract: Extract, needed: list[str], spec: Spec) -> InputError | None:
    missing = [c for c in needed if c not in extract.columns]
    if not missing:
        return None
    from .spec import spec_position

    where = []
    for c in missing:
        path = _spec_path_of_column(spec, c)
        where.append(f"{c!r} (spec {spec_position(spec, path)})")
    return InputError(
        f"{extract.path}: missing column(s) {', '.join(where)}",
        code="input-missing-column",
        hint=f"columns in the file: {', '.join(extract.columns)}; "
        "map the spec to them or check the separator (--separator)",
    )


def _spec_path_of_column(spec: Spec, column: str) -> tuple[str | int, ...]:
    for key in ("area", "name", "period", "population"):
        if getattr(spec.input, key) == column:
            return ("input", key)
    for ident, ind in spec.indicators.items():
        if column in ind.numerator_columns:
            return ("indicators", ident, "numerator")
        if column == ind.denominator:
            return ("indicators", ident, "denominator")
        if column == ind.column:
            return ("indicators", ident, "column")
    return ()


def to_typed(extract: Extract, spec: Spec) -> tuple[pl.DataFrame, list[Finding]]:
    """Select the spec's columns from one file and parse them; report unreadable cells.

    One pass parses every numeric column; only the (usually no) rows with a bad cell are
    looked at again to say what is wrong with them."""
    text_cols, numeric_cols = spec_columns(spec)
    err = _missing_columns(extract, text_cols + numeric_cols, spec)
    if err is not None:
        raise err
    frame = extract.frame.select(FILE_COL, LINE_COL, *text_cols, *numeric_cols)
    findings: list[Finding] = []
    parsed: dict[str, pl.Expr] = {}
    present: dict[str, pl.Expr] = {}
    for c in numeric_cols:
        dtype = frame.schema[c]
        if dtype == pl.String:
            parsed[c] = number_expr(c, extract.decimal)
            present[c] = _cleaned(c).is_not_null()
        elif dtype.is_numeric():
            parsed[c] = pl.col(c).cast(pl.Float64)
            present[c] = pl.col(c).is_not_null()
        else:
            findings.append(Finding("input-not-a-number", f"column holds {dtype}, not numbers",
                                    file=str(extract.path), column=c,
                                    hint="store counts as numbers"))
            parsed[c] = pl.lit(None, pl.Float64)
            present[c] = pl.lit(False)
    work = frame.with_columns(
        *[e.alias(f"_num_{c}") for c, e in parsed.items()],
        *[e.alias(f"_has_{c}") for c, e in present.items()],
    ).with_columns(
        # a cell that is there but gives no finite number
        ((pl.col(f"_has_{c}") & pl.col(f"_num_{c}").is_null())
         | ~pl.col(f"_num_{c}").is_finite().fill_null(True)).alias(f"_bad_{c}")
        for c in parsed
    )
    flags = [f"_bad_{c}" for c in parsed]
    if flags:
        bad = work.filter(pl.any_horizontal(flags))
        for c in parsed:
            cells = bad.filter(pl.col(f"_bad_{c}"))
            if cells.height == 0:
                continue
            not_finite = ~pl.col(f"_num_{c}").is_finite().fill_null(True)
            if frame.schema[c] == pl.String:
                not_finite = not_finite | not_finite_expr(c)
            findings += rows_to_findings(
                cells.filter(not_finite), c, "input-not-finite",
                "NaN or infinity is not a count",
                "leave the cell empty or use '.' for a withheld value")
            findings += rows_to_findings(
                cells.filter(~not_finite), c, "input-not-a-number",
                f"not a number (read with decimal "
                f"{'comma' if extract.decimal == ',' else 'point'})",
                _decimal_hint(extract.decimal))
    typed = work.select(
        FILE_COL, LINE_COL,
        *[pl.col(c).cast(pl.String).str.strip_chars() for c in text_cols],
        *[pl.col(f"_num_{c}").alias(c) for c in numeric_cols],
    )
    return typed, findings


def _decimal_hint(decimal: str) -> str:
    other = "." if decimal == "," else ","
    kind = "points" if other == "." else "commas"
    return f"fix the cell, or try --decimal={other} if the file uses {kind} for decimals"


def load_input(
    paths: list[str | Path] | list[Path],
    spec: Spec,
    *,
    encoding: str | None = None,
    separator: str | None = None,
    decimal: str | None = None,
) -> tuple[pl.DataFrame, list[Extract]]:
    """Read every file, keep the spec's columns, parse them, concatenate in file order."""
    if not paths:
        raise InputError("no input files given", code="input-none",
                         hint="pass one or more extract files (CSV or Parquet)")
    seen: dict[Path, str] = {}
    for p in paths:
        key = Path(p).resolve()
        if key in seen:
            raise InputError(f"{p}: the file is given twice (also as {seen[key]})",
                             code="input-duplicate",
                             hint="give each extract once")
        seen[key] = str(p)
    _, numeric = spec_columns(spec)
    extracts = [read_extract(p, encoding=encoding, separator=separator, decimal=decimal,
                             numeric_columns=numeric) for p in paths]
    frames: list[pl.DataFrame] = []
    findings: list[Finding] = []
    for extract in extracts:
        frame, found = to_typed(extract, spec)
        frames.append(frame)
        findings += found
    if findings:
        raise error_from_findings(
            findings, f"{len(findings)} cell(s) cannot be read as numbers",
            findings[0].code, "fix the cells listed above; nothing was written")
    combined = pl.concat(frames, how="vertical_relaxed")
    return combined, extracts
