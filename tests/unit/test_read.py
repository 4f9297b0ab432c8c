"""Unit tests of the reading stage: encodings, dialects, German numbers, IDs as text.

Every input is written by the test itself; expected values are read off the cells by
hand (METHOD.md "Input", STYLE.md "Known traps"). Lines count as in a text editor:
the header is line 1, the first data row line 2.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from helpers import MONTHLY_SPEC_TEXT

from ankunftsindex.errors import InputError
from ankunftsindex.read import load_input, read_extract
from ankunftsindex.spec import parse_spec

SPEC = parse_spec(
    MONTHLY_SPEC_TEXT,
    "test.yaml",
)

HEADER = "Gebiet;Name;Monat;EW;Ausl"


def write(
    tmp_path: Path, text: str, name: str = "extract.csv", encoding: str = "utf-8", bom: bool = False
) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def load(path: Path | list[Path], **kwargs: str) -> pl.DataFrame:
    paths = path if isinstance(path, list) else [path]
    frame, _ = load_input(paths, SPEC, **kwargs)
    return frame


def input_error(paths: list[Path], **kwargs: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_input(paths, SPEC, **kwargs)
    assert info.value.exit_code == 4
    return info.value


# --- encodings ------------------------------------------------------------------------------


def test_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01100101;Müllerstraße;2025-01;1000;50\n")
    extract = read_extract(path)
    assert extract.encoding == "utf-8"
    frame = load(path)
    assert frame["Name"].to_list() == ["Müllerstraße"]


def test_utf8_with_bom_does_not_leak_into_the_first_column_name(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01100101;Müllerstraße;2025-01;1000;50\n", bom=True)
    extract = read_extract(path)
    assert extract.columns[0] == "Gebiet"
    frame = load(path)  # the spec finds `Gebiet`
    assert frame["Gebiet"].to_list() == ["01100101"]
    assert frame["Name"].to_list() == ["Müllerstraße"]


def test_utf8_with_bom_and_explicit_utf8_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;50\n", bom=True)
    assert read_extract(path, encoding="utf-8").columns[0] == "Gebiet"


def test_cp1252_is_transcoded_without_replacement_characters(tmp_path: Path) -> None:
    path = write(
        tmp_path, f"{HEADER}\r\n01100101;Müllerstraße;2025-01;1000;50\r\n", encoding="cp1252"
    )
    assert "ü".encode("cp1252") in path.read_bytes()  # really not UTF-8
    extract = read_extract(path)
    assert extract.encoding == "cp1252"
    frame = load(path)
    assert frame["Name"].to_list() == ["Müllerstraße"]
    assert "\ufffd" not in frame["Name"][0]
    assert frame["EW"].to_list() == [1000.0]  # CRLF does not stick to the last column
    assert frame["Ausl"].to_list() == [50.0]


def test_utf8_and_cp1252_files_together(tmp_path: Path) -> None:
    a = write(tmp_path, f"{HEADER}\n01100101;Köpenick;2025-01;1000;50\n", "a.csv")
    b = write(
        tmp_path, f"{HEADER}\n01100101;Köpenick;2025-02;1000;60\n", "b.csv", encoding="cp1252"
    )
    frame = load([a, b])
    assert frame["Name"].to_list() == ["Köpenick", "Köpenick"]


def test_wrong_explicit_encoding_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01100101;Müllerstraße;2025-01;1000;50\n", encoding="cp1252")
    err = input_error([path], encoding="utf-8")
    assert err.code == "input-encoding"
    assert "cp1252" in (err.hint or "")


# --- separators and decimals ----------------------------------------------------------------


def test_semicolon_separator_detected(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;50\n")
    assert read_extract(path).separator == ";"
    assert load(path)["Ausl"].to_list() == [50.0]


def test_comma_separator_detected(tmp_path: Path) -> None:
    path = write(tmp_path, "Gebiet,Name,Monat,EW,Ausl\n01100101,Mitte,2025-01,1000,12.5\n")
    extract = read_extract(path)
    assert extract.separator == ","
    assert extract.decimal == "."
    frame = load(path)
    assert frame["EW"].to_list() == [1000.0]
    assert frame["Ausl"].to_list() == [12.5]


def test_tab_separator_detected(tmp_path: Path) -> None:
    path = write(tmp_path, "Gebiet\tName\tMonat\tEW\tAusl\n01100101\tMitte\t2025-01\t1000\t7\n")
    assert read_extract(path).separator == "\t"
    assert load(path)["Ausl"].to_list() == [7.0]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("12,5", 12.5),
        ("1.234", 1234.0),
        ("1.234,5", 1234.5),
        ("1.234.567", 1234567.0),
        ("0,25", 0.25),
        ("42", 42.0),
        ("-5", -5.0),
        (" 12,5 ", 12.5),
    ],
)
def test_german_numbers_in_a_semicolon_file(tmp_path: Path, cell: str, expected: float) -> None:
    path = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;2000;{cell}\n")
    assert read_extract(path).decimal == ","
    assert load(path)["Ausl"].to_list() == [pytest.approx(expected)]


def test_thousands_and_decimal_comma_in_the_same_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\n01100101;Mitte;2025-01;1.234;12,5\n01100102;Nord;2025-01;12.345.678;1.234,5\n",
    )
    frame = load(path)
    assert frame["EW"].to_list() == [1234.0, 12345678.0]
    assert frame["Ausl"].to_list() == [12.5, 1234.5]


def test_semicolon_file_with_decimal_points_is_detected(tmp_path: Path) -> None:
    path = write(
        tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;6.38\n01100102;Nord;2025-01;2000;12.5\n"
    )
    extract = read_extract(path)
    assert extract.decimal == "."
    frame = load(path)
    assert frame["Ausl"].to_list() == [6.38, 12.5]
    assert frame["EW"].to_list() == [1000.0, 2000.0]


def test_decimal_points_detected_when_a_name_contains_a_comma(tmp_path: Path) -> None:
    # Text columns (area names) say nothing about the decimal mark of the numbers.
    path = write(
        tmp_path,
        f"{HEADER}\n01100101;Mitte, Nord;2025-01;1000;6.38\n"
        "01100102;Tiergarten;2025-01;2000;12.5\n",
    )
    assert load(path)["Ausl"].to_list() == [6.38, 12.5]


def test_explicit_decimal_point_overrides_the_guess(tmp_path: Path) -> None:
    # "1.234" alone looks like a German thousands separator; --decimal=. says otherwise
    path = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;1.234\n")
    assert load(path)["Ausl"].to_list() == [1234.0]
    assert load(path, decimal=".")["Ausl"].to_list() == [pytest.approx(1.234)]


def test_explicit_separator(tmp_path: Path) -> None:
    # a header without any separator character would otherwise be a single column
    path = write(tmp_path, "Gebiet|Name|Monat|EW|Ausl\n01100101|Mitte|2025-01|1000|3\n")
    assert load(path, separator="|")["Ausl"].to_list() == [3.0]


# --- IDs and withheld values ----------------------------------------------------------------


def test_area_ids_keep_leading_zeros(tmp_path: Path) -> None:
    path = write(
        tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;50\n00000042;Nord;2025-01;1000;50\n"
    )
    frame = load(path)
    assert frame.schema["Gebiet"] == pl.String
    assert frame["Gebiet"].to_list() == ["01100101", "00000042"]
    assert frame["Monat"].to_list() == ["2025-01", "2025-01"]


def test_area_ids_keep_leading_zeros_in_a_comma_file(tmp_path: Path) -> None:
    path = write(tmp_path, "Gebiet,Name,Monat,EW,Ausl\n01100101,Mitte,2025,1000,50\n")
    assert load(path)["Gebiet"].to_list() == ["01100101"]


@pytest.mark.parametrize("symbol", [".", "-", "x", "/", "…", "", " ", " . "])
def test_withheld_value_symbols_are_null(tmp_path: Path, symbol: str) -> None:
    path = write(
        tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;{symbol}\n01100102;Nord;2025-01;1000;7\n"
    )
    frame = load(path)
    assert frame["Ausl"].to_list() == [None, 7.0]


# --- values that are not numbers ------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "12a", "1,2,3", "12.5.1,3"])
def test_non_number_is_a_finding_with_file_line_column_value(tmp_path: Path, value: str) -> None:
    path = write(
        tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;50\n01100102;Nord;2025-01;1000;{value}\n"
    )
    err = input_error([path])
    assert err.code == "input-not-a-number"
    assert len(err.findings) == 1
    finding = err.findings[0]
    assert finding.code == "input-not-a-number"
    assert finding.file == str(path)
    assert finding.line == 3  # header line 1, first data row line 2
    assert finding.column == "Ausl"
    assert finding.value == value


def test_first_data_row_is_line_two(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;viele;50\n")
    finding = input_error([path]).findings[0]
    assert (finding.line, finding.column, finding.value) == (2, "EW", "viele")


def test_every_unreadable_cell_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\n01100101;Mitte;2025-01;zehn;50\n"
        "01100102;Nord;2025-01;1000;fünf\n01100103;Süd;2025-01;?;?\n",
    )
    err = input_error([path])
    found = sorted((f.line, f.column, f.value) for f in err.findings)
    assert found == [(2, "EW", "zehn"), (3, "Ausl", "fünf"), (4, "Ausl", "?"), (4, "EW", "?")]


def test_unreadable_cell_in_the_second_file_names_that_file(tmp_path: Path) -> None:
    a = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;50\n", "a.csv")
    b = write(
        tmp_path,
        f"{HEADER}\n01100101;Mitte;2025-02;1000;50\n01100102;Nord;2025-02;1000;n.a.\n",
        "b.csv",
    )
    finding = input_error([a, b]).findings[0]
    assert (finding.file, finding.line, finding.value) == (str(b), 3, "n.a.")


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-inf", "Infinity"])
def test_literal_nan_or_inf_is_not_finite(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;{value}\n")
    err = input_error([path])
    assert err.code == "input-not-finite"
    finding = err.findings[0]
    assert finding.code == "input-not-finite"
    assert (finding.file, finding.line, finding.column, finding.value) == (
        str(path),
        2,
        "Ausl",
        value,
    )


def test_number_too_large_for_a_float_is_an_error(tmp_path: Path) -> None:
    # "1e400" overflows to infinity: an impossible value, like a literal "inf"
    path = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;1e400\n")
    err = input_error([path])
    assert err.code in ("input-not-finite", "input-not-a-number")
    assert (err.findings[0].line, err.findings[0].column) == (2, "Ausl")


def test_missing_column_lists_the_available_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "Gebiet;Name;Monat;EW;Auslaender\n01100101;Mitte;2025-01;1000;50\n")
    err = input_error([path])
    assert err.code == "input-missing-column"
    assert "'Ausl'" in err.render()
    assert str(path) in err.render()
    shown = err.render()
    for column in ("Gebiet", "Name", "Monat", "EW", "Auslaender"):
        assert column in shown


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    err = input_error([tmp_path / "fehlt.csv"])
    assert "fehlt.csv" in err.message


def test_no_files_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        load_input([], SPEC)
    assert info.value.exit_code == 4


# --- Parquet and several files --------------------------------------------------------------


def test_parquet_input(tmp_path: Path) -> None:
    path = tmp_path / "extract.parquet"
    pl.DataFrame(
        {
            "Gebiet": ["01100101", "01100102"],
            "Name": ["Müllerstraße", "Nord"],
            "Monat": ["2025-01", "2025-01"],
            "EW": pl.Series([1000, 2500], dtype=pl.Int64),
            "Ausl": [12.5, None],
            "Unbenutzt": [1, 2],
        }
    ).write_parquet(path)
    frame = load(path)
    assert frame["Gebiet"].to_list() == ["01100101", "01100102"]
    assert frame["Name"].to_list() == ["Müllerstraße", "Nord"]
    assert frame["EW"].to_list() == [1000.0, 2500.0]
    assert frame["Ausl"].to_list() == [12.5, None]


def test_parquet_nan_is_not_finite(tmp_path: Path) -> None:
    path = tmp_path / "extract.parquet"
    pl.DataFrame(
        {
            "Gebiet": ["01100101"],
            "Name": ["Mitte"],
            "Monat": ["2025-01"],
            "EW": [1000.0],
            "Ausl": [float("nan")],
        }
    ).write_parquet(path)
    err = input_error([path])
    assert err.code == "input-not-finite"
    assert err.findings[0].column == "Ausl"


def test_several_files_are_concatenated_in_order(tmp_path: Path) -> None:
    jan = write(
        tmp_path,
        f"{HEADER}\n01100101;Mitte;2025-01;1000;50\n01100102;Nord;2025-01;2000;60\n",
        "2025-01.csv",
    )
    feb = write(
        tmp_path, "Gebiet,Name,Monat,EW,Ausl\n01100101,Mitte,2025-02,1010,55\n", "2025-02.csv"
    )
    frame = load([jan, feb])
    assert frame["Gebiet"].to_list() == ["01100101", "01100102", "01100101"]
    assert frame["Monat"].to_list() == ["2025-01", "2025-01", "2025-02"]
    assert frame["EW"].to_list() == [1000.0, 2000.0, 1010.0]
    assert frame["Ausl"].to_list() == [50.0, 60.0, 55.0]


def test_csv_and_parquet_together(tmp_path: Path) -> None:
    csv = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1.000;50\n", "a.csv")
    parquet = tmp_path / "b.parquet"
    pl.DataFrame(
        {
            "Gebiet": ["01100101"],
            "Name": ["Mitte"],
            "Monat": ["2025-02"],
            "EW": [1001],
            "Ausl": [51],
        }
    ).write_parquet(parquet)
    frame = load([csv, parquet])
    assert frame["Monat"].to_list() == ["2025-01", "2025-02"]
    assert frame["EW"].to_list() == [1000.0, 1001.0]
    assert frame["Ausl"].to_list() == [50.0, 51.0]


def test_extracts_carry_the_file_sha256(tmp_path: Path) -> None:
    import hashlib

    path = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;50\n")
    _, extracts = load_input([path], SPEC)
    assert extracts[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_header_without_data_rows_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\r\n")
    err = input_error([path])
    assert err.code == "input-empty"
    assert str(path) in err.message and "no data rows" in err.message


def test_point_decimals_next_to_a_thousands_like_cell_are_ambiguous(tmp_path: Path) -> None:
    # 12.5 says "decimal point", 1.000 only fits a German thousands separator: no guess
    path = write(tmp_path, f"{HEADER}\n01;A;2025-01;1.000;12.5\n02;B;2025-01;1000;6\n")
    err = input_error([path])
    assert err.code == "input-ambiguous-decimal"
    assert [(f.line, f.column, f.value) for f in err.findings] == [(2, "EW", "1.000")]
    # an explicit choice is taken as it is
    assert load(path, decimal=".")["EW"].to_list() == [1.0, 1000.0]
    err = input_error([path], decimal=",")  # then 12.5 is not a German number
    assert [(f.line, f.column, f.value) for f in err.findings] == [(2, "Ausl", "12.5")]


def test_a_file_whose_every_row_is_ragged_names_the_rows_not_an_empty_file(
        tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n01100101;Mitte;2025-01;1000;60;7\n"
                 "01100102;Nord;2025-01;2000\n")
    err = input_error([path])
    assert err.code == "input-ragged"
    assert [(f.code, f.line) for f in err.findings] == [("input-ragged", 2),
                                                        ("input-ragged", 3)]
    blank = write(tmp_path, f"{HEADER}\n\n", "blank.csv")  # no row at all: empty
    assert input_error([blank]).code == "input-empty"
