"""Reading real tables: UTF-16, NUL bytes, ragged rows, trailing separators, quoted cells
over several lines, duplicate header names, replacement characters, workbooks, total rows,
zero symbols and the per-column count of withheld values (issue 3). Every input is
written by the test; expected values are read off the cells by hand."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from helpers import MONTHLY_SPEC_TEXT

from ankunftsindex.errors import Finding
from ankunftsindex.read import read_inputs
from ankunftsindex.spec import parse_spec

SPEC_TEXT = MONTHLY_SPEC_TEXT
SPEC = parse_spec(SPEC_TEXT, "test.yaml")
HEADER = "Gebiet;Name;Monat;EW;Ausl"


def write(tmp_path: Path, data: bytes | str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read(paths: Path | list[Path], spec=SPEC, **options):
    frame, _extracts, findings = read_inputs(
        paths if isinstance(paths, list) else [paths], spec, **options)
    return frame, findings


def codes(findings: list[Finding]) -> list[tuple[str, int | None]]:
    return [(f.code, f.line) for f in findings]


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    text = f"{HEADER}\n01;Gröpelingen;2025-01;1000;100\n"
    path = write(tmp_path, "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))
    frame, findings = read(path)
    assert findings == []
    assert frame["Name"].to_list() == ["Gröpelingen"]
    assert frame["EW"].to_list() == [1000.0]


def test_nul_byte_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100\n02;B;2025-01;10\x0000;100\n")
    frame, findings = read(path)
    assert frame is None
    assert [(f.code, f.file, f.line) for f in findings] == [("input-nul", str(path), 3)]


def test_short_and_long_rows_are_errors_with_their_lines_and_the_rest_is_read(
        tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([
        HEADER,
        "01;A;2025-01;1000;100",
        "02;B;2025-01;1000",          # line 3: one cell short
        "03;C;2025-01;1000;100;7",    # line 4: one cell too many, not empty
        "04;D;2025-01;-5;100",        # line 5: readable (negative: a check's business)
    ]) + "\n")
    frame, findings = read(path)
    assert codes(findings) == [("input-ragged", 3), ("input-ragged", 4)]
    assert frame is not None
    assert frame["Gebiet"].to_list() == ["01", "04"]
    assert frame["_line"].to_list() == [2, 5]


def test_trailing_separators_are_not_ragged(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER};\n01;A;2025-01;1 000;100;\n02;B;2025-01;2000;50;\n")
    frame, findings = read(path)
    assert findings == []
    assert frame["EW"].to_list() == [1000.0, 2000.0]


def test_extra_empty_cells_without_a_header_separator_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100;;\n02;B;2025-01;2000;50\n")
    frame, findings = read(path)
    assert findings == []
    assert frame["Gebiet"].to_list() == ["01", "02"]


def test_lines_stay_right_after_a_quoted_cell_over_two_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([
        HEADER,
        '01;"Mitte\n(Nord)";2025-01;1000;100',   # lines 2 and 3
        "02;B;2025-01;1000;abc",                 # line 4
    ]) + "\n")
    _frame, findings = read(path)
    assert codes(findings) == [("input-not-a-number", 4)]


def test_blank_lines_keep_the_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100\n\n\n02;B;2025-01;1000;abc\n\n")
    _, findings = read(path)
    assert codes(findings) == [("input-not-a-number", 5)]


@pytest.mark.parametrize("second", ["EW", " EW ", "EW "])
def test_a_column_named_twice_is_an_error(tmp_path: Path, second: str) -> None:
    """Also when the names differ only by blanks around them (both become EW)."""
    path = write(tmp_path, f"Gebiet;Name;Monat;EW;Ausl;{second}\n01;A;2025-01;1000;100;900\n")
    frame, findings = read(path)
    assert frame is None
    assert [(f.code, f.line, f.column) for f in findings] == [
        ("input-duplicate-column", 1, "EW")]


def test_replacement_characters_are_a_warning_naming_the_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100\n02;M\ufffdnchen;2025-01;1000;50\n")
    frame, findings = read(path)
    assert [(f.code, f.severity, f.line) for f in findings] == [
        ("input-replacement-char", "warning", 3)]
    assert frame.height == 2


def test_withheld_values_are_counted_per_column_and_symbol(tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([
        HEADER,
        "01;A;2025-01;1000;.",
        "02;B;2025-01;1000; . ",
        "03;C;2025-01;1000;x",
        "04;D;2025-01;1000;",
        "05;E;2025-01;1000;12",
    ]) + "\n")
    frame, findings = read(path)
    assert frame["Ausl"].to_list() == [None, None, None, None, 12.0]
    [note] = findings
    assert (note.code, note.severity, note.column) == ("input-withheld", "info", "Ausl")
    assert note.message.startswith("4 cell(s)")
    assert "'.' 2" in note.message and "'x' 1" in note.message and "empty 1" in note.message


def test_zero_symbols_read_as_zero_and_are_not_counted_as_withheld(tmp_path: Path) -> None:
    spec = parse_spec(SPEC_TEXT.replace("population: EW}",
                                        "population: EW, zero_symbols: ['-', '–']}"))
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;-\n02;B;2025-01;1000;–\n"
                           "03;C;2025-01;1000;.\n04;D;2025-01;1000;-5\n")
    frame, findings = read(path, spec)
    assert frame["Ausl"].to_list() == [0.0, 0.0, None, -5.0]
    assert [f.code for f in findings] == ["input-withheld"]
    assert findings[0].message.startswith("1 cell(s)")


def test_footer_rows_are_left_out_with_a_note(tmp_path: Path) -> None:
    spec = parse_spec(SPEC_TEXT.replace("population: EW}", "population: EW, footer_rows: 2}"))
    path = write(tmp_path, f"{HEADER}\nMitte;A;2025-01;1000;100\nNord;B;2025-01;500;50\n"
                           "Mitte;Bezirk;2025-01;1500;150\nStadt;;2025-01;1500;150\n\n")
    frame, findings = read(path, spec)
    assert frame["Gebiet"].to_list() == ["Mitte", "Nord"]
    assert frame["EW"].to_list() == [1000.0, 500.0]
    [note] = findings
    assert (note.code, note.severity, note.line) == ("input-rows-dropped", "info", 4)
    assert "Mitte, Stadt" in note.message


def test_totals_that_leave_no_row_are_an_error(tmp_path: Path) -> None:
    """drop_areas naming every area: nothing to compute, an error (not a valid empty input)."""
    spec = parse_spec(SPEC_TEXT.replace(
        "population: EW}", "population: EW, drop_areas: ['01', '02']}"))
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100\n02;B;2025-01;500;50\n")
    frame, findings = read(path, spec)
    assert frame is None
    assert [(f.code, f.severity) for f in findings] == [
        ("input-rows-dropped", "info"), ("input-empty", "error")]


def test_drop_areas_leave_out_total_rows_anywhere(tmp_path: Path) -> None:
    spec = parse_spec(SPEC_TEXT.replace(
        "population: EW}", "population: EW, drop_areas: [Stadt insgesamt]}"))
    path = write(tmp_path, f"{HEADER}\nStadt insgesamt;;2025-01;1500;150\n"
                           "01;A;2025-01;1000;100\n02;B;2025-01;500;50\n")
    frame, findings = read(path, spec)
    assert frame["Gebiet"].to_list() == ["01", "02"]
    assert [(f.code, f.line) for f in findings] == [("input-rows-dropped", 2)]


def xlsx(tmp_path: Path, frame: pl.DataFrame, sheet: str = "Daten") -> Path:
    path = tmp_path / "extract.xlsx"
    frame.write_excel(path, worksheet=sheet)
    return path


def test_workbook_with_text_ids_numbers_and_symbols(tmp_path: Path) -> None:
    path = xlsx(tmp_path, pl.DataFrame({
        "Gebiet": ["0101", "0102", "0103"], "Name": ["A", "B", "C"],
        "Monat": ["2025-01"] * 3, "EW": [1000.0, 2500.5, 800.0], "Ausl": ["100", ".", "12,5"],
    }))
    frame, findings = read(path, decimal=",")
    assert frame["Gebiet"].to_list() == ["0101", "0102", "0103"]
    # number cells as Excel stores them (2500.5 stays 2500.5 with --decimal=,)
    assert frame["EW"].to_list() == [1000.0, 2500.5, 800.0]
    assert frame["Ausl"].to_list() == [100.0, None, 12.5]
    assert frame["_line"].to_list() == [2, 3, 4]
    assert [f.code for f in findings] == ["input-withheld"]


def test_workbook_sheet_by_name_and_unknown_sheet(tmp_path: Path) -> None:
    path = xlsx(tmp_path, pl.DataFrame({
        "Gebiet": ["01"], "Name": ["A"], "Monat": ["2025-01"], "EW": [1000], "Ausl": [10]}),
        sheet="Bestand")
    frame, findings = read(path, sheet="Bestand")
    assert frame["EW"].to_list() == [1000.0]
    frame, findings = read(path, sheet="Fehlt")
    assert frame is None
    assert [(f.code, f.file) for f in findings] == [("input-xlsx", str(path))]


def test_workbook_sheet_by_place_when_no_sheet_has_that_name(tmp_path: Path) -> None:
    """--sheet 2 is the second sheet, unless a sheet is named "2"; a sheet that is there
    neither way is an error that lists the workbook's sheets."""
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    for name, people in [("Bestand", 1000), ("Bewegungen", 2000), ("1", 3000)]:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, ["Gebiet", "Name", "Monat", "EW", "Ausl"])
        ws.write_row(1, 0, ["01", "A", "2025-01", people, 10])
    book.close()
    assert read(path, sheet="2")[0]["EW"].to_list() == [2000.0]
    assert read(path, sheet="Bewegungen")[0]["EW"].to_list() == [2000.0]
    assert read(path, sheet="1")[0]["EW"].to_list() == [3000.0]  # the name comes first
    assert read(path, sheet="3")[0]["EW"].to_list() == [3000.0]
    for wrong in ("4", "0", "Fehlt"):
        frame, findings = read(path, sheet=wrong)
        assert frame is None
        [f] = findings
        assert (f.code, f.file) == ("input-xlsx", str(path))
        assert f"no sheet {wrong!r}; its sheets: 'Bestand', 'Bewegungen', '1'" in f.message


def test_workbook_with_numeric_ids_warns(tmp_path: Path) -> None:
    path = xlsx(tmp_path, pl.DataFrame({
        "Gebiet": [101, 102], "Name": ["A", "B"], "Monat": ["2025-01"] * 2,
        "EW": [1000, 900], "Ausl": [10, 9]}))
    frame, findings = read(path)
    assert frame["Gebiet"].to_list() == ["101", "102"]
    assert [(f.code, f.severity) for f in findings] == [("input-numeric-id", "warning")]


@pytest.mark.parametrize("ids", [
    pl.Series("Gebiet", [[1], [2]]),
    pl.Series("Gebiet", [b"\xff1", b"2"], dtype=pl.Binary),
    pl.Series("Gebiet", [1, 2], dtype=pl.Duration("us")),
], ids=["list", "bytes-not-utf8", "duration"])
def test_parquet_ids_that_cannot_be_text_are_an_error(tmp_path: Path, ids: pl.Series) -> None:
    path = tmp_path / "extract.parquet"
    pl.DataFrame({"Gebiet": ids, "Name": ["A", "B"], "Monat": ["2025-01"] * 2,
                  "EW": [1000, 900], "Ausl": [10, 9]}).write_parquet(path)
    frame, findings = read(path)
    assert [(f.code, f.column) for f in findings] == [("input-not-text", "Gebiet")]
    assert str(ids.dtype) in findings[0].message


def test_parquet_with_integer_ids_warns(tmp_path: Path) -> None:
    path = tmp_path / "extract.parquet"
    pl.DataFrame({"Gebiet": [1001, 1002], "Name": ["A", "B"], "Monat": ["2025-01"] * 2,
                  "EW": [1000, 900], "Ausl": [10, 9]}).write_parquet(path)
    frame, findings = read(path)
    assert frame["Gebiet"].to_list() == ["1001", "1002"]
    assert [f.code for f in findings] == ["input-numeric-id"]


def test_every_file_is_read_even_when_one_fails(tmp_path: Path) -> None:
    good = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100\n", "good.csv")
    empty = write(tmp_path, "", "empty.csv")
    missing = tmp_path / "missing.csv"
    bad = write(tmp_path, f"{HEADER}\n02;B;2025-01;zehn;100\n", "bad.csv")
    frame, findings = read([good, empty, missing, bad])
    assert [(f.code, Path(f.file).name) for f in findings] == [
        ("input-empty", "empty.csv"), ("input-not-found", "missing.csv"),
        ("input-not-a-number", "bad.csv")]
    assert frame["Gebiet"].to_list() == ["01", "02"]


@pytest.mark.parametrize("blank", [" ", "\u00a0", "\u202f"])
def test_thousands_separated_by_blanks(tmp_path: Path, blank: str) -> None:
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;  1{blank}675   ;341\n")
    frame, findings = read(path)
    assert findings == []
    assert frame["EW"].to_list() == [1675.0]


def test_an_unclosed_quote_names_the_line_where_it_opens(tmp_path: Path) -> None:
    path = write(tmp_path, f'{HEADER}\n01;A;2025-01;1000;100\n02;"B;2025-01;1000;50\n'
                           '03;C;2025-01;1000;50\n')
    frame, findings = read(path)
    assert frame is None
    assert codes(findings) == [("input-csv", 3)]


@pytest.mark.parametrize("separator", [";;", '"', "\n"])
def test_an_impossible_separator_is_an_input_error(tmp_path: Path, separator: str) -> None:
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100\n")
    frame, findings = read(path, separator=separator)
    assert frame is None
    assert [f.code for f in findings] == ["input-csv"]


def test_a_file_of_two_encodings_is_refused_naming_the_first_foreign_line(
        tmp_path: Path) -> None:
    body = f"{HEADER}\n01;Altstadt-Süd;2025-01;1000;100\n".encode()
    body += "02;Größenau;2025-01;1000;50\n".encode("cp1252")
    frame, findings = read(write(tmp_path, body))
    assert frame is None
    assert codes(findings) == [("input-encoding", 3)]


def test_cp1252_with_sz_before_quotes_dashes_and_no_break_spaces_is_read(
        tmp_path: Path) -> None:
    """ß (0xDF) followed by a closing quote, a dash or a no-break space is a valid UTF-8
    pair (U+07D3, U+07D6, U+07E0) but plain German in cp1252: read as cp1252, on the fast
    path and by the reader (a thousands separator in the counts sends it there)."""
    names = ["„Große Straße“", "Am Fluß – Nord", "Weiß\u00a0Süd"]
    rows = "".join(f"0{i + 1};{n};2025-01;1000;{count}\n"
                   for i, (n, count) in enumerate(zip(names, ["100", "50", "1.250"])))
    for body in (f"{HEADER}\n{rows}".replace("1.250", "1250"), f"{HEADER}\n{rows}"):
        frame, findings = read(write(tmp_path, body.encode("cp1252")))
        assert [f.code for f in findings if f.code == "input-encoding"] == []
        assert frame["Name"].to_list() == names
    # a file that does mix the two is still refused (ä in UTF-8, ß in cp1252)
    mixed = f"{HEADER}\n01;Gärten;2025-01;1000;100\n".encode() + rows.encode("cp1252")
    assert codes(read(write(tmp_path, mixed))[1]) == [("input-encoding", 3)]


def test_a_bom_file_with_a_cp1252_byte_is_refused(tmp_path: Path) -> None:
    body = b"\xef\xbb\xbf" + f"{HEADER}\n".encode() + "02;Größenau;2025-01;1000;50\n".encode(
        "cp1252")
    _frame, findings = read(write(tmp_path, body))
    assert codes(findings) == [("input-encoding", 2)]


def test_plain_cp1252_is_still_read(tmp_path: Path) -> None:
    frame, findings = read(write(tmp_path, f"{HEADER}\n02;Größenau;2025-01;1000;50\n".encode(
        "cp1252")))
    assert findings == []
    assert frame["Name"].to_list() == ["Größenau"]


def test_drop_areas_never_swallow_a_row_without_id(tmp_path: Path) -> None:
    spec = parse_spec(SPEC_TEXT.replace("population: EW}",
                                        "population: EW, drop_areas: ['99']}"))
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100\n;Summe;2025-01;3000;350\n"
                           "99;Bezirk;2025-01;3000;350\n")
    frame, findings = read(path, spec)
    assert frame["Gebiet"].to_list() == ["01", None]  # the empty ID is the checks' business
    assert [(f.code, f.line) for f in findings] == [("input-rows-dropped", 4)]


def test_a_footnote_below_the_totals_is_a_footer_row(tmp_path: Path) -> None:
    spec = parse_spec(SPEC_TEXT.replace("population: EW}", "population: EW, footer_rows: 2}"))
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100\n02;B;2025-01;500;50\n"
                           "Stadt;;2025-01;1500;150\nQuelle: Melderegister, Stand 31.12.\n")
    frame, findings = read(path, spec)
    assert frame["Gebiet"].to_list() == ["01", "02"]
    assert [f.code for f in findings] == ["input-rows-dropped"]


@pytest.mark.parametrize("footer", [2, 5])
def test_footer_rows_that_leave_no_area_are_an_error(tmp_path: Path, footer: int) -> None:
    spec = parse_spec(SPEC_TEXT.replace("population: EW}",
                                        f"population: EW, footer_rows: {footer}}}"))
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1000;100\nStadt;;2025-01;1000;100\n")
    frame, findings = read(path, spec)
    assert frame is None
    assert [(f.code, f.severity, f.file) for f in findings] == [
        ("input-empty", "error", str(path))]


def test_workbook_rows_keep_their_numbers_after_an_empty_row(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "extract.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Daten")
    sheet.write_row(0, 0, ["Gebiet", "Name", "Monat", "EW", "Ausl"])
    sheet.write_row(1, 0, ["01", "A", "2025-01", 1000, 100])
    # row 3 of the sheet stays empty
    sheet.write_row(3, 0, ["02", "B", "2025-01", 1000, "abc"])
    book.close()
    _frame, findings = read(path)
    assert codes(findings) == [("input-not-a-number", 4)]


def test_utf8_check_in_chunks_agrees_with_decoding() -> None:
    from ankunftsindex.read import _check_utf8

    text = ("Gröpelingen;Süd;" * 50).encode()
    for chunk in (1, 2, 3, 7, 64):  # sequences split across every possible boundary
        _check_utf8(text, chunk=chunk)
    broken = text[:101] + b"\xfc" + text[101:]
    with pytest.raises(UnicodeDecodeError) as plain:
        broken.decode("utf-8")
    for chunk in (5, 64, 1 << 20):
        with pytest.raises(UnicodeDecodeError) as info:
            _check_utf8(broken, chunk=chunk)
        assert abs(info.value.start - plain.value.start) <= 3


@pytest.mark.parametrize("cell", ["12 34", "1 2 3", "1\t234", "1 2345"])
def test_blanks_inside_a_number_only_as_thousands_separators(tmp_path: Path,
                                                              cell: str) -> None:
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1 675;{cell}\n02;B;2025-01;- 23;5\n")
    frame, findings = read(path)
    assert [(f.code, f.line, f.value) for f in findings] == [("input-not-a-number", 2, cell)]
    assert frame["EW"].to_list() == [1675.0, -23.0]


@pytest.mark.parametrize("name", ["tab", "\\t"])
def test_a_tab_separator_can_be_named(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, HEADER.replace(";", "\t") + "\n01\tA\t2025-01\t1000\t100\n")
    frame, findings = read(path, separator=name)
    assert findings == []
    assert frame["EW"].to_list() == [1000.0]


def test_a_spreadsheet_error_cell_is_an_error_naming_row_and_column(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "extract.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Daten")
    sheet.write_row(0, 0, ["Gebiet", "Name", "Monat", "EW", "Ausl", "Notiz"])
    sheet.write_row(1, 0, ["01", "A", "2025-01", 1000, 100])
    sheet.write_row(2, 0, ["02", "B", "2025-01", 1000])
    sheet.write_formula(2, 4, "=1/0", None, "#DIV/0!")   # row 3, column Ausl
    sheet.write_formula(2, 5, "=NA()", None, "#N/A")     # not a spec column: no matter
    book.close()
    _, findings = read(path)
    errors = [f for f in findings if f.severity == "error"]
    assert [(f.code, f.line, f.column, f.value) for f in errors] == [
        ("input-not-a-number", 3, "Ausl", "#DIV/0!")]


def test_title_rows_above_the_header_of_a_workbook(tmp_path: Path) -> None:
    """A published table: a title and a date above the header (row 4), an empty row
    between. The header is found, the rows above are left out with a note, and rows keep
    the sheet's numbers (also for an error cell)."""
    import xlsxwriter

    path = tmp_path / "tabelle.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Tabelle 3")
    sheet.write(0, 0, "Tabelle 3: Bevölkerung nach Stadtteilen, Gebiet und Monat")
    sheet.write(1, 0, "Stand: 31.01.2025")
    sheet.write_row(3, 0, ["Gebiet", "Name", "Monat", "EW", " Ausl "])  # blanks: stripped
    sheet.write_row(4, 0, ["01", "A", "2025-01", 1000, 100])
    sheet.write_row(5, 0, ["02", "B", "2025-01", 2000])
    sheet.write_formula(5, 4, "=1/0", None, "#DIV/0!")   # row 6, column Ausl
    sheet.write_row(7, 0, ["03", "C", "2025-01", 3000, 300])  # after an empty row 7
    book.close()
    frame, findings = read(path)
    assert [(f.code, f.severity, f.line) for f in findings if f.code == "input-title-rows"
            ] == [("input-title-rows", "info", 4)]
    # the error cell, and (read as empty) the note on withheld values that any empty cell gets
    assert sorted(f.code for f in findings) == [
        "input-not-a-number", "input-title-rows", "input-withheld"]
    assert [(f.code, f.line, f.column, f.value) for f in findings
            if f.code == "input-not-a-number"] == [("input-not-a-number", 6, "Ausl", "#DIV/0!")]
    # every row keeps its sheet row (the error is a finding of its own)
    assert frame["Gebiet"].to_list() == ["01", "02", "03"]
    assert frame["_line"].to_list() == [5, 6, 8]
    assert frame["EW"].to_list() == [1000.0, 2000.0, 3000.0]


def test_title_rows_after_empty_rows_and_the_sheet_rows_kept(tmp_path: Path) -> None:
    """Row 1 empty, the title in row 2, the header in row 4: rows keep the sheet's numbers
    (Excel's), counted from its top."""
    import xlsxwriter

    path = tmp_path / "tabelle.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Daten")
    sheet.write(1, 0, "Tabelle 1")
    sheet.write_row(3, 0, ["Gebiet", "Name", "Monat", "EW", "Ausl"])
    sheet.write_row(4, 0, ["01", "A", "2025-01", 1000])
    sheet.write_formula(4, 4, "=1/0", None, "#DIV/0!")   # row 5, column Ausl
    sheet.write_row(5, 0, ["02", "B", "2025-01", 2000, 20])
    book.close()
    frame, findings = read(path)
    assert frame["_line"].to_list() == [5, 6]
    assert [(f.code, f.line) for f in findings if f.code != "input-withheld"] == [
        ("input-not-a-number", 5), ("input-title-rows", 4)]


def test_empty_rows_above_the_header_keep_the_sheet_rows_without_a_note(
        tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "daten.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Daten")
    sheet.write_row(2, 0, ["Gebiet", "Name", "Monat", "EW", "Ausl"])   # row 3
    sheet.write_row(3, 0, ["01", "A", "2025-01", 1000, 10])
    sheet.write_row(4, 0, ["02", "B", "2025-01", 2000])
    sheet.write_formula(4, 4, "=NA()", None, "#N/A")                   # row 5
    book.close()
    frame, findings = read(path)
    assert frame["_line"].to_list() == [4, 5]
    assert [(f.code, f.line) for f in findings if f.code != "input-withheld"] == [
        ("input-not-a-number", 5)]


def test_empty_sheets_digit_like_sheet_names_and_repeated_header_names(tmp_path: Path) -> None:
    """An empty sheet is an empty input (not a crash), so is a sheet named by a digit
    that is not 0-9; header names that are the same once their blanks are stripped are
    an error naming them."""
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Leer")
    data = book.add_worksheet("Daten")
    data.write_row(0, 0, ["Gebiet", "Name", "Monat", "EW", "Ausl", " EW "])
    data.write_row(1, 0, ["01", "A", "2025-01", 1000, 10, 5])
    book.close()
    for sheet in (None, "Leer", "1"):
        frame, findings = read(path, sheet=sheet)
        assert frame is None
        assert [f.code for f in findings] == ["input-empty"]
    frame, findings = read(path, sheet="\u00b2")  # superscript two: a digit, not a number
    assert frame is None and [f.code for f in findings] == ["input-xlsx"]
    frame, findings = read(path, sheet="Daten")
    assert frame is None
    assert [(f.code, f.line, f.column) for f in findings] == [("input-duplicate-column", 1, "EW")]


def test_without_a_sheet_the_first_visible_one_is_read(tmp_path: Path) -> None:
    """A hidden first sheet (lookup tables, a template) is not what a user means by "the
    first sheet"; asked for by name or place, it is read."""
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    hidden = book.add_worksheet("Hilfstabelle")
    hidden.write_row(0, 0, ["Schlüssel", "Wert"])
    hidden.hide()
    data = book.add_worksheet("Daten")
    data.write_row(0, 0, ["Gebiet", "Name", "Monat", "EW", "Ausl"])
    data.write_row(1, 0, ["01", "A", "2025-01", 1000, 10])
    data.activate()
    book.close()
    frame, findings = read(path)
    assert findings == [] and frame["EW"].to_list() == [1000.0]
    frame, findings = read(path, sheet="1")
    assert frame is None
    assert [(f.code, f.message) for f in findings] == [
        ("input-empty", "the sheet 'Hilfstabelle' has no data rows")]


def test_a_name_repeated_in_a_workbook_header_is_an_error(tmp_path: Path) -> None:
    """The workbook reader renames the second Ausl to Ausl_1; the sheet's cells tell."""
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Daten")
    sheet.write_row(0, 0, ["Gebiet", "Name", "Monat", "EW", "Ausl", "Ausl"])
    sheet.write_row(1, 0, ["01", "A", "2025-01", 1000, 10, 20])
    book.close()
    frame, findings = read(path)
    assert frame is None
    assert [(f.code, f.line, f.column) for f in findings] == [
        ("input-duplicate-column", 1, "Ausl")]


def test_a_workbook_without_the_spec_columns_anywhere_names_them_missing(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "tabelle.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Daten")
    sheet.write(0, 0, "Tabelle 3")
    sheet.write_row(2, 0, ["Gebiet", "Name", "Monat", "Einwohner", "Ausl"])  # not EW
    sheet.write_row(3, 0, ["01", "A", "2025-01", 1000, 100])
    book.close()
    frame, findings = read(path)
    assert frame is None or frame.height == 0
    assert ("input-missing-column", "EW") in [(f.code, f.column) for f in findings]
    assert "input-title-rows" not in [f.code for f in findings]


def test_workbook_ids_partly_stored_as_numbers_warn(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "extract.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Daten")
    sheet.write_row(0, 0, ["Gebiet", "Name", "Monat", "EW", "Ausl"])
    sheet.write_row(1, 0, ["01001", "A", "2025-01", 1000, 100])   # text: zeros kept
    sheet.write_row(2, 0, [1002, "B", "2025-01", 1000, 100])      # a number
    book.close()
    frame, findings = read(path)
    assert frame["Gebiet"].to_list() == ["01001", "1002"]
    assert [(f.code, f.severity) for f in findings] == [("input-numeric-id", "warning")]


def test_text_thousands_in_parquet_or_workbook_need_the_decimal_mark(tmp_path: Path) -> None:
    frame = pl.DataFrame({"Gebiet": ["01", "02"], "Name": ["A", "B"],
                          "Monat": ["2025-01"] * 2, "EW": ["1.000", "12.5"], "Ausl": [1, 2]})
    parquet = tmp_path / "x.parquet"
    frame.write_parquet(parquet)
    _, findings = read(parquet)
    assert [(f.code, f.line, f.column, f.value) for f in findings] == [
        ("input-ambiguous-decimal", 1, "EW", "1.000")]
    # with the mark given, 1.000 is a thousand (and 12.5 is then no German number)
    typed, findings = read(parquet, decimal=",")
    assert typed["EW"].to_list()[0] == 1000.0
    assert [f.code for f in findings] == ["input-not-a-number"]
    book = xlsx(tmp_path, frame)
    _, findings = read(book)
    assert [(f.code, f.line) for f in findings] == [("input-ambiguous-decimal", 2)]
    _, findings = read(book, decimal=".")
    assert all(f.code != "input-ambiguous-decimal" for f in findings)
