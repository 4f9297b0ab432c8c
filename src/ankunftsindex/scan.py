"""Fast paths for clean input: one lazy scan of only the spec's columns.

:func:`read.load_input` reads every file whole and looks at every cell so that it can say
what is wrong with a bad one. Parquet files whose spec columns are all there and numeric
where numbers are expected need none of that: they are scanned lazily (projection
pushdown: only the spec's columns are read), cast and concatenated in one collect, with
the file as a categorical (not a text per row) and the line number as the reader gives it.

CSV files whose numbers are plain integers (what register extracts hold) are scanned
the same way, with polars parsing the integers: a cell that is anything else (a
decimal, a thousands separator, a withheld-value symbol, a blank) makes the scan fail and
the reader, which knows German number formats, take over. UTF-8 files are scanned from
their paths; cp1252 (or latin-1) files, as Windows exports are, are decoded first, by
the reader's own decoder.

Whenever a fast path is not sure, it steps aside (returns ``None``) and the reader runs:
a file given twice, UTF-16 or mixed encodings, a broken file, a missing column, text
where numbers belong, a NaN/infinity, blank lines. So every error and finding keeps the
reader's wording, file, line, column and value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from .errors import FILE_COL, LINE_COL, Finding, InputError
from .read import (
    Extract,
    as_utf8,
    detect_separator,
    file_sha256,
    spec_columns,
    strip_text,
    withheld_note,
)
from .spec import Spec

PARQUET = (".parquet", ".pq")
SHORT = "_short"  # scan_csv_inputs: the row's last cell is missing (or empty)


def scan_parquet_inputs(
    paths: list[str | Path] | list[Path], spec: Spec, *, decimal: str | None = None
) -> tuple[pl.DataFrame, list[Extract]] | None:
    """The input as :func:`read.load_input` would return it, or ``None`` when the reader
    must look (see the module doc)."""
    files = [Path(p) for p in paths]
    if not files or any(p.suffix.lower() not in PARQUET or not p.is_file() for p in files):
        return None
    if len({p.resolve() for p in files}) != len(files):
        return None
    text, numeric = spec_columns(spec)
    scans: list[pl.LazyFrame] = []
    floats: set[str] = set()
    for p in files:
        try:
            schema = pl.scan_parquet(p).collect_schema()
        except Exception:  # broken file: the reader says what is wrong
            return None
        if any(c not in schema for c in [*text, *numeric]):
            return None
        if any(not schema[c].is_numeric() for c in numeric):
            return None
        if schema[spec.input.area] != pl.String:
            return None  # IDs stored as numbers: the reader warns about lost zeros
        floats |= {c for c in numeric if schema[c].is_float()}
        scans.append(
            pl.scan_parquet(p).with_row_index(LINE_COL, offset=1).select(
                pl.lit(str(p), pl.Categorical).alias(FILE_COL),
                pl.col(LINE_COL),
                *[_text(c, spec) for c in text],
                *[pl.col(c).cast(pl.Float64) for c in numeric],
            ))
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashed while polars reads
        hashes = pool.submit(lambda: [file_sha256(p) for p in files])
        try:
            # one chunk per column: every check and step after reads the columns
            # whole, and on a reader's many chunks they are slower (0.03 s at 11k × 120)
            frame = strip_text(
                pl.concat(scans, how="vertical_relaxed").collect().rechunk(), text)
        except Exception:  # e.g. a truncated file that only fails when read
            return None
        if floats and frame.select(
                pl.any_horizontal(~pl.col(sorted(floats)).is_finite().fill_null(True)).any()
        ).item():
            return None
        extracts = [Extract(p, h, frame.clear(), "parquet", None, decimal or ".")
                    for p, h in zip(files, hashes.result(), strict=True)]
    return frame, extracts


UTF8 = ("utf-8", "utf8", "utf-8-sig")
#: encodings whose files the CSV scan decodes first (the reader's names for them)
EIGHT_BIT = ("cp1252", "windows-1252", "latin-1", "latin1", "iso-8859-1")
TEXT = (".csv", ".txt", ".tsv")  # workbooks and anything else: the reader


def _encoding_name(encoding: str) -> str:
    """An encoding's name as :data:`UTF8` and :data:`EIGHT_BIT` spell it."""
    return encoding.replace("_", "-").lower()


def _text(column: str, spec: Spec) -> pl.Expr:
    """A text column; the area name as a categorical (it is only looked up for the output
    rows, and as a text per row it would be a tenth of a large input's memory)."""
    expr = pl.col(column).cast(pl.String)
    inp = spec.input
    name_only = column == inp.name and column not in (inp.area, inp.period)
    return expr.cast(pl.Categorical) if name_only else expr


def scan_csv_inputs(
    paths: list[str | Path] | list[Path], spec: Spec, *, encoding: str | None = None,
    separator: str | None = None, decimal: str | None = None,
) -> tuple[pl.DataFrame, list[Extract]] | None:
    """The input as :func:`read.load_input` would return it for CSV files whose number
    cells are integers, or ``None`` when the reader must look.

    UTF-8 files are scanned from their paths. Files in cp1252 (or latin-1), as Windows
    exports are, are decoded as the reader decodes them (:func:`read.as_utf8`: given by
    ``encoding``, or found when polars meets bytes that are not UTF-8) and scanned from
    the UTF-8 bytes in memory, as the reader would hold them too."""
    given = None if encoding is None else _encoding_name(encoding)
    if given is not None and given not in UTF8 + EIGHT_BIT:
        return None
    files = [Path(p) for p in paths]
    if not files or any(p.suffix.lower() not in TEXT or not p.is_file() for p in files):
        return None
    if len({p.resolve() for p in files}) != len(files):
        return None
    texts = _decoded(files, encoding) if given in EIGHT_BIT else {}
    try:
        return None if texts is None else _scan_csv(files, spec, texts, separator, decimal)
    except _NotUtf8:
        if given is not None:  # UTF-8 given: the reader says where it is not
            return None
    texts = _decoded(files, None)  # not UTF-8 throughout: a Windows export, most likely
    try:
        return None if texts is None else _scan_csv(files, spec, texts, separator, decimal)
    except _NotUtf8:
        return None


class _NotUtf8(Exception):
    """A file read as UTF-8 is not."""


def _decoded(files: list[Path], encoding: str | None) -> dict[Path, tuple[bytes, str]] | None:
    """The files that are not UTF-8, as UTF-8 bytes with the encoding the reader names
    (a UTF-8 file is left out: it is scanned from its path), or None when the reader
    must look (UTF-16, a NUL byte, mixed encodings, bytes the given encoding lacks)."""
    out: dict[Path, tuple[bytes, str]] = {}
    for p in files:
        try:
            data, enc = as_utf8(p.read_bytes(), p, encoding)
        except InputError:
            return None
        if enc in UTF8:
            continue
        if _encoding_name(enc) not in EIGHT_BIT:
            return None
        out[p] = (data, enc)
    return out


def _scan_csv(files: list[Path], spec: Spec, texts: dict[Path, tuple[bytes, str]],
              separator: str | None, decimal: str | None
              ) -> tuple[pl.DataFrame, list[Extract]] | None:
    """:func:`scan_csv_inputs` for the files as they are (UTF-8) or decoded (``texts``);
    raises :class:`_NotUtf8` when a file read as UTF-8 is not."""
    text, numeric = spec_columns(spec)
    scans: list[pl.LazyFrame] = []
    extracts: list[Extract] = []
    lines: list[tuple[Path, bytes, int]] = []  # what _separators checks, per file
    for p in files:
        source: Path | bytes = p
        if p in texts:
            source, enc = texts[p]
            head = source[: 1 << 16]
        else:
            with p.open("rb") as fh:
                head = fh.read(1 << 16)
            enc = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            header = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8")
        except UnicodeDecodeError:
            raise _NotUtf8 from None
        sep = separator or detect_separator(header)
        if len(sep) != 1 or sep in '"\r\n':
            return None
        names = header.rstrip("\r").split(sep)
        if (any(n != n.strip() or not n for n in names) or len(set(names)) != len(names)
                or any(c not in names for c in [*text, *numeric])):
            return None
        # the separators are counted in the file's own bytes: in cp1252 as in UTF-8,
        # no byte of a letter is a separator
        lines.append((p, sep.encode(), len(names)))
        # polars refuses a line with more cells than the header only when it parses
        # every column; reading only the spec's columns, it drops the extra cells
        # unseen. The separators over the file add up then only if another line is
        # short of cells, whose last cell polars leaves null: so the last column is
        # read too, and a null in it (an empty last cell too) has the files parsed whole
        unread = any(n not in (*text, *numeric) for n in names)
        options = {"separator": sep, "quote_char": '"', "infer_schema": False,
                   "encoding": "utf8", "schema_overrides": {c: pl.Int64 for c in numeric}}
        if not _head_parses(head, options, [*text, *numeric]):
            return None
        scans.append(
            pl.scan_csv(source, **options)
            .with_row_index(LINE_COL, offset=2).select(
                pl.lit(str(p), pl.Categorical).alias(FILE_COL),
                pl.col(LINE_COL),
                *[_text(c, spec) for c in text],
                *[pl.col(c).cast(pl.Float64) for c in numeric],
                (pl.col(names[-1]).is_null() if unread else pl.lit(False)).alias(SHORT),
            ))
        # with integer cells only, the reader's guess is ',' for ;-files, else '.'
        extracts.append(Extract(p, "", pl.DataFrame(), enc,
                                sep, decimal or ("," if sep == ";" else ".")))
    # the reader's checks of whole lines (no NUL, no quotes, no replacement character, no
    # blank line, every row the header's cells) and the files' hashes, in one pass over
    # the bytes, run in a second thread while polars parses
    with ThreadPoolExecutor(max_workers=1) as pool:
        counted = pool.submit(lambda: [_separators_and_hash(*args) for args in lines])
        query = pl.concat(scans, how="vertical_relaxed")
        try:
            frame = query.collect()
            if frame.get_column(SHORT).any():  # parsed whole, a long line is refused
                frame = query.collect(
                    optimizations=pl.QueryOptFlags(projection_pushdown=False))
        except Exception as exc:  # a cell that is not an integer, bytes not UTF-8, …
            _raise_if_not_utf8(exc)
            return None
        frame = strip_text(frame.drop(SHORT).rechunk(), text)  # one chunk: see above
        rows = _rows_per_file(frame, [p for p, _, _ in lines])
        if not all(_cells_add_up(seps, width, n) for (seps, _), (_, _, width), n
                   in zip(counted.result(), lines, rows, strict=True)):
            return None
        extracts = [dataclasses.replace(e, sha256=h)
                    for e, (_, h) in zip(extracts, counted.result(), strict=True)]
    # a row with nothing in the spec's columns may be a line of blanks, which the reader
    # drops, or a row with other columns, which it reports: either way, its call
    blank = pl.all_horizontal(
        *[pl.col(c).is_null() | (pl.col(c) == "") for c in text],
        *[pl.col(c).is_null() for c in numeric])
    if frame.height == 0 or frame.select(blank.any()).item():
        return None
    return frame, extracts


def _head_parses(head: bytes, options: dict[str, object], columns: list[str]) -> bool:
    """Whether the file's first lines (up to 64 KiB) parse as the scan parses the file:
    a file of decimals or German numbers goes to the reader at once, not after a scan
    of the whole file failed. Raises :class:`_NotUtf8` for bytes that are not UTF-8."""
    lines = head.removeprefix(b"\xef\xbb\xbf")
    lines = lines[: lines.rfind(b"\n") + 1] or lines  # whole lines only
    try:
        pl.read_csv(lines, columns=columns, **options)  # type: ignore[arg-type]
    except Exception as exc:
        _raise_if_not_utf8(exc)
        return False
    return True


def _raise_if_not_utf8(exc: Exception) -> None:
    """Raise :class:`_NotUtf8` when polars failed on bytes that are not UTF-8 (its
    message: "invalid utf-8 sequence"), rather than on a cell."""
    if "utf-8" in str(exc).lower():
        raise _NotUtf8 from None


def _rows_per_file(frame: pl.DataFrame, files: list[Path]) -> list[int]:
    """How many rows of ``frame`` came from each file (in the order given)."""
    if len(files) == 1:
        return [frame.height]
    counts = frame.get_column(FILE_COL).value_counts()  # per category, not per row
    found = dict(zip(counts.get_column(FILE_COL).cast(pl.String).to_list(),
                     counts.get_column("count").to_list(), strict=True))
    return [found.get(str(p), 0) for p in files]


def withheld_notes(frame: pl.DataFrame, extracts: list[Extract],
                   spec: Spec) -> list[Finding]:
    """The reader's ``input-withheld`` notes for scanned CSV files: with integer cells
    only, a null is an empty cell."""
    _, numeric = spec_columns(spec)
    out = []
    for e in extracts:
        rows = frame.filter(pl.col(FILE_COL) == str(e.path)) if len(extracts) > 1 else frame
        nulls = rows.select(pl.col(numeric).null_count()).row(0, named=True)
        out += [withheld_note(e.path, c, n, f"empty {n}") for c, n in nulls.items() if n]
    return out


def _separators_and_hash(path: Path, sep: bytes, width: int
                         ) -> tuple[int | None, str | None]:
    """:func:`_separators` and the file's SHA-256 (as :func:`read.file_sha256` gives it),
    from one reading of the file; no hash when the count is ``None`` (the file was not
    read to its end)."""
    digest = hashlib.sha256()
    seps = _separators(path, sep, width, digest=digest)
    return seps, None if seps is None else digest.hexdigest()


def _separators(path: Path, sep: bytes, width: int, chunk_size: int = 1 << 24,
                digest: Any = None) -> int | None:
    """The number of separators in the file, read in chunks (not at once), or ``None``
    when a line is not plain: a NUL byte, a quote mark, a replacement character, a
    carriage return without a line feed (or, with one column, a blank line). Each chunk
    also goes to ``digest`` (a hashlib object), until a line is found not plain.

    polars makes one row of every line after the header (a blank one too, as a row of
    nulls) and, when it parses every column, refuses a line with more cells than the
    header (:func:`scan_csv_inputs` makes sure it does when a line may be long). So
    with ``rows`` rows read, every line has the header's cells exactly when
    this count is ``(width − 1) × (rows + 1)`` (:func:`_cells_add_up`): no line needs
    to be counted here, and a line short of a cell (a blank one among them) is found.

    Chunks may end anywhere (a read may return fewer bytes than asked for): a pattern
    across the border between two chunks is looked for in the last bytes of the one and
    the first bytes of the next."""
    seps = 0
    tail = b"\n"  # the last bytes so far; the start of the file counts as after a line end
    replacement = "\ufffd".encode()
    bad = (b"\x00", b'"', replacement, *((b"\n\n", b"\n\r\n") if width < 2 else ()))
    with path.open("rb", buffering=0) as fh:
        # one buffer, filled again and again: a fresh chunk each time would be fresh
        # memory, every page of it a page fault; searches and counts take its bounds,
        # not a slice. Not much larger than the file: a small file needs no 16 MB.
        buf = bytearray(min(chunk_size, max(1 << 16, os.fstat(fh.fileno()).st_size + 1)))
        view = memoryview(buf)
        while n := fh.readinto(buf):
            if digest is not None:
                digest.update(view[:n])
            seam = tail + bytes(view[:min(n, 3)])  # what spans the border between two chunks
            if any(b in seam for b in bad):
                return None
            # a search for one byte is ten times faster than for several: the longer
            # patterns are looked for only when their rare first byte is there
            if buf.find(b"\x00", 0, n) >= 0 or buf.find(b'"', 0, n) >= 0:
                return None
            if width < 2 and (buf.find(b"\n\n", 0, n) >= 0
                              or buf.find(b"\n\r\n", 0, n) >= 0):
                return None  # a line of one cell has no separator to count
            if buf.find(b"\xef", 0, n) >= 0 and buf.find(replacement, 0, n) >= 0:
                return None
            if tail.endswith(b"\r") and buf[0] != 0x0A:
                return None  # a carriage return alone, the last byte before the border
            if (buf.find(b"\r", 0, n - 1) >= 0
                    and buf.count(b"\r", 0, n - 1) != buf.count(b"\r\n", 0, n)):
                return None  # a carriage return alone (the last byte: at the next border)
            seps += buf.count(sep, 0, n)
            tail = (tail + bytes(view[max(0, n - 3):n]))[-3:]
    if tail.endswith(b"\r"):
        return None
    return seps


def _cells_add_up(seps: int | None, width: int, rows: int) -> bool:
    """True when a file with ``seps`` separators (:func:`_separators`) and ``rows`` rows
    read by polars after its header has ``width`` cells on every line."""
    return seps is not None and rows >= 1 and seps == (width - 1) * (rows + 1)
