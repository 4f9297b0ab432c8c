"""Unit tests of the Parquet fast path (scan.py): for clean Parquet files it returns what
the reader returns; whenever the reader must look at cells, it steps aside so that every
error keeps the reader's wording, file, line, column and value."""

from __future__ import annotations

import hashlib

import math
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from helpers import MONTHLY_SPEC_TEXT

from ankunftsindex.errors import FILE_COL, InputError
from ankunftsindex.pipeline import compute
from ankunftsindex.read import load_input
from ankunftsindex.scan import scan_csv_inputs, scan_parquet_inputs
from ankunftsindex.spec import parse_spec

SPEC = parse_spec(
    MONTHLY_SPEC_TEXT,
    "test.yaml",
)


def panel(**overrides: list) -> pl.DataFrame:
    data = {
        "Monat": ["2025-01", "2025-01", "2025-02", "2025-02"],
        "Gebiet": ["01", "02", "01", "02"],
        "Name": [" Nord ", "Süd", "Nord", "Süd"],
        "EW": [1000, 2000, 1010, None],
        "Ausl": [100, 300, 110, 320],
        "extra": ["x", "y", "z", "w"],
    }
    data.update(overrides)
    return pl.DataFrame(data)


def parquet(tmp_path: Path, frame: pl.DataFrame, name: str = "a.parquet") -> Path:
    path = tmp_path / name
    frame.write_parquet(path)
    return path


def reader(paths: list[Path], monkeypatch: pytest.MonkeyPatch, **options: object
           ) -> tuple[pl.DataFrame, list]:
    """What the reader (not a fast path) makes of the files."""
    import ankunftsindex.scan as scan

    with monkeypatch.context() as mp:
        mp.setattr(scan, "scan_parquet_inputs", lambda *a, **k: None)
        mp.setattr(scan, "scan_csv_inputs", lambda *a, **k: None)
        frame, extracts = load_input(paths, SPEC, **options)  # type: ignore[arg-type]
    assert frame["Name"].dtype == pl.String  # the reader's own frame
    return frame, extracts


def test_clean_parquet_gives_the_readers_frame(tmp_path: Path, monkeypatch) -> None:
    a = parquet(tmp_path, panel())
    b = parquet(tmp_path, panel(Monat=["2025-03"] * 2 + ["2025-04"] * 2), "b.parquet")
    fast = scan_parquet_inputs([a, b], SPEC)
    assert fast is not None
    frame, extracts = fast
    slow, slow_extracts = reader([a, b], monkeypatch)
    # file and name are categoricals (a name per row would be a tenth of a large input)
    assert frame["Name"].dtype == pl.Categorical
    assert frame.with_columns(pl.col(FILE_COL, "Name").cast(pl.String)).equals(slow)
    assert [(e.path, e.sha256) for e in extracts] == [(e.path, e.sha256) for e in slow_extracts]
    # spot checks by hand: line numbers count rows from 1 per file, names are stripped,
    # only the spec's columns are read
    assert frame["_line"].to_list() == [1, 2, 3, 4, 1, 2, 3, 4]
    assert frame["Name"][0] == "Nord"
    assert "extra" not in frame.columns
    assert frame["EW"].dtype == pl.Float64 and frame["EW"][3] is None


@pytest.mark.parametrize("case", ["csv", "missing column", "text numbers", "nan", "inf",
                                  "twice", "broken"])
def test_the_reader_runs_whenever_it_must_look(tmp_path: Path, case: str) -> None:
    path = parquet(tmp_path, panel())
    paths = [path]
    if case == "csv":
        csv = tmp_path / "a.csv"
        panel().write_csv(csv, separator=";")
        paths = [csv]
    elif case == "missing column":
        parquet(tmp_path, panel().drop("Ausl"))
    elif case == "text numbers":
        parquet(tmp_path, panel(Ausl=["100", "300", "1.100", "320"]))
    elif case == "nan":
        parquet(tmp_path, panel(Ausl=[100.0, math.nan, 110.0, 320.0]))
    elif case == "inf":
        parquet(tmp_path, panel(EW=[1000.0, 2000.0, math.inf, 1.0]))
    elif case == "twice":
        paths = [path, path]
    elif case == "broken":
        path.write_bytes(path.read_bytes()[:40])
    assert scan_parquet_inputs(paths, SPEC) is None


def test_a_nan_cell_is_reported_with_file_line_and_column(tmp_path: Path) -> None:
    path = parquet(tmp_path, panel(Ausl=[100.0, math.nan, 110.0, 320.0]))
    with pytest.raises(InputError) as err:
        compute([path], SPEC)
    finding = err.value.findings[0]
    assert (err.value.code, finding.file, finding.line, finding.column, finding.value) == (
        "input-not-finite", str(path), 2, "Ausl", "nan")


def test_fast_path_and_reader_compute_the_same(tmp_path: Path) -> None:
    path = parquet(tmp_path, panel(EW=[1000, 2000, 1010, 1990]))
    csv = tmp_path / "a.csv"
    panel(EW=[1000, 2000, 1010, 1990]).write_csv(csv, separator=",")
    fast, slow = compute([path], SPEC), compute([csv], SPEC)
    assert fast.frame.equals(slow.frame)
    # foreign_share by hand: 100/1000, 300/2000, 110/1010, 320/1990 (× 100)
    assert fast.frame["foreign_share"].to_list() == pytest.approx(
        [10.0, 15.0, 11000 / 1010, 32000 / 1990])


# --- CSV ---------------------------------------------------------------------------------

CSV = "Monat;Gebiet;Name;EW;Ausl\n2025-01;01; Nord ;1000;100\n2025-01;02;Süd;2000;300\n"


def csv(tmp_path: Path, text: str = CSV, name: str = "a.csv", encoding: str = "utf-8",
        bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_clean_csv_gives_the_readers_frame(tmp_path: Path, bom: bool, newline: str,
                                          monkeypatch) -> None:
    a = csv(tmp_path, CSV.replace("\n", newline), bom=bom)
    b = csv(tmp_path, CSV.replace("2025-01", "2025-02"), "b.csv")
    fast = scan_csv_inputs([a, b], SPEC)
    assert fast is not None
    frame, extracts = fast
    slow, slow_extracts = reader([a, b], monkeypatch)
    # file and name are categoricals (a name per row would be a tenth of a large input)
    assert frame["Name"].dtype == pl.Categorical
    assert frame.with_columns(pl.col(FILE_COL, "Name").cast(pl.String)).equals(slow)
    assert [(e.encoding, e.separator, e.decimal) for e in extracts] == [
        (e.encoding, e.separator, e.decimal) for e in slow_extracts]
    # by hand: lines 2 and 3 of each file, the name stripped, the ID keeps its zero
    assert frame["_line"].to_list() == [2, 3, 2, 3]
    assert frame.row(0)[2:] == ("01", "Nord", "2025-01", 1000.0, 100.0)


@pytest.mark.parametrize("case,text,encoding", [
    ("decimal comma", CSV.replace(";100\n", ";100,5\n"), "utf-8"),
    ("thousands separator", CSV.replace(";2000;", ";2.000;"), "utf-8"),
    ("withheld value", CSV.replace(";300\n", ";.\n"), "utf-8"),
    ("blank inside a number", CSV.replace(";2000;", ";2 000;"), "utf-8"),
    ("blank line", CSV.replace("\n2025", "\n\n2025"), "utf-8"),
    # as many separators as lines need, over the file: polars refuses the long row
    ("blank line and a row with a cell too many",
     CSV.replace("\n2025", "\n\n2025", 1).replace(";100\n", ";100;7;7;7;7\n", 1), "utf-8"),
    ("blank CRLF line and a row with a cell too many",
     CSV.replace("\n", "\r\n").replace("\r\n2025", "\r\n\r\n2025", 1)
     .replace(";100\r\n", ";100;7;7;7;7\r\n", 1), "utf-8"),
    ("header with blanks", CSV.replace("Monat;", " Monat ;"), "utf-8"),
    ("missing column", CSV.replace(";Ausl", ";X"), "utf-8"),
    ("header only", CSV.split("\n")[0] + "\n", "utf-8"),
    ("row of separators", CSV + ";;;;\n", "utf-8"),
    ("line of blanks", CSV + "   \n", "utf-8"),
    ("empty line at the end", CSV + "\n", "utf-8"),
    ("empty file", "", "utf-8"),
    ("short row in a column the spec does not read",
     CSV.replace(";Ausl\n", ";Ausl;Extra\n").replace(";100\n", ";100;1\n"), "utf-8"),
    ("NUL byte", CSV.replace("Süd", "S\x00d"), "utf-8"),
    ("quoted cell", CSV.replace("Süd", '"Süd"'), "utf-8"),
    ("replacement character", CSV.replace("Süd", "S\ufffdd"), "utf-8"),
    ("header named twice", CSV.replace(";Ausl", ";EW"), "utf-8"),
    ("trailing separator in the header", CSV.replace(";Ausl\n", ";Ausl;\n"), "utf-8"),
])
def test_csv_the_reader_runs_whenever_it_must_look(tmp_path: Path, case: str, text: str,
                                                   encoding: str) -> None:
    path = csv(tmp_path, text, encoding=encoding)
    assert scan_csv_inputs([path], SPEC) is None, case


def test_csv_cells_are_counted_file_by_file(tmp_path: Path) -> None:
    # the second file has a row short of a cell (polars reads it with a null, which
    # could be an empty cell); the first file's count must not make up for it
    a = csv(tmp_path, CSV, "a.csv")
    b = csv(tmp_path, CSV.replace("2025-01", "2025-02").replace(";300\n", "\n"), "b.csv")
    assert scan_csv_inputs([a, b], SPEC) is None
    assert scan_csv_inputs([b, a], SPEC) is None
    c = csv(tmp_path, CSV.replace("2025-01", "2025-03"), "c.csv")
    assert scan_csv_inputs([a, c], SPEC) is not None


EXTRA = CSV.replace(";Ausl\n", ";Ausl;Bemerkung\n").replace(";100\n", ";100;a\n").replace(
    ";300\n", ";300;b\n")


def test_csv_with_a_column_the_spec_does_not_read(tmp_path: Path, monkeypatch) -> None:
    path = csv(tmp_path, EXTRA)
    fast = scan_csv_inputs([path], SPEC)
    assert fast is not None  # clean: still the fast path
    slow, _ = reader([path], monkeypatch)
    assert fast[0].with_columns(pl.col(FILE_COL, "Name").cast(pl.String)).equals(slow)
    assert "Bemerkung" not in fast[0].columns


def test_csv_with_an_empty_cell_in_a_column_the_spec_does_not_read(tmp_path: Path,
                                                                   monkeypatch) -> None:
    # an empty last cell looks like a short line to the quick look: parsed whole, the
    # file is clean and still read by the scan
    path = csv(tmp_path, EXTRA.replace(";100;a\n", ";100;\n"))
    fast = scan_csv_inputs([path], SPEC)
    assert fast is not None
    slow, _ = reader([path], monkeypatch)
    assert fast[0].with_columns(pl.col(FILE_COL, "Name").cast(pl.String)).equals(slow)


# a column the spec does not read in the middle: polars reads the spec's columns (the
# last one among them) and would drop a long line's extra cell unseen
MIDDLE = CSV.replace(";EW;", ";Bemerkung;EW;").replace(";1000;", ";a;1000;").replace(
    ";2000;", ";b;2000;")


@pytest.mark.parametrize("layout", ["unread column last", "unread column in the middle"])
def test_csv_a_long_line_and_a_short_one_are_not_taken_for_two_good_ones(tmp_path: Path,
                                                                         layout: str) -> None:
    # one cell too many on line 2 and one too few on line 3: the separators add up over
    # the file
    if layout == "unread column last":
        text = (EXTRA.replace(";100;a\n", ";100;a;b\n").replace(";300;b\n", ";300\n")
                + "2025-01;03;Ost;1500;200;c\n")
    else:
        text = (MIDDLE.replace(";100\n", ";100;7\n").replace(";300\n", "\n")
                + "2025-01;03;Ost;c;1500;200\n")
    path = csv(tmp_path, text)
    assert scan_csv_inputs([path], SPEC) is None
    with pytest.raises(InputError) as err:
        compute([path], SPEC)
    assert err.value.code == "input-ragged"
    assert sorted(f.line for f in err.value.findings) == [2, 3]


def test_csv_given_twice_or_in_another_encoding_goes_to_the_reader(tmp_path: Path) -> None:
    path = csv(tmp_path)
    assert scan_csv_inputs([path, path], SPEC) is None
    assert scan_csv_inputs([path], SPEC, encoding="utf-16") is None
    assert scan_csv_inputs([path], SPEC, encoding="utf-8") is not None


@pytest.mark.parametrize("encoding", [None, "cp1252", "CP1252", "latin-1"])
def test_cp1252_csv_gives_the_readers_frame(tmp_path: Path, monkeypatch,
                                            encoding: str | None) -> None:
    # a Windows export: "Süd" as the byte 0xfc, in a file next to a UTF-8 one
    a = csv(tmp_path, CSV.replace("Nord", "Nörd"), "a.csv", encoding="cp1252")
    b = csv(tmp_path, CSV.replace("2025-01", "2025-02"), "b.csv")
    paths = [a] if encoding else [a, b]
    fast = scan_csv_inputs(paths, SPEC, encoding=encoding)
    assert fast is not None
    frame, extracts = fast
    slow, slow_extracts = reader(paths, monkeypatch, encoding=encoding)
    assert frame.with_columns(pl.col(FILE_COL, "Name").cast(pl.String)).equals(slow)
    assert [(e.encoding, e.separator, e.decimal, e.sha256) for e in extracts] == [
        (e.encoding, e.separator, e.decimal, e.sha256) for e in slow_extracts]
    assert frame["Name"].cast(pl.String).to_list()[:2] == ["Nörd", "Süd"]  # by hand
    assert extracts[0].encoding == (encoding or "cp1252")


def test_a_cp1252_byte_only_after_the_first_lines_still_takes_the_scan(tmp_path: Path,
                                                                        monkeypatch) -> None:
    # the first 64 KiB are ASCII: only polars' whole parse meets the byte; its error must
    # still be told from a bad cell (else every such file would go to the reader)
    rows = "".join(f"2025-01;{i:05d};Ort {i};1000;100\n" for i in range(3000))
    text = CSV.split("\n")[0] + "\n" + rows + "2025-01;99999;Süd;2000;300\n"
    assert len(text.encode("cp1252")) > 1 << 16
    path = csv(tmp_path, text, encoding="cp1252")
    fast = scan_csv_inputs([path], SPEC)
    assert fast is not None
    assert fast[1][0].encoding == "cp1252"
    assert fast[0]["Name"].cast(pl.String).to_list()[-1] == "Süd"
    slow, _ = reader([path], monkeypatch)
    assert fast[0].with_columns(pl.col(FILE_COL, "Name").cast(pl.String)).equals(slow)


@pytest.mark.parametrize("case,data,encoding", [
    # UTF-8 letters and a cp1252 byte in one file: the reader names the mixed encodings
    ("mixed encodings", "Monat;Gebiet;Name;EW;Ausl\n2025-01;01;Nörd;1000;100\n".encode()
     + "2025-01;02;Süd;2000;300\n".encode("cp1252"), None),
    ("UTF-8 given for cp1252 bytes", CSV.encode("cp1252"), "utf-8"),
    ("a byte cp1252 lacks, cp1252 given", CSV.replace("Süd", "S\x81d").encode("latin-1"),
     "cp1252"),
    ("UTF-16", b"\xff\xfe" + CSV.encode("utf-16-le"), None),
    ("decimal comma in cp1252", CSV.replace(";100\n", ";100,5\n").encode("cp1252"), None),
])
def test_csv_in_another_encoding_the_reader_runs_when_it_must(
        tmp_path: Path, case: str, data: bytes, encoding: str | None) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    assert scan_csv_inputs([path], SPEC, encoding=encoding) is None, case


def test_csv_errors_keep_the_readers_findings(tmp_path: Path) -> None:
    path = csv(tmp_path, CSV.replace(";300\n", ";3x0\n"))
    with pytest.raises(InputError) as err:
        compute([path], SPEC)
    finding = err.value.findings[0]
    assert (err.value.code, finding.line, finding.column, finding.value) == (
        "input-not-a-number", 3, "Ausl", "3x0")


def test_blanks_are_stripped_even_when_the_stripped_value_also_occurs(tmp_path: Path) -> None:
    # " 01" strips to "01", which is there too: a test of distinct values must not be
    # fooled by that
    path = parquet(tmp_path, panel(Gebiet=[" 01", "02", "01", "02 "]))
    fast = scan_parquet_inputs([path], SPEC)
    assert fast is not None
    assert fast[0]["Gebiet"].to_list() == ["01", "02", "01", "02"]


def test_a_line_of_blanks_is_dropped_as_the_reader_drops_it(tmp_path: Path) -> None:
    clean = csv(tmp_path, CSV, "clean.csv")
    blanks = csv(tmp_path, CSV + "  \n", "blanks.csv")
    assert compute([blanks], SPEC).frame.equals(compute([clean], SPEC).frame)


def test_only_text_files_take_the_csv_fast_path(tmp_path: Path) -> None:
    for suffix in (".xlsx", ".dat", ""):
        path = csv(tmp_path, name=f"a{suffix}")
        assert scan_csv_inputs([path], SPEC) is None, suffix
    assert scan_csv_inputs([csv(tmp_path, name="a.txt")], SPEC) is not None


def test_empty_cells_of_a_scanned_csv_are_noted_as_the_reader_notes_them(
        tmp_path: Path) -> None:
    from ankunftsindex.read import read_extract, read_inputs, to_typed

    path = csv(tmp_path, CSV.replace(";300\n", ";\n"))
    frame, _, findings = read_inputs([path], SPEC)
    assert frame["Name"].dtype == pl.Categorical  # the scan was taken
    slow, slow_findings = to_typed(read_extract(path), SPEC)
    assert frame.with_columns(pl.col(FILE_COL, "Name").cast(pl.String)).equals(slow)
    assert [f.to_dict() for f in findings] == [f.to_dict() for f in slow_findings]


@pytest.mark.parametrize("body,rows,plain", [
    # rows: what polars reads after the header (a blank line is a row of nulls)
    (b"a;b\n1;2\n3;4\n", 2, True),
    (b"a;b\r\n1;2\r\n3;4", 2, True),
    (b"a;b\n1;2\n\n3;4\n", 3, False),          # blank line
    (b"a;b\r\n1;2\r\n\r\n3;4\r\n", 3, False),  # blank line, CRLF
    (b"a;b\n1;2\n3;4\n\n", 3, False),          # blank line at the end
    (b"a;b\n1;2\n3\n", 2, False),              # a row short of a cell
    (b'a;b\n1;"2"\n', 1, False),               # quotes: the reader knows them
    (b"a;b\n1;2\x00\n", 1, False),             # NUL
    (b"a;b\n1;\xef\xbf\xbd\n", 1, False),      # replacement character
    (b"a;b\r1;2\r", 1, False),                 # carriage returns alone
    (b"a;b\n1;2\r3;4\n", 2, False),            # a carriage return alone inside
    (b"a;b\n1;2\r\r\n", 1, False),              # one alone, then a line end
])
def test_line_check_is_the_same_for_every_chunk_size(tmp_path: Path, body: bytes, rows: int,
                                                     plain: bool) -> None:
    from ankunftsindex.scan import _cells_add_up, _separators

    path = tmp_path / "x.csv"
    path.write_bytes(body)
    lone_cr = body.replace(b"\r\n", b"").count(b"\r")
    if b'"' not in body and b"\x00" not in body and not lone_cr:  # rows as polars reads
        assert pl.read_csv(path, separator=";", infer_schema=False).height == rows
    for size in (1, 2, 3, 4, 5, 7, 1 << 24):  # every border inside every pattern
        digest = hashlib.sha256()
        seps = _separators(path, b";", 2, chunk_size=size, digest=digest)
        assert _cells_add_up(seps, 2, rows) is plain, size
        if seps is not None:  # read to the end: the file's hash, from the same reading
            assert digest.hexdigest() == hashlib.sha256(body).hexdigest(), size


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["01", " 01", "01 ", "02", "\t02", "", None]),
                          st.integers(1, 12)), min_size=1, max_size=12))
def test_strip_text_strips_every_cell(runs: list[tuple[str | None, int]]) -> None:
    # runs of equal cells (as IDs in an extract written area by area) make strip_text
    # look only at the cells that differ from the one above, short runs at every
    # distinct value: either way the result is every cell stripped
    from ankunftsindex.read import strip_text

    cells = [value for value, repeat in runs for _ in range(repeat)]
    frame = pl.DataFrame({"id": cells, "name": cells},
                         schema={"id": pl.String, "name": pl.Categorical})
    got = strip_text(frame, ["id", "name"])
    expected = [None if c is None else c.strip() for c in cells]
    assert got["id"].to_list() == expected
    assert got["name"].cast(pl.String).to_list() == expected
    assert got.schema == frame.schema


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_decimals_in_the_first_lines_go_to_the_reader_before_any_scan(
        tmp_path: Path, monkeypatch, encoding: str) -> None:
    import ankunftsindex.scan as scan

    path = csv(tmp_path, CSV.replace(";100\n", ";100,5\n"), encoding=encoding)

    def no_scan(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole file was scanned")

    monkeypatch.setattr(scan.pl, "scan_csv", no_scan)
    assert scan_csv_inputs([path], SPEC) is None
    monkeypatch.undo()
    assert compute([path], SPEC).frame.height  # the reader reads it
