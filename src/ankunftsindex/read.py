"""Files → frames: dialect, encoding, German numbers, IDs as text.

Every input column is first read as text, then parsed with polars expressions, so that a
value that is not a number can be reported with file, line, column and value instead of
silently becoming null. Lines are counted as in a text editor: the header is line 1.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .errors import (
    FILE_COL,
    LINE_COL,
    Finding,
    InputError,
    error_from_findings,
    findings_of,
    rows_to_findings,
)
from .spec import Spec

#: Cell contents that mean "no value" in German statistical tables (withheld, not
#: applicable, nothing there). Compared after stripping blanks. A spec may read some of
#: them as 0 instead (``input.zero_symbols``).
NULL_SYMBOLS = ("", ".", "-", "–", "x", "X", "/", "…", "...")

XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: How a tab may be written on a command line (a real tab is hard to type there).
SEPARATOR_NAMES = {"\\t": "\t", "tab": "\t", "TAB": "\t"}
PARQUET_SUFFIXES = (".parquet", ".pq")


_BLANKS = r"[ \u00a0\u202f\t]"
_EXP = r"([eE][+-]?\d+)?"
_NUMBER = {
    ",": rf"^[+-]?(\d+|\d{{1,3}}(\.\d{{3}})+)(,\d+)?{_EXP}$",
    ".": rf"^[+-]?(\d+|\d{{1,3}}(,\d{{3}})+)(\.\d+)?{_EXP}$",
}
_NOT_FINITE = r"^[+-]?(nan|inf|infinity)$"
#: Blanks inside a number only as thousands separators: "1 675", "- 23", not "12 34".
_BLANK_GROUPS = r"^[+-]?[ \u00a0\u202f]*\d{1,3}([ \u00a0\u202f]\d{3})*([.,]\d+)?$"


@dataclass
class Extract:
    """One input file as read: its raw text columns plus file name and line number."""

    path: Path
    sha256: str
    frame: pl.DataFrame
    encoding: str
    separator: str | None
    decimal: str
    #: warnings and notes found while reading (errors are raised)
    notes: list[Finding] = field(default_factory=list)
    #: columns a workbook stores as numbers (their text is Excel's, with a decimal point)
    number_cells: frozenset[str] = frozenset()
    #: columns in which a workbook stores at least one cell as a number
    some_number_cells: frozenset[str] = frozenset()
    #: whether the decimal mark was given (--decimal) rather than assumed
    decimal_given: bool = False
    #: IDs of the total rows left out (``input.footer_rows``, ``input.drop_areas``)
    dropped_areas: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c not in (FILE_COL, LINE_COL)]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def as_utf8(raw: bytes, path: Path, encoding: str | None) -> tuple[bytes, str]:
    """The file as UTF-8 bytes without BOM, and the encoding it was read with: UTF-16
    when it starts with a UTF-16 BOM, UTF-8 (with or without BOM) when the bytes are
    UTF-8, else cp1252 (latin-1 for the five bytes cp1252 leaves undefined). UTF-8 input
    is checked once and not copied. A NUL byte in anything but UTF-16 is an error."""
    if encoding is None and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: starts like UTF-16 but is not: {exc}",
                             code="input-encoding",
                             hint="export the file again as UTF-8 or cp1252") from None
    nul = raw.find(b"\x00")
    if nul >= 0 and (encoding or "").replace("_", "-").lower() not in ("utf-16", "utf-16-le",
                                                                      "utf-16-be"):
        line = raw.count(b"\n", 0, nul) + 1
        hint = ("the file may be a spreadsheet, binary, or UTF-16 without a byte order "
                "mark; export it as CSV (UTF-8 or cp1252), or pass --encoding=utf-16")
        raise InputError(
            f"{path}:{line}: NUL byte at byte {nul}: not a text file", code="input-nul",
            findings=[Finding("input-nul", f"NUL byte (byte {nul} of the file)",
                              file=str(path), line=line, hint=hint)], hint=hint)
    body = raw.removeprefix(codecs.BOM_UTF8)
    candidates = [encoding] if encoding else ["utf-8", "cp1252", "latin-1"]
    if encoding is None and _is_utf8(body, path, bom=body is not raw):
        return body, "utf-8-sig" if body is not raw else "utf-8"
    for enc in candidates:
        try:
            if enc.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig"):
                _check_utf8(body)  # without a copy of the text: files may be gigabytes
                return body, "utf-8-sig" if body is not raw else "utf-8"
            text = body.decode(enc)
        except (UnicodeDecodeError, LookupError) as exc:
            if encoding:
                raise InputError(
                    f"{path}: cannot decode as {enc}: {exc}",
                    code="input-encoding",
                    hint="try --encoding=cp1252 (Windows exports) or --encoding=utf-8",
                ) from None
            continue
        return text.removeprefix("\ufeff").encode("utf-8"), enc
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _check_utf8(body: bytes, chunk: int = 1 << 24) -> None:
    """Raise UnicodeDecodeError (with the file offset) unless ``body`` is UTF-8; in chunks,
    so that no copy of a large file's text is made (ASCII is decided in one pass)."""
    if body.isascii():
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(body)
    for start in range(0, len(body), chunk):
        try:
            decoder.decode(view[start:start + chunk], final=start + chunk >= len(body))
        except UnicodeDecodeError as exc:
            raise UnicodeDecodeError("utf-8", body, start + exc.start, start + exc.end,
                                     exc.reason) from None


#: A UTF-8 sequence of a letter outside ASCII (ä, ö, ü, ß, é, ł, ș, Greek, Cyrillic,
#: Arabic, …: U+0080 to U+06FF): in a cp1252 file these byte pairs would be the unlikely
#: "Ã¤", "Ã¶", …. The leads of U+0700 to U+07FF (Syriac, Thaana, NKo) are left out: in
#: cp1252 they are Ü, Ý, Þ and ß, and "ß“", "ß–" or ß before a no-break space are German.
_UTF8_LETTER = re.compile(rb"[\xc2-\xdb][\x80-\xbf]")


def has_utf8_letters(body: bytes, chunk: int = 1 << 24) -> bool:
    """Whether :data:`_UTF8_LETTER` occurs in ``body``. A quick pass first, a chunk at a
    time: decoded as UTF-8 with the bytes that are not UTF-8 dropped, a file without any
    valid sequence outside ASCII (plain cp1252, the common case) leaves only ASCII. Only
    otherwise is the exact, four times slower search run."""
    decoder = codecs.getincrementaldecoder("utf-8")("ignore")
    view = memoryview(body)
    for start in range(0, len(body), chunk):
        text = decoder.decode(view[start:start + chunk], final=start + chunk >= len(body))
        if not text.isascii():
            return _UTF8_LETTER.search(body) is not None
    return False


def _is_utf8(body: bytes, path: Path, *, bom: bool) -> bool:
    """Whether the file is UTF-8 (one pass, no copy). A file that is not UTF-8 throughout,
    but has a BOM or UTF-8 letters elsewhere, was put together from parts in two
    encodings, which any single decoding garbles: an error naming the first bad line."""
    try:
        _check_utf8(body)
        return True
    except UnicodeDecodeError as exc:
        bad = exc.start
    if not bom and not has_utf8_letters(body):
        return False  # plain cp1252
    line = body.count(b"\n", 0, bad) + 1
    why = "starts with a UTF-8 byte order mark" if bom else "has UTF-8 letters elsewhere"
    hint = ("the file mixes two encodings (parts exported separately?); export it again "
            "in one encoding, or force one with --encoding")
    raise InputError(
        f"{path}:{line}: byte 0x{body[bad]:02x} is not UTF-8, but the file {why}",
        code="input-encoding", hint=hint,
        findings=[Finding("input-encoding", f"byte 0x{body[bad]:02x} is not UTF-8, but the "
                          f"file {why}", file=str(path), line=line, hint=hint)])


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
    sheet: str | None = None,
    footer_rows: int = 0,
    header_columns: list[str] | None = None,
) -> Extract:
    """Read one CSV, XLSX or Parquet file with every column as it is stored (CSV and
    XLSX: as text). ``header_columns`` (the spec's): in a workbook whose first row does
    not name them, the row that does is the header (the rows above are titles).

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
    suffix = p.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        try:
            frame = pl.read_parquet(p)
        except Exception as exc:  # polars/arrow raise many kinds for broken files
            raise InputError(f"{p}: cannot read Parquet: {exc}", code="input-parquet",
                             hint="check that the file is a complete Parquet file") from None
        frame = frame.with_row_index(LINE_COL, offset=1).with_columns(
            pl.lit(str(p)).alias(FILE_COL)
        )
        return Extract(p, sha, frame, "parquet", None, decimal or ".",
                       decimal_given=decimal is not None)
    if suffix in XLSX_SUFFIXES:
        return _read_workbook(p, sha, sheet, decimal, header_columns)

    raw = p.read_bytes()
    data, enc = as_utf8(raw, p, encoding)
    if b"\r" in data and b"\n" not in data:
        data = data.replace(b"\r", b"\n")  # classic Mac line ends (Excel "CSV (Mac)")
    if not data.strip():
        raise InputError(f"{p}: the file is empty", code="input-empty",
                         hint="check the export; the file needs a header and data rows")
    header = data.split(b"\n", 1)[0].decode("utf-8")
    sep = separator or detect_separator(header)
    if len(sep) != 1 or sep in '"\r\n':
        raise InputError(f"{p}: cannot use {sep!r} as the separator", code="input-csv",
                         hint="the separator is one character other than a quote mark or "
                         "a line end, e.g. ';', ',' or a tab (--separator tab)")
    _unclosed_quote(data, p)
    frame, ragged = _parse_csv(data, p, sep, footer_rows)
    frame = drop_blank_rows(frame.with_columns(pl.lit(str(p)).alias(FILE_COL)))
    if frame.height == 0:
        raise_errors(ragged, "input")  # every row malformed: say which, not "no rows"
        raise InputError(f"{p}: the file has a header but no data rows", code="input-empty",
                         hint="check the export; the file needs data rows below the header")
    notes = ragged + _replacement_chars(data, p)
    cells = [c for c in frame.columns if c not in (FILE_COL, LINE_COL)]
    cols = [c for c in (numeric_columns or cells) if c in cells]
    return Extract(p, sha, frame, enc, sep, decimal or guess_decimal(frame, sep, cols, p),
                   notes)


def drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Without blank lines (or lines of separators only): they are not rows. Only rows
    whose first cell is empty are looked at cell by cell."""
    cells = [c for c, t in frame.schema.items()
             if c not in (FILE_COL, LINE_COL) and t == pl.String]
    if not cells:
        return frame
    first = pl.col(cells[0]).str.strip_chars().fill_null("") == ""
    candidates = frame.filter(first)
    if candidates.height == 0:
        return frame
    blank = candidates.filter(
        pl.all_horizontal(pl.col(cells).str.strip_chars().fill_null("") == ""))
    if blank.height == 0:
        return frame
    return frame.filter(~pl.col(LINE_COL).is_in(blank.get_column(LINE_COL).implode()))


def strip_text(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Blanks around IDs, names and periods removed. Stripping every cell costs more than
    the rest of reading; the distinct values (a few per area) tell whether any needs it.
    Every cell equals one that differs from the cell above it; when those are few (IDs
    and names in an extract written area by area: one per area), they are looked at
    instead, as comparing neighbours is much cheaper than hashing every cell."""
    stripped = []
    for c in columns:
        dtype = frame.schema[c]
        cells = frame.get_column(c)
        changes = cells.filter(cells.ne_missing(cells.shift()))
        values = (changes if changes.len() * 4 <= cells.len() else cells.unique()
                  ).cast(pl.String)
        if not values.str.strip_chars().eq_missing(values).all():
            stripped.append(pl.col(c).cast(pl.String).str.strip_chars().cast(dtype))
    return frame.with_columns(stripped) if stripped else frame


def _parse_csv(data: bytes, path: Path, sep: str,
               footer_rows: int = 0) -> tuple[pl.DataFrame, list[Finding]]:
    """Every cell as text, with the line each record starts on (the header is line 1).

    polars fills short rows with empty cells and refuses long ones without saying where,
    so rows are counted against the header here: a row with fewer cells, or with more
    cells that are not all empty (trailing separators are fine), is an error finding
    naming its line, and is left out of the frame. The slow, exact count (Python's csv
    module) runs only when the quick one (count of separators in the file) does not add
    up, e.g. for quoted separators or blank lines.
    """
    names = _header_names(data, sep, path)
    stripped = [n.strip() for n in names]  # the names the columns get
    dup = sorted({n for n in stripped if stripped.count(n) > 1 and n != ""})
    if dup:
        raise InputError(
            f"{path}:1: the header names column(s) {', '.join(map(repr, dup))} more than once",
            code="input-duplicate-column",
            findings=[Finding("input-duplicate-column", "column named more than once",
                              file=str(path), line=1, column=n,
                              hint="rename the columns so that each name is unique")
                      for n in dup],
            hint="rename the columns so that each name is unique")
    frame = _read_text_csv(data, path, sep, truncate=False)
    starts: list[int] | None = None
    ragged: list[Finding] = []
    if frame is None or not _counts_add_up(data, sep, len(names), frame):
        starts, ragged, content = _record_lines(data, sep, len(names), path)
        if footer_rows:
            # the footer (totals, notes such as "Quelle: …") need not have the header's cells
            footer = set(content[-footer_rows:])
            ragged = [f for f in ragged if f.line not in footer]
        if frame is None:
            frame = _read_text_csv(data, path, sep, truncate=True)
    assert frame is not None
    # columns without a name (a trailing separator in the header) that hold nothing
    blank = [c for c, n in zip(frame.columns, names, strict=False) if n.strip() == ""]
    empty = [c for c in blank
             if frame.select(pl.col(c).str.strip_chars().fill_null("").eq("").all()).item()]
    frame = frame.drop(empty).rename({c: c.strip() for c in frame.columns if c not in empty})
    if starts is not None and len(starts) == frame.height:
        # exact lines also after quoted cells that span lines
        frame = frame.with_columns(pl.Series(LINE_COL, starts, dtype=pl.UInt32))
    else:
        frame = frame.with_row_index(LINE_COL, offset=2)
    if ragged:
        # the other rows are still checked; these are errors of their own
        frame = frame.filter(~pl.col(LINE_COL).is_in([f.line for f in ragged]))
    return frame, ragged


def _unclosed_quote(data: bytes, path: Path) -> None:
    """An odd number of quote marks: a cell opened by a quote runs to the end of the file
    (the CSV reader would make one huge cell of it). Name the line where it opens."""
    if data.count(b'"') % 2 == 0:
        return
    odd_since = None
    parity = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        before = parity
        parity = (parity + line.count(b'"')) % 2
        if parity and not before:
            odd_since = number
        elif not parity:
            odd_since = None
    raise InputError(
        f"{path}:{odd_since}: a quote mark opens a cell that is never closed",
        code="input-csv",
        findings=[Finding("input-csv", "a quote mark opens a cell that is never closed",
                          file=str(path), line=odd_since,
                          hint='close the quote, or double a quote mark inside a cell ("")')],
        hint='close the quote, or double a quote mark inside a cell ("")')


def _header_names(data: bytes, sep: str, path: Path) -> list[str]:
    first = data.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    try:
        return next(csv.reader([first], delimiter=sep, quotechar='"'), [])
    except csv.Error as exc:
        raise InputError(f"{path}:1: cannot read the header: {exc}", code="input-csv",
                         hint="check the header line (a carriage return inside it?) and "
                         "the quoting") from None


def _read_text_csv(data: bytes, path: Path, sep: str, *, truncate: bool) -> pl.DataFrame | None:
    """polars' reader with every column as text; None when a row has too many cells."""
    try:
        return pl.read_csv(io.BytesIO(data), separator=sep, infer_schema=False,
                           quote_char='"', raise_if_empty=False,
                           truncate_ragged_lines=truncate)
    except Exception as exc:
        if not truncate and "more fields" in str(exc):
            return None
        raise InputError(f"{path}: cannot parse as CSV (separator {sep!r}): "
                         f"{str(exc).splitlines()[0]}", code="input-csv",
                         hint="check the separator (--separator) and quoting") from None


def _counts_add_up(data: bytes, sep: str, width: int, frame: pl.DataFrame) -> bool:
    """True when every record holds ``width`` cells, judged from the number of separators
    and line ends in the file (exact for unquoted files without blank lines)."""
    if b'"' in data:
        return False
    body = data.split(b"\n", 1)[1] if b"\n" in data else b""
    records = body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1)
    return records == frame.height and body.count(sep.encode()) == (width - 1) * records


def _record_lines(data: bytes, sep: str, width: int,
                  path: Path) -> tuple[list[int], list[Finding], list[int]]:
    """The line on which each record starts, findings for records whose number of cells
    differs from the header's (extra empty cells are allowed), and the start lines of
    the records that are not blank."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=sep,
                        quotechar='"')
    starts: list[int] = []
    content: list[int] = []
    ragged: list[Finding] = []
    next(reader, None)
    last = reader.line_num
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            starts.append(start)  # polars makes a row of every line, blank ones too
            n = len(row)
            if n <= width and all(not c.strip() for c in row):
                continue  # a blank line: dropped later
            content.append(start)
            if n < width or (n > width and any(c.strip() for c in row[width:])):
                ragged.append(Finding(
                    "input-ragged", f"{n} cell(s), the header has {width}",
                    file=str(path), line=start, value=sep.join(row)[:80],
                    hint="check the separator (--separator) and quoting; every row needs "
                    "one cell per header column"))
    except csv.Error as exc:
        ragged.append(Finding("input-csv", f"cannot parse: {exc}", file=str(path),
                              line=reader.line_num, hint="check quoting: a quote mark "
                              "opens a cell that must be closed by another"))
    return starts, ragged, content


def _replacement_chars(data: bytes, path: Path) -> list[Finding]:
    """U+FFFD in the text means it was decoded wrongly before it reached us."""
    mark = "\ufffd".encode()
    first = data.find(mark)
    if first < 0:
        return []
    return [Finding(
        "input-replacement-char",
        f"{data.count(mark)} replacement character(s) '\ufffd': the text was decoded with "
        "the wrong encoding before it reached ankunftsindex", severity="warning",
        file=str(path), line=data.count(b"\n", 0, first) + 1,
        hint="export the file again from the source system (e.g. as cp1252 or UTF-8)")]


def _read_workbook(p: Path, sha: str, sheet: str | None, decimal: str | None,
                   columns: list[str] | None = None) -> Extract:
    """A worksheet of an Excel (or ODS) workbook, every cell as text. Number cells come
    as Excel stores them (decimal point); text cells are parsed like CSV cells with
    ``decimal`` (default: point). The header is the first row that names every one of
    ``columns`` (the spec's); rows above it that hold anything are titles (left out, a
    note). Rows keep the sheet's numbers, counted from its top, empty rows included."""
    book = _open_book(p)
    sheet = _sheet_name(p, book, sheet)
    frame = _load_sheet(p, sheet, 0)  # the header on the first row that holds anything
    title, titled, names = 0, False, list(frame.columns)
    if frame.width:
        # where the header is, counted from the sheet's top: the rows keep their numbers
        title, titled, names = _header_row(book, sheet, columns or [])
        if title:
            frame = _load_sheet(p, sheet, title)
    if frame.height == 0:
        which = f"the sheet {sheet!r}" if sheet else "the first sheet"
        raise InputError(f"{p}: {which} has no data rows", code="input-empty",
                         hint="check the sheet name (--sheet) and the workbook")
    header = [c.strip() for c in frame.columns]
    # the reader renames a repeated name (a, a_1): the sheet's own cells tell
    written = [n.strip() for n in names]
    dup = sorted({c for c in header if header.count(c) > 1}
                 | {n for n in written if written.count(n) > 1 and n})
    if dup:
        hint = "rename the columns so that each name is unique"
        raise InputError(
            f"{p}:{title + 1}: the header names column(s) {', '.join(map(repr, dup))} more "
            "than once", code="input-duplicate-column", hint=hint,
            findings=[Finding("input-duplicate-column", "column named more than once",
                              file=str(p), line=title + 1, column=c, hint=hint) for c in dup])
    frame = frame.rename(dict(zip(frame.columns, header, strict=True)))
    frame = drop_blank_rows(frame.with_row_index(LINE_COL, offset=title + 2)
                            .with_columns(pl.lit(str(p)).alias(FILE_COL)))
    notes, only_numbers, with_numbers = _cell_types(p, book, sheet, header, title)
    if titled:
        notes.append(Finding(
            "input-title-rows", f"the header is row {title + 1}: the {title} row(s) above it "
            "are titles, left out", severity="info", file=str(p), line=title + 1))
    extract = Extract(p, sha, frame, "xlsx", None, decimal or ".", notes, only_numbers)
    extract.some_number_cells = with_numbers
    extract.decimal_given = decimal is not None
    return extract


def _load_sheet(p: Path, sheet: str | None, header_row: int) -> pl.DataFrame:
    """The sheet as text cells, its header on ``header_row`` (counted from 0)."""
    options: dict[str, object] = {"sheet_name": sheet} if sheet else {"sheet_id": 1}
    try:
        # empty spreadsheet rows are kept here, so that row numbers stay those of the sheet
        return pl.read_excel(p, **options, infer_schema_length=0,  # type: ignore[call-overload]
                             raise_if_empty=False, drop_empty_rows=False,
                             read_options={"header_row": header_row})
    except ImportError:  # pragma: no cover - fastexcel is a dependency
        raise InputError(f"{p}: reading workbooks needs the fastexcel package",
                         code="input-xlsx", hint="pip install fastexcel") from None
    except Exception as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{p}: cannot read the workbook: {text}", code="input-xlsx",
                         hint="check the sheet name (--sheet or input.sheet in the spec) and "
                         "that the file is a complete .xlsx workbook") from None


#: How far down a sheet the header is looked for when the first row is not it.
TITLE_ROWS_MAX = 30


def _open_book(p: Path) -> Any:
    """The workbook as fastexcel reads it, opened once for the look-ups below; None when it
    cannot be opened (reading it then says what is wrong)."""
    import fastexcel

    try:
        return fastexcel.read_excel(str(p))
    except Exception:
        return None


def _header_row(book: Any, sheet: str | None, columns: list[str]
                ) -> tuple[int, bool, list[str]]:
    """The header: the row (counted from 0 at the sheet's top, empty rows included) among
    the first :data:`TITLE_ROWS_MAX` that names every one of ``columns``, else the first
    row that holds anything; whether a row above it holds anything (a published table's
    titles); and the texts of its cells as the sheet has them."""
    if book is None:
        return 0, False, []
    try:
        head = book.load_sheet(
            sheet if sheet else 0, header_row=None, skip_rows=0, n_rows=TITLE_ROWS_MAX,
            dtypes="string").to_polars()
    except Exception:  # the sheet was read a moment ago; without its rows, row 1 it is
        return 0, False, []
    if not head.width:
        return 0, False, []
    used = pl.any_horizontal(pl.all().is_not_null())
    cells = [pl.col(c).str.strip_chars() for c in head.columns]
    names_all = pl.all_horizontal(
        [pl.any_horizontal([cell == name for cell in cells]).fill_null(False)
         for name in sorted(set(columns))] or [pl.lit(False)])
    found, first = head.select(names_all.arg_true().first().alias("found"),
                               used.arg_true().first().alias("first")).row(0)
    row = found if found is not None else first
    if row is None:
        return 0, False, []
    names = [v for v in head.row(row) if v is not None]
    above = found is not None and found > 0 and bool(
        head.head(found).select(used.any()).item())
    return (int(found) if found is not None else 0), above, names


def _sheet_name(p: Path, book: Any, sheet: str | None) -> str | None:
    """The worksheet ``sheet`` names: a sheet of that name, else (a number) the sheet at
    that place counted from 1. Without one, the first sheet that is not hidden (None: the
    first sheet). A sheet that is not there is an error that lists the workbook's sheets."""
    if book is None:  # a broken workbook: reading it says what is wrong
        return sheet or None
    try:
        names = book.sheet_names
        if not sheet:
            visible = [n for i, n in enumerate(names)
                       if book.load_sheet(i, n_rows=0).visible == "visible"]
            return visible[0] if visible and visible[0] != names[0] else None
    except Exception:  # a sheet that cannot be looked at: reading it says what is wrong
        return sheet or None
    if sheet in names:
        return sheet
    if re.fullmatch(r"\s*[0-9]+\s*", sheet) and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]
    raise InputError(f"{p}: the workbook has no sheet {sheet!r}; its sheets: "
                     f"{', '.join(map(repr, names))}", code="input-xlsx",
                     hint="give --sheet (or input.sheet in the spec) a sheet's name, or its "
                     "place counted from 1")


#: Spreadsheet error values as fastexcel names them, and as Excel shows them.
_ERROR_VALUES = {"Div0": "#DIV/0!", "NA": "#N/A", "Value": "#VALUE!", "Ref": "#REF!",
                 "Name": "#NAME?", "Num": "#NUM!", "Null": "#NULL!"}


def _cell_types(p: Path, book: Any, sheet: str | None, columns: list[str],
                header_row: int = 0) -> tuple[list[Finding], frozenset[str], frozenset[str]]:
    """Cells holding a spreadsheet error (``#DIV/0!``, ``#N/A``, …), which would otherwise
    read as empty: errors naming row and column (kept by :func:`to_typed` for the spec's
    columns only); the columns whose every cell is stored as a number (their text is
    Excel's, with a decimal point); and those with at least one such cell (an ID column
    with some may have lost leading zeros there)."""
    if book is None:  # pragma: no cover - the sheet was read a moment ago
        return [], frozenset(), frozenset()
    try:
        as_text, errors = book.load_sheet(sheet if sheet else 0, header_row=header_row,
                                          dtypes="string").to_arrow_with_errors()
        # as booleans, number cells convert and text cells fail ("01001" would convert
        # to a float): what is not null here was stored as a number (or a boolean)
        as_numbers, _ = book.load_sheet(sheet if sheet else 0, header_row=header_row,
                                        dtypes="boolean").to_arrow_with_errors()
    except Exception:  # pragma: no cover - the sheet was read a moment ago
        return [], frozenset(), frozenset()
    numbers = {c: len(v) - v.null_count for c, v in zip(columns, as_numbers.columns,
                                                        strict=False)}
    cells = {c: len(v) - v.null_count for c, v in zip(columns, as_text.columns, strict=False)}
    with_numbers = frozenset(c for c, n in numbers.items() if n)
    only_numbers = frozenset(c for c in with_numbers if numbers[c] == cells.get(c))
    out = []
    for err in (errors.errors if errors is not None else [])[:MAX_ERROR_CELLS]:
        row, col = err.position
        found = re.search(r"Error\((\w+)\)", err.detail)
        value = _ERROR_VALUES.get(found.group(1), found.group(1)) if found else err.detail
        out.append(Finding("input-not-a-number", "a spreadsheet error, not a number",
                           file=str(p), line=row + header_row + 1,
                           column=columns[col] if col < len(columns) else None, value=value,
                           hint="fix the formula in the workbook, or leave the cell empty "
                           "or '.' for a withheld value"))
    return out, only_numbers, with_numbers


MAX_ERROR_CELLS = 200


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
    has_comma, has_point = frame.select(
        pl.any_horizontal(pl.col(cols).str.contains(",", literal=True).any()).alias("comma"),
        pl.any_horizontal(pl.col(cols).str.contains(".", literal=True).any()).alias("point"),
    ).row(0)
    if has_comma or not has_point:
        return ","  # (the usual register extract: integers only, decided in one pass)
    v = pl.col(cols).str.strip_chars()
    has_point_decimal = frame.select(pl.any_horizontal(
        (v.str.contains(_POINT_DECIMAL) & ~v.str.contains(_NUMBER[","])).any())).item()
    if not has_point_decimal:
        return ","
    thousands = [
        Finding("input-ambiguous-decimal",
                "looks like a thousands separator, but other cells use a decimal point",
                file=str(path) if path else None, line=line, column=c, value=value,
                hint="pass --decimal=. (1.000 is one) or --decimal=, (1.000 is a thousand)")
        for c in cols
        for line, value in frame.filter(pl.col(c).str.strip_chars().str.contains(
            _GERMAN_THOUSANDS)).select(LINE_COL, c).head(3).rows()
    ]
    if thousands:
        raise error_from_findings(
            thousands, f"{path}: cannot tell the decimal mark", "input-ambiguous-decimal",
            "pass --decimal=. (1.000 is one) or --decimal=, (1.000 is a thousand)")
    return "."


def number_expr(column: str, decimal: str, zero_symbols: tuple[str, ...] = ()) -> pl.Expr:
    """Parse a text column into Float64: blanks inside numbers, thousands separators,
    decimal comma or point; ``zero_symbols`` become 0, null symbols null, and so does
    anything else (which :func:`to_typed` reports)."""
    s = _cleaned(column, zero_symbols)
    thousands = "." if decimal == "," else ","
    normal = s.str.replace_all(thousands, "", literal=True)
    if decimal == ",":
        normal = normal.str.replace_all(",", ".", literal=True)
    cell = pl.col(column).str.strip_chars()
    blanks_ok = ~cell.str.contains(_BLANKS) | cell.str.contains(_BLANK_GROUPS)
    return (
        pl.when(s.str.contains(_NUMBER[decimal]) & blanks_ok)
        .then(normal.cast(pl.Float64, strict=False))
        .otherwise(None)
        .alias(column)
    )


def _stripped(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.replace_all(_BLANKS, "")


def _cleaned(column: str, zero_symbols: tuple[str, ...] = ()) -> pl.Expr:
    s = _stripped(column)
    if zero_symbols:
        s = pl.when(s.is_in(list(zero_symbols))).then(pl.lit("0")).otherwise(s)
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


def _missing_columns(extract: Extract, needed: list[str], spec: Spec) -> list[Finding]:
    """One finding per spec column the file lacks, with the spec position that names it
    and the columns the file has."""
    from .spec import spec_position

    have = ", ".join(extract.columns)
    close = {c: difflib.get_close_matches(c, extract.columns, n=1, cutoff=0.6)
             for c in needed if c not in extract.columns}
    return [
        Finding("input-missing-column",
                f"missing column (named in the spec at "
                f"{spec_position(spec, _spec_path_of_column(spec, c))})"
                + (f"; did you mean {m[0]!r}?" if m else ""),
                file=str(extract.path), line=1 if extract.separator else None, column=c,
                hint=f"columns in the file: {have}; map the spec to them or check the "
                "separator (--separator)")
        for c, m in close.items()
    ]


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
    """Select the spec's columns from one file and parse them; report unreadable cells
    (errors), withheld values per column and dropped total rows (notes) and area IDs
    stored as numbers (a warning). A file that lacks spec columns gives only findings.

    One pass parses every numeric column; only the (usually no) rows with a bad cell are
    looked at again to say what is wrong with them."""
    text_cols, numeric_cols = spec_columns(spec)
    missing = _missing_columns(extract, text_cols + numeric_cols, spec)
    if missing:
        return pl.DataFrame(), missing
    frame, findings = _drop_total_rows(
        extract.frame.select(FILE_COL, LINE_COL, *text_cols, *numeric_cols), extract, spec)
    spec_cols = {*text_cols, *numeric_cols}
    findings += [n for n in extract.notes if n.column is None or n.column in spec_cols]
    findings += _numeric_ids(frame, extract, spec.input.area)
    zero = tuple(spec.input.zero_symbols)
    plain = _plain_integers(frame, numeric_cols)
    parsed: dict[str, pl.Expr] = {}
    present: dict[str, pl.Expr] = {}
    for c in numeric_cols:
        dtype = frame.schema[c]
        if c in plain:  # every cell a plain integer: no symbols, blanks or separators
            parsed[c] = pl.col(c).cast(pl.Int64).cast(pl.Float64)
            present[c] = pl.lit(True)
        elif dtype == pl.String:
            decimal = "." if c in extract.number_cells else extract.decimal
            parsed[c] = number_expr(c, decimal, zero)
            present[c] = _cleaned(c, zero).is_not_null()
        elif dtype.is_numeric():
            parsed[c] = pl.col(c).cast(pl.Float64)
            present[c] = pl.col(c).is_not_null()
        else:
            findings.append(Finding("input-not-a-number", f"column holds {dtype}, not numbers",
                                    file=str(extract.path), column=c,
                                    hint="store counts as numbers"))
            parsed[c] = pl.lit(None, pl.Float64)
            present[c] = pl.lit(False)
    findings += _withheld(frame, extract, [c for c in numeric_cols if c not in plain
                                           and frame.schema[c] == pl.String], zero)
    findings += _thousands_in_text(frame, extract, [c for c in numeric_cols if c not in plain
                                                    and frame.schema[c] == pl.String])
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
    try:
        typed = work.select(
            FILE_COL, LINE_COL,
            *[_id_text(c, frame.schema[c]) for c in text_cols],
            *[pl.col(f"_num_{c}").alias(c) for c in numeric_cols],
        )
    except pl.exceptions.PolarsError:
        untextual = _not_text(frame, extract, text_cols)
        if not untextual:
            raise
        return pl.DataFrame(), findings + untextual
    return strip_text(typed, text_cols), findings


def _not_text(frame: pl.DataFrame, extract: Extract, columns: list[str]) -> list[Finding]:
    """ID, name and period columns that cannot be read as text (a list, a duration,
    bytes that are not UTF-8: Parquet files can hold anything): an error each."""
    out = []
    for c in columns:
        try:
            frame.select(_id_text(c, frame.schema[c]))
        except pl.exceptions.PolarsError:
            out.append(Finding("input-not-text", f"column holds {frame.schema[c]}, which is "
                               "not text", file=str(extract.path), column=c,
                               hint="store IDs, names and periods as text (strings)"))
    return out


def _thousands_in_text(frame: pl.DataFrame, extract: Extract,
                       columns: list[str]) -> list[Finding]:
    """Text cells of a workbook or Parquet file that look like German thousands
    ("1.000") would be read with a decimal point (1.0) unless ``--decimal`` says so: an
    error, never a number off by a factor of 1,000. (CSV files have their own guess.)"""
    if extract.separator is not None or extract.decimal_given:
        return []
    judged = [c for c in columns if c not in extract.some_number_cells]
    out: list[Finding] = []
    for c in judged:
        out += rows_to_findings(
            frame.filter(pl.col(c).str.strip_chars().str.contains(_GERMAN_THOUSANDS)), c,
            "input-ambiguous-decimal", "text that looks like a German thousands separator "
            "(read with a decimal point it would be a small fraction)",
            "pass --decimal=, (1.000 is a thousand) or --decimal=. (1.000 is one)",
            limit=20)
    return out


def _plain_integers(frame: pl.DataFrame, columns: list[str]) -> set[str]:
    """Text columns whose every cell is a plain integer (what register extracts mostly
    hold): parsed by one cast, without the pattern matching German numbers need."""
    strings = [c for c in columns if frame.schema[c] == pl.String]
    if not strings or frame.height == 0:
        return set()
    nulls = frame.select(pl.col(c).cast(pl.Int64, strict=False).null_count().alias(c)
                         for c in strings).row(0, named=True)
    return {c for c in strings if nulls[c] == 0}


def _id_text(column: str, dtype: pl.DataType) -> pl.Expr:
    """Text columns as text; whole numbers stored as floats (Excel) without ``.0``."""
    if dtype.is_float():
        return (pl.when(pl.col(column) == pl.col(column).round())
                .then(pl.col(column).cast(pl.Int64, strict=False).cast(pl.String))
                .otherwise(pl.col(column).cast(pl.String)).alias(column))
    return pl.col(column).cast(pl.String)  # blanks around: strip_text


def _drop_total_rows(frame: pl.DataFrame, extract: Extract,
                     spec: Spec) -> tuple[pl.DataFrame, list[Finding]]:
    """Leave out the spec's footer rows (the last ``input.footer_rows`` rows) and rows
    whose area is in ``input.drop_areas``: totals, not areas. Each drop is a note."""
    area = spec.input.area
    drop = pl.lit(False)
    if spec.input.footer_rows:
        drop = pl.int_range(pl.len()) >= pl.len() - spec.input.footer_rows
    if spec.input.drop_areas:
        drop = drop | pl.col(area).cast(pl.String).str.strip_chars().is_in(
            spec.input.drop_areas).fill_null(False)
    if spec.input.footer_rows and frame.height <= spec.input.footer_rows:
        return frame.clear(), [Finding(
            "input-empty", f"{frame.height} data row(s), but the spec leaves out the last "
            f"{spec.input.footer_rows} as totals (input.footer_rows): no area is left",
            file=str(extract.path), hint="check input.footer_rows against the file")]
    dropped = frame.filter(drop)
    if dropped.height == 0:
        return frame, []  # drop_areas that no file has: see check.unknown_total_rows
    names = dropped[area].cast(pl.String).str.strip_chars().fill_null("").to_list()
    extract.dropped_areas = names
    names = [n or "(empty ID)" for n in names]
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    note = Finding("input-rows-dropped",
                   f"{dropped.height} total row(s) left out (input.footer_rows / "
                   f"input.drop_areas): {shown}", severity="info",
                   file=str(extract.path), line=dropped[LINE_COL][0], column=area)
    return frame.filter(~drop), [note]


def _numeric_ids(frame: pl.DataFrame, extract: Extract, area: str) -> list[Finding]:
    """Area IDs stored as numbers may have lost their leading zeros."""
    if not (frame.schema[area].is_numeric() or area in extract.number_cells
            or area in extract.some_number_cells):
        return []
    return [Finding("input-numeric-id", "area IDs are stored as numbers: leading zeros "
                    "(e.g. 01001) may already be lost", severity="warning",
                    file=str(extract.path), column=area,
                    hint="store area IDs as text in the source file")]


def _withheld(frame: pl.DataFrame, extract: Extract, columns: list[str],
              zero_symbols: tuple[str, ...]) -> list[Finding]:
    """Per column, how many cells hold a symbol for "no value" (read as null)."""
    symbols = [s for s in NULL_SYMBOLS if s not in zero_symbols]
    if not columns:
        return []
    totals = frame.select(_stripped(c).fill_null("").is_in(symbols).sum().alias(c)
                          for c in columns).row(0, named=True)
    out = []
    for c in columns:
        n = totals[c]
        if not n:
            continue
        parts = (frame.select(_stripped(c).fill_null("").alias("symbol"))
                 .filter(pl.col("symbol").is_in(symbols)).group_by("symbol").len()
                 .sort("len", "symbol", descending=[True, False])
                 .select(pl.when(pl.col("symbol") == "").then(pl.lit("empty"))
                         .otherwise(pl.lit("'") + pl.col("symbol") + pl.lit("'"))
                         + pl.lit(" ") + pl.col("len").cast(pl.String))
                 .to_series().str.join(", ").item())
        out.append(withheld_note(extract.path, c, n, parts))
    return out


def withheld_note(path: Path, column: str, n: int, parts: str) -> Finding:
    """The note that ``n`` cells of a column hold no value (``parts``: per symbol)."""
    return Finding("input-withheld", f"{n} cell(s) without a value, read as null ({parts})",
                   severity="info", file=str(path), column=column,
                   hint="withheld or missing values; an area lacking a used indicator is "
                   "not scored (status missing_data)")


def _decimal_hint(decimal: str) -> str:
    other = "." if decimal == "," else ","
    kind = "points" if other == "." else "commas"
    return f"fix the cell, or try --decimal={other} if the file uses {kind} for decimals"


def read_inputs(
    paths: list[str | Path] | list[Path],
    spec: Spec,
    *,
    encoding: str | None = None,
    separator: str | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
) -> tuple[pl.DataFrame | None, list[Extract], list[Finding]]:
    """Read every file and parse the spec's columns, collecting every problem as a
    finding instead of stopping at the first: the rows of the files that could be read
    (None when none could), the files read, and the findings."""
    if not paths:
        raise InputError("no input files given", code="input-none",
                         hint="pass one or more extract files (CSV, XLSX or Parquet)")
    text, numeric = spec_columns(spec)
    separator = SEPARATOR_NAMES.get(separator, separator) if separator else separator
    if not (spec.input.footer_rows or spec.input.drop_areas):
        from .scan import scan_csv_inputs, scan_parquet_inputs, withheld_notes

        # clean Parquet: one lazy scan of the spec's columns (it steps aside otherwise)
        fast = scan_parquet_inputs(paths, spec, decimal=decimal)
        if fast is not None:
            return fast[0], fast[1], []
        # clean CSV of integers (UTF-8, or cp1252 decoded): a typed scan, not text cells
        fast = scan_csv_inputs(paths, spec, encoding=encoding, separator=separator,
                               decimal=decimal)
        if fast is not None:
            return fast[0], fast[1], withheld_notes(fast[0], fast[1], spec)
    seen: dict[Path, str] = {}
    extracts: list[Extract] = []
    frames: list[pl.DataFrame] = []
    findings: list[Finding] = []
    for p in paths:
        key = Path(p).resolve()
        if key in seen:
            findings.append(Finding("input-duplicate", f"the file is given twice (also as "
                                    f"{seen[key]})", file=str(p), hint="give each extract once"))
            continue
        seen[key] = str(p)
        try:
            extract = read_extract(p, encoding=encoding, separator=separator, decimal=decimal,
                                   numeric_columns=numeric, sheet=sheet or spec.input.sheet,
                                   footer_rows=spec.input.footer_rows,
                                   header_columns=[*text, *numeric])
        except InputError as exc:
            findings += [f if f.file else _in_file(f, p) for f in findings_of(exc)]
            continue
        extracts.append(extract)
        frame, found = to_typed(extract, spec)
        findings += found
        if frame.height:
            frames.append(frame)
    combined = pl.concat(frames, how="vertical_relaxed") if frames else None
    if combined is None and extracts and not any(f.severity == "error" for f in findings):
        findings.append(Finding(
            "input-empty", "no data row is left: every row was left out as a total "
            "(input.footer_rows / input.drop_areas)",
            hint="check input.drop_areas and input.footer_rows against the files"))
    return combined, extracts, findings


def _in_file(finding: Finding, path: str | Path) -> Finding:
    """A file-level finding: the file goes into its own field, out of the message."""
    from dataclasses import replace

    return replace(finding, file=str(path),
                   message=finding.message.removeprefix(f"{path}: "))


def load_input(
    paths: list[str | Path] | list[Path],
    spec: Spec,
    *,
    encoding: str | None = None,
    separator: str | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
) -> tuple[pl.DataFrame, list[Extract]]:
    """Read every file, keep the spec's columns, parse them, concatenate in file order;
    raise one error listing every reading error."""
    frame, extracts, findings = read_inputs(paths, spec, encoding=encoding,
                                            separator=separator, decimal=decimal, sheet=sheet)
    raise_errors(findings, "input")
    assert frame is not None
    return frame, extracts


def raise_errors(findings: list[Finding], what: str, *, strict: bool = False) -> None:
    """Raise one InputError listing every error finding (capped), and with ``strict``
    every warning too; notes never fail."""
    failing = [f for f in findings
               if f.severity == "error" or (strict and f.severity == "warning")]
    if not failing:
        return
    n_err = sum(f.severity == "error" for f in failing)
    n_warn = len(failing) - n_err
    counts = " and ".join(part for part in (
        f"{n_err} error(s)" if n_err else "", f"{n_warn} warning(s) (--strict)" if n_warn
        else "") if part)
    if len(failing) == 1 and not failing[0].line and not failing[0].column:
        f = failing[0]
        where = f"{f.file}: " if f.file else ""
        raise InputError(f"{where}{f.message}", code=f.code, hint=f.hint)
    raise error_from_findings(
        failing, f"{counts} in the {what}", failing[0].code,
        "fix the rows listed above and run again; nothing was written"
        if len({f.hint for f in failing}) != 1 or failing[0].hint is None else failing[0].hint)
