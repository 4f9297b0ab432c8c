"""Generate the broken-input corpus: one small file per quirk, plus the two manifests.

    python tests/data/broken/make_corpus.py

writes every file of this folder (except this script) from the constants below. The
output is deterministic (same bytes on every run; the Parquet and XLSX files depend only
on the installed pyarrow and xlsxwriter versions), so the generated files are checked in
and reviewed like code; rerun the script after changing it and commit the diff.

The base data are 4 areas x 3 months (2025-01 ... 2025-03) in the column layout of the
default spec (`Gebiet_Nr;Gebiet_Name;Monat;Einwohner;...`). `spec.yaml` is the default
spec without the dynamics (no change indicators, no dynamics index, a typology on the
arrival class only) and with `window: 1`, so that the clean 3-month file computes.
Each broken file is the clean file with one quirk, written as bytes.

Manifests (read by tests/cli/test_broken_corpus.py):

- `cases.csv` -- inputs that must be refused or warned about. Columns: `case`, `inputs`
  (file names in this folder, separated by blanks; a name that does not exist is
  intentional), `spec`, `args` (extra command-line arguments, blank-separated),
  `exit` (expected exit code of `compute` and of `validate`), `code` (the finding code
  that must appear), `severity` (error | warning | info), `needle` (a location that
  must appear in stderr: `file:line`, a file name, or a column name / value), `validate`
  (`yes`: `validate --format json` must list the finding; `no`: the case needs a
  `compute`-only option such as `--period`), `description`.
- `ok_cases.csv` -- quirks that must be accepted. Columns: `case`, `inputs`, `spec`,
  `args`, `area`, `period`, `column`, `expected` (the value of `column` in the output row
  of `area` x `period`; numbers are compared with a tolerance), `description`.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER = ["Gebiet_Nr", "Gebiet_Name", "Monat", "Einwohner", "Einwohner_u65", "Auslaender",
          "Zuzuege", "Zuzuege_Ausland", "Fortzuege", "SGBII_Empfaenger"]
# per area: Einwohner, Einwohner_u65, Auslaender, Zuzuege, Zuzuege_Ausland, Fortzuege, SGB II
AREAS = [
    ("01010101", "Altstadt", (1200, 1000, 150, 40, 8, 30, 80)),
    ("01010102", "Gröpelingen", (2400, 2000, 600, 90, 30, 70, 300)),
    ("02010101", "Südvorstadt", (1800, 1500, 300, 50, 12, 45, 150)),
    ("02010102", "Hafen", (900, 700, 270, 45, 15, 35, 140)),
]
MONTHS = ["2025-01", "2025-02", "2025-03"]


def rows(months: list[str] = MONTHS) -> list[list[str]]:
    """The clean rows (as text), month by month; every count grows by 1 % a month.

    Line numbers in a file: header = 1, then 2, 3, ... in this order (area fastest)."""
    out = []
    for m, month in enumerate(months):
        for area, name, counts in AREAS:
            grown = [str(round(c * (1 + 0.01 * m))) for c in counts]
            out.append([area, name, month, *grown])
    return out


def text(table: list[list[str]], sep: str = ";", eol: str = "\n",
         header: list[str] = HEADER) -> str:
    return eol.join(sep.join(r) for r in [header, *table]) + eol


def set_cell(table: list[list[str]], line: int, column: str, value: str) -> list[list[str]]:
    """A copy of the rows with one cell changed; `line` as in an editor (header = 1)."""
    copy = [list(r) for r in table]
    copy[line - 2][HEADER.index(column)] = value
    return copy


SPEC = """\
# Test spec of the broken-input corpus: the default spec (indicators.yaml) without the
# dynamics, with window 1 so that files of 1-3 months compute.
spec_version: 1
title: Testkorpus
input:
  area: Gebiet_Nr
  name: Gebiet_Name
  period: Monat
  population: Einwohner
min_population: 300
window: 1
indicators:
  intl_inflow:
    label: Zuzüge aus dem Ausland je 1.000 EW
    numerator: Zuzuege_Ausland
    per: 1000
    type: flow
  foreign_share:
    label: Ausländeranteil in %
    numerator: Auslaender
    per: 100
  fluctuation:
    label: Fluktuation je 1.000 EW
    numerator: [Zuzuege, Fortzuege]
    per: 1000
    type: flow
  sgb2_share:
    label: SGB-II-Quote in %
    numerator: SGBII_Empfaenger
    denominator: Einwohner_u65
    per: 100
indices:
  arrival:
    label: Ankunftsindex
    weights: {intl_inflow: 1, foreign_share: 1, fluctuation: 1, sgb2_share: 1}
    normalise: zscore
    ddof: 0
    aggregate: mean
    standardise: true
    classes:
      - {label: hoch, from: 0.5}
      - {label: mittel, from: -0.5, to: 0.5}
      - {label: niedrig, to: -0.5}
typology:
  column: typ
  rules:
    - label: Ankunftsquartier
      when: "arrival_class = 'hoch'"
  default: kein Ankunftsquartier
"""


def spec_variant(old: str, new: str) -> str:
    assert old in SPEC, old
    return SPEC.replace(old, new, 1)


SPECS: dict[str, str] = {
    "spec.yaml": SPEC,
    # the default spec's dynamics (lag 12): 3 months are too short
    "spec_lag.yaml": spec_variant(
        "indices:\n",
        "  foreign_share_change:\n    change_of: foreign_share\n    lag: 12\n"
        "indices:\n  dynamics:\n    weights: {foreign_share_change: 1}\n"
        "    classes:\n      - {label: steigend, from: 0}\n      - {label: stabil, to: 0}\n"),
    # the last row of each file is a total (input-rows-dropped, a note)
    "spec_footer.yaml": spec_variant("  population: Einwohner\n",
                                     "  population: Einwohner\n  footer_rows: 1\n"),
    # an unclosed flow mapping (line 43: `weights: {...` never closed)
    "spec_yaml_syntax.yaml": spec_variant("fluctuation: 1, sgb2_share: 1}",
                                          "fluctuation: 1, sgb2_share: 1"),
    "spec_unknown_key.yaml": spec_variant("    type: flow\n", "    typ: flow\n"),
    "spec_wrong_type.yaml": spec_variant("min_population: 300", "min_population: viele"),
    "spec_unknown_top_key.yaml": spec_variant("window: 1\n", "window: 1\nwindwo: 2\n"),
    "spec_unknown_indicator.yaml": spec_variant("{intl_inflow: 1, foreign_share: 1,",
                                                "{intl_inflow: 1, foreign_shar: 1,"),
    "spec_classes_overlap.yaml": spec_variant("{label: mittel, from: -0.5, to: 0.5}",
                                              "{label: mittel, from: -0.5, to: 0.7}"),
    "spec_classes_gap.yaml": spec_variant("{label: mittel, from: -0.5, to: 0.5}",
                                          "{label: mittel, from: -0.5, to: 0.4}"),
    "spec_sql_syntax.yaml": spec_variant("arrival_class = 'hoch'", "arrival_class = = 'hoch'"),
    "spec_sql_column.yaml": spec_variant("arrival_class = 'hoch'", "arival_class = 'hoch'"),
    "spec_sql_label.yaml": spec_variant("arrival_class = 'hoch'", "arrival_class = 'Hoch'"),
    "spec_unknown_column.yaml": spec_variant("numerator: Auslaender\n",
                                             "numerator: Auslaender_gesamt\n"),
    "spec_duplicate_key.yaml": spec_variant("window: 1\n", "window: 1\nmin_population: 200\n"),
    "spec_empty.yaml": "",
    "spec_comments_only.yaml": "# nothing here yet\n# spec_version: 1\n",
    "spec_weight_zero.yaml": spec_variant("{intl_inflow: 1,", "{intl_inflow: 0,"),
    "spec_tab_indent.yaml": spec_variant("  area: Gebiet_Nr\n", "\tarea: Gebiet_Nr\n"),
}

CLEAN = rows()
UTF8 = text(CLEAN)

# ---------------------------------------------------------------------------------------
# files that must be refused (or warned about), as bytes
FILES: dict[str, bytes] = {
    "clean.csv": UTF8.encode("utf-8"),
    "nul_byte.csv": UTF8.replace("Südvorstadt;2025-01", "Süd\x00vorstadt;2025-01").encode(),
    "utf16_no_bom.csv": UTF8.encode("utf-16-le"),
    "ragged_short.csv": text(CLEAN).replace("02010101;Südvorstadt;2025-01;1800;1500;",
                                            "02010101;Südvorstadt;2025-01;1800;").encode(),
    "ragged_long.csv": text(set_cell(CLEAN, 3, "SGBII_Empfaenger", "300;17")).encode(),
    "unbalanced_quote.csv": UTF8.replace("Hafen;2025-02", '"Hafen;2025-02').encode(),
    "empty.csv": b"",
    "blank_only.csv": b"  \r\n\r\n   \n",
    "header_only.csv": (";".join(HEADER) + "\r\n").encode(),
    "missing_column.csv": text([r[:-1] for r in CLEAN], header=HEADER[:-1]).encode(),
    "pipe_separated.csv": text(CLEAN, sep="|").encode(),
    "duplicate_column.csv": text([[*r, r[3]] for r in CLEAN],
                                 header=[*HEADER, "Einwohner"]).encode(),
    "duplicate_row.csv": text([*CLEAN, CLEAN[0]]).encode(),  # line 14 repeats line 2
    "dup_a.csv": text(rows(MONTHS[:2])).encode(),
    "dup_b.csv": text(rows(MONTHS[1:])).encode(),  # 2025-02 again: dup_b.csv:2..5
    "negative_count.csv": text(set_cell(CLEAN, 4, "Zuzuege_Ausland", "-3")).encode(),
    "negative_population.csv": text(set_cell(CLEAN, 7, "Einwohner", "-1200")).encode(),
    "share_above_100.csv": text(set_cell(CLEAN, 5, "Auslaender", "950")).encode(),
    "sgb2_above_denominator.csv": text(set_cell(CLEAN, 3, "SGBII_Empfaenger", "2500")).encode(),
    "period_slash.csv": text(set_cell(CLEAN, 6, "Monat", "2025/02")).encode(),
    "period_dotted.csv": text(set_cell(CLEAN, 8, "Monat", "02.2025")).encode(),
    "period_month13.csv": text(set_cell(CLEAN, 10, "Monat", "2025-13")).encode(),
    "period_date.csv": text(set_cell(CLEAN, 2, "Monat", "2025-01-01")).encode(),
    "period_mixed.csv": text(set_cell(CLEAN, 9, "Monat", "2025")).encode(),
    "nan_value.csv": text(set_cell(CLEAN, 4, "Auslaender", "NaN")).encode(),
    "inf_value.csv": text(set_cell(CLEAN, 11, "Fortzuege", "inf")).encode(),
    "not_a_number.csv": text(set_cell(CLEAN, 5, "Zuzuege", "ca. 100")).encode(),
    "letter_o.csv": text(set_cell(CLEAN, 2, "Einwohner", "12O0")).encode(),
    # the header names the ID and period columns the wrong way round: no period parses
    "swapped_id_period.csv": text(CLEAN, header=["Monat", *HEADER[1:2], "Gebiet_Nr",
                                                 *HEADER[3:]]).encode(),
    "empty_id.csv": text(set_cell(CLEAN, 6, "Gebiet_Nr", "")).encode(),
    "blank_id.csv": text(set_cell(CLEAN, 12, "Gebiet_Nr", "   ")).encode(),
    # no decimal comma anywhere; 1.212 only fits a thousands separator, 9.5 a decimal point
    "ambiguous_decimal.csv": text(set_cell(set_cell(CLEAN, 6, "Einwohner", "1.212"),
                                           8, "Zuzuege", "9.5")).encode(),
    # warnings: refused with --strict
    "gap_area.csv": text([r for i, r in enumerate(CLEAN) if i != 5]).encode(),  # 01010102 2025-02
    "gap_period.csv": text(rows(["2025-01", "2025-02", "2025-04"])).encode(),
    "jump.csv": text(set_cell(CLEAN, 10, "Einwohner", "3636")).encode(),  # 01010101 2025-03
    "zero_denominator.csv": text(set_cell(set_cell(CLEAN, 9, "Einwohner_u65", "0"),
                                          9, "SGBII_Empfaenger", "0")).encode(),
    "replacement_char.csv": UTF8.replace("Gröpelingen", "Gr\ufffdpelingen").encode(),
    # notes: accepted, but reported by validate
    "footer_total.csv": text([*CLEAN, ["", "Stadt insgesamt", "2025-03", "6363", "5252",
                                       "1333", "227", "66", "182", "677"]]).encode(),
}

# ---------------------------------------------------------------------------------------
# files that must be accepted
OK_FILES: dict[str, bytes] = {
    "ok_utf8_bom.csv": b"\xef\xbb\xbf" + UTF8.encode(),
    "ok_cp1252.csv": UTF8.encode("cp1252"),
    "ok_utf16le_bom.csv": b"\xff\xfe" + UTF8.encode("utf-16-le"),
    "ok_utf16be_bom.csv": b"\xfe\xff" + UTF8.encode("utf-16-be"),
    "ok_comma_sep.csv": text(CLEAN, sep=",").encode(),
    "ok_tab_sep.csv": text(CLEAN, sep="\t").encode(),
    "ok_crlf.csv": text(CLEAN, eol="\r\n").encode("cp1252"),
    "ok_trailing_sep.csv": text([[*r, ""] for r in CLEAN], header=[*HEADER, ""]).encode(),
    "ok_trailing_sep_data_only.csv": "".join(
        [";".join(HEADER) + "\n"] + [";".join(r) + ";\n" for r in CLEAN]).encode(),
    "ok_decimal_comma.csv": text(set_cell(CLEAN, 2, "Auslaender", "150,5")).encode(),
    "ok_thousands_dot.csv": text(set_cell(set_cell(CLEAN, 2, "Einwohner", "1.200"),
                                          3, "Auslaender", "600,0")).encode(),
    "ok_thousands_space.csv": text(set_cell(CLEAN, 2, "Einwohner", "1 200")).encode(),
    "ok_thousands_nnbsp.csv": text(set_cell(CLEAN, 2, "Einwohner", "1\u202f200")).encode(),
    "ok_padded.csv": text([[f"  {c} " for c in r] for r in CLEAN]).encode(),
    "ok_quoted.csv": text([[f'"{c}"' for c in r] for r in CLEAN]).encode(),
    "ok_quoted_separator.csv": text(set_cell(CLEAN, 2, "Gebiet_Name",
                                             '"Altstadt; Nord"')).encode(),
    "ok_no_final_newline.csv": UTF8.rstrip("\n").encode(),
    "ok_blank_line_at_end.csv": (UTF8 + "\n\n").encode(),
    "ok_reordered_columns.csv": text([list(reversed(r)) for r in CLEAN],
                                     header=list(reversed(HEADER))).encode(),
    "ok_extra_column.csv": text([[*r, "ohne"] for r in CLEAN],
                                header=[*HEADER, "Bemerkung"]).encode(),
    # statistical symbols read as null: the row's used indicator has no value
    "ok_withheld_a.csv": text(set_cell(set_cell(set_cell(
        CLEAN, 2, "SGBII_Empfaenger", "."), 7, "SGBII_Empfaenger", "-"),
        12, "SGBII_Empfaenger", "x")).encode(),
    "ok_withheld_b.csv": text(set_cell(set_cell(set_cell(
        CLEAN, 3, "Auslaender", "/"), 8, "Auslaender", "…"),
        13, "Auslaender", "")).encode("utf-8"),
    "ok_month_01.csv": text(rows(MONTHS)[0:4]).encode(),
    "ok_month_02.csv": text(rows(MONTHS)[4:8]).encode("cp1252"),
    "ok_month_03.csv": (b"\xef\xbb\xbf" + text(rows(MONTHS)[8:12]).encode()),
    "ok_yearly.csv": text(rows(["2023", "2024"])).encode(),
}


def parquet_files() -> dict[str, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def table(area_type: str = "string", **changes: tuple[int, object]) -> pa.Table:
        columns: dict[str, list[object]] = {h: [r[i] for r in CLEAN]
                                            for i, h in enumerate(HEADER)}
        for h in HEADER[3:]:
            columns[h] = [int(v) for v in columns[h]]  # type: ignore[arg-type]
        for column, (row, value) in changes.items():
            columns[column][row - 1] = value  # Parquet rows counted from 1
        if area_type == "int":
            columns["Gebiet_Nr"] = [int(v) for v in columns["Gebiet_Nr"]]  # type: ignore[arg-type]
        return pa.table(columns)

    def data(t: pa.Table) -> bytes:
        sink = io.BytesIO()
        pq.write_table(t, sink, compression="none")
        return sink.getvalue()

    ok = data(table())
    as_text = table()
    cells = [str(v) for v in as_text["Auslaender"].to_pylist()]
    cells[1] = "ca. 600"  # row 2
    as_text = as_text.set_column(HEADER.index("Auslaender"), "Auslaender", pa.array(cells))
    return {
        "ok_parquet.parquet": ok,
        "parquet_truncated.parquet": ok[: len(ok) // 2],
        "parquet_is_csv.parquet": UTF8.encode(),
        "parquet_nan.parquet": data(table(Auslaender=(3, float("nan")))),
        "parquet_negative.parquet": data(table(Fortzuege=(5, -4))),
        "parquet_numeric_id.parquet": data(table("int")),
        "parquet_text_count.parquet": data(as_text),
    }


def xlsx_files() -> dict[str, bytes]:
    import xlsxwriter

    def book(numeric_ids: bool = False, sheet: str = "Daten") -> bytes:
        sink = io.BytesIO()
        wb = xlsxwriter.Workbook(sink, {"in_memory": True})
        wb.set_properties({"created": datetime(2025, 4, 1)})
        ws = wb.add_worksheet(sheet)
        ws.write_row(0, 0, HEADER)
        for i, r in enumerate(CLEAN, start=1):
            ws.write_string(i, 0, r[0]) if not numeric_ids else ws.write_number(i, 0, int(r[0]))
            ws.write_string(i, 1, r[1])
            ws.write_string(i, 2, r[2])
            for j, v in enumerate(r[3:], start=3):
                ws.write_number(i, j, int(v))
        wb.close()
        return sink.getvalue()

    ok = book()
    return {
        "ok_workbook.xlsx": ok,
        "xlsx_truncated.xlsx": ok[: len(ok) // 2],
        "xlsx_is_csv.xlsx": UTF8.encode(),
        "xlsx_numeric_id.xlsx": book(numeric_ids=True),
    }


# ---------------------------------------------------------------------------------------
# manifests
C = ["case", "inputs", "spec", "args", "exit", "code", "severity", "needle", "validate",
     "description"]
CASES: list[tuple[str, ...]] = [
    # reading
    ("not_found", "does_not_exist.csv", "spec.yaml", "", "4", "input-not-found", "error",
     "does_not_exist.csv", "yes", "an input path that does not exist"),
    ("forced_encoding", "ok_cp1252.csv", "spec.yaml", "--encoding utf-8", "4",
     "input-encoding", "error", "ok_cp1252.csv", "yes",
     "cp1252 bytes (Gröpelingen) read with a forced --encoding utf-8"),
    ("unknown_encoding", "clean.csv", "spec.yaml", "--encoding klingon-8", "4",
     "input-encoding", "error", "clean.csv", "yes", "an encoding name Python does not know"),
    ("nul_byte", "nul_byte.csv", "spec.yaml", "", "4", "input-nul", "error", "nul_byte.csv:4",
     "yes", "a NUL byte inside a cell of line 4"),
    ("utf16_no_bom", "utf16_no_bom.csv", "spec.yaml", "", "4", "input-nul", "error",
     "utf16_no_bom.csv:1", "yes", "UTF-16-LE without a byte order mark"),
    ("ragged_short", "ragged_short.csv", "spec.yaml", "", "4", "input-ragged", "error",
     "ragged_short.csv:4", "yes", "line 4 has one cell fewer than the header"),
    ("ragged_long", "ragged_long.csv", "spec.yaml", "", "4", "input-ragged", "error",
     "ragged_long.csv:3", "yes", "line 3 has one non-empty cell more than the header"),
    ("unbalanced_quote", "unbalanced_quote.csv", "spec.yaml", "", "4", "input-csv", "error",
     "unbalanced_quote.csv", "yes", "a quote opened in line 9 and never closed"),
    ("empty_file", "empty.csv", "spec.yaml", "", "4", "input-empty", "error", "empty.csv", "yes",
     "a file of 0 bytes"),
    ("blank_file", "blank_only.csv", "spec.yaml", "", "4", "input-empty", "error",
     "blank_only.csv", "yes", "a file of blanks and line ends only"),
    ("header_only", "header_only.csv", "spec.yaml", "", "4", "input-empty", "error",
     "header_only.csv", "yes", "a header and no data rows"),
    ("missing_column", "missing_column.csv", "spec.yaml", "", "4", "input-missing-column",
     "error", "SGBII_Empfaenger", "yes", "the column SGBII_Empfaenger is absent"),
    ("wrong_separator", "pipe_separated.csv", "spec.yaml", "", "4", "input-missing-column",
     "error", "Gebiet_Nr", "yes", "| as separator: the header is one long column name"),
    ("forced_wrong_separator", "clean.csv", "spec.yaml", "--separator ,", "4",
     "input-missing-column", "error", "Gebiet_Nr", "yes",
     "a ;-file read with a forced --separator ,"),
    ("spec_unknown_column", "clean.csv", "spec_unknown_column.yaml", "", "4",
     "input-missing-column", "error", "Auslaender_gesamt", "yes",
     "the spec names a column the file does not have"),
    ("duplicate_column", "duplicate_column.csv", "spec.yaml", "", "4",
     "input-duplicate-column", "error", "duplicate_column.csv:1", "yes",
     "the header names Einwohner twice"),
    ("duplicate_row", "duplicate_row.csv", "spec.yaml", "", "4", "input-duplicate", "error",
     "duplicate_row.csv:14", "yes", "line 14 repeats area x period of line 2"),
    ("duplicate_across_files", "dup_a.csv dup_b.csv", "spec.yaml", "", "4", "input-duplicate",
     "error", "dup_b.csv:2", "yes", "2025-02 is in both files"),
    ("file_given_twice", "clean.csv clean.csv", "spec.yaml", "", "4", "input-duplicate",
     "error", "clean.csv", "yes", "the same file given twice"),
    ("negative_count", "negative_count.csv", "spec.yaml", "", "4", "input-negative-count",
     "error", "negative_count.csv:4", "yes", "Zuzuege_Ausland = -3 in line 4"),
    ("negative_population", "negative_population.csv", "spec.yaml", "", "4",
     "input-negative-count", "error", "negative_population.csv:7", "yes",
     "Einwohner = -1200 in line 7"),
    ("share_above_100", "share_above_100.csv", "spec.yaml", "", "4", "input-share-above-100",
     "error", "share_above_100.csv:5", "yes", "Auslaender 950 > Einwohner 900 in line 5"),
    ("sgb2_above_denominator", "sgb2_above_denominator.csv", "spec.yaml", "", "4",
     "input-share-above-100", "error", "sgb2_above_denominator.csv:3", "yes",
     "SGBII_Empfaenger 2500 > Einwohner_u65 2000 in line 3"),
    ("period_slash", "period_slash.csv", "spec.yaml", "", "4", "input-bad-period", "error",
     "period_slash.csv:6", "yes", "period 2025/02"),
    ("period_dotted", "period_dotted.csv", "spec.yaml", "", "4", "input-bad-period", "error",
     "period_dotted.csv:8", "yes", "period 02.2025"),
    ("period_month13", "period_month13.csv", "spec.yaml", "", "4", "input-bad-period", "error",
     "period_month13.csv:10", "yes", "period 2025-13"),
    ("period_date", "period_date.csv", "spec.yaml", "", "4", "input-bad-period", "error",
     "period_date.csv:2", "yes", "a full date 2025-01-01 as period"),
    ("period_mixed", "period_mixed.csv", "spec.yaml", "", "4", "input-mixed-periods", "error",
     "period_mixed.csv:9", "yes", "one yearly period 2025 among months"),
    ("swapped_id_period", "swapped_id_period.csv", "spec.yaml", "", "4", "input-bad-period",
     "error", "swapped_id_period.csv:2", "yes",
     "header names Gebiet_Nr and Monat swapped: every period is an 8-digit ID"),
    ("nan_value", "nan_value.csv", "spec.yaml", "", "4", "input-not-finite", "error",
     "nan_value.csv:4", "yes", "Auslaender = NaN"),
    ("inf_value", "inf_value.csv", "spec.yaml", "", "4", "input-not-finite", "error",
     "inf_value.csv:11", "yes", "Fortzuege = inf"),
    ("not_a_number", "not_a_number.csv", "spec.yaml", "", "4", "input-not-a-number", "error",
     "not_a_number.csv:5", "yes", "Zuzuege = 'ca. 100'"),
    ("letter_o", "letter_o.csv", "spec.yaml", "", "4", "input-not-a-number", "error",
     "letter_o.csv:2", "yes", "Einwohner = '12O0' (letter O for zero)"),
    ("empty_id", "empty_id.csv", "spec.yaml", "", "4", "input-empty-id", "error",
     "empty_id.csv:6", "yes", "no area ID in line 6"),
    ("blank_id", "blank_id.csv", "spec.yaml", "", "4", "input-empty-id", "error",
     "blank_id.csv:12", "yes", "an area ID of blanks only in line 12"),
    ("ambiguous_decimal", "ambiguous_decimal.csv", "spec.yaml", "", "4",
     "input-ambiguous-decimal", "error", "ambiguous_decimal.csv", "yes",
     "no decimal comma; 1.212 and 9.5 in one ;-file"),
    ("unknown_period", "clean.csv", "spec.yaml", "--period 2024-12", "4",
     "input-unknown-period", "error", "2024-12", "no", "--period not in the data"),
    ("too_short", "clean.csv", "spec_lag.yaml", "", "4", "input-too-short", "error",
     "12", "yes", "a lag of 12 months on 3 months of data"),
    ("parquet_truncated", "parquet_truncated.parquet", "spec.yaml", "", "4", "input-parquet",
     "error", "parquet_truncated.parquet", "yes", "the first half of a Parquet file"),
    ("parquet_is_csv", "parquet_is_csv.parquet", "spec.yaml", "", "4", "input-parquet",
     "error", "parquet_is_csv.parquet", "yes", "a CSV named .parquet"),
    ("parquet_nan", "parquet_nan.parquet", "spec.yaml", "", "4", "input-not-finite", "error",
     "parquet_nan.parquet:3", "yes", "a float NaN in row 3 of a Parquet file"),
    ("parquet_negative", "parquet_negative.parquet", "spec.yaml", "", "4",
     "input-negative-count", "error", "parquet_negative.parquet:5", "yes",
     "Fortzuege = -4 in row 5 of a Parquet file"),
    ("parquet_text_count", "parquet_text_count.parquet", "spec.yaml", "", "4",
     "input-not-a-number", "error", "parquet_text_count.parquet:2", "yes",
     "a count column stored as text in Parquet, 'ca. 600' in row 2"),
    ("xlsx_truncated", "xlsx_truncated.xlsx", "spec.yaml", "", "4", "input-xlsx", "error",
     "xlsx_truncated.xlsx", "yes", "the first half of a workbook"),
    ("xlsx_is_csv", "xlsx_is_csv.xlsx", "spec.yaml", "", "4", "input-xlsx", "error",
     "xlsx_is_csv.xlsx", "yes", "a CSV named .xlsx"),
    ("xlsx_unknown_sheet", "ok_workbook.xlsx", "spec.yaml", "--sheet Tabelle9", "4",
     "input-xlsx", "error", "Tabelle9", "yes", "--sheet names a sheet the workbook lacks"),
    # warnings: printed and exit 0; with --strict exit 4
    ("gap_area", "gap_area.csv", "spec.yaml", "", "0", "input-gap", "warning", "01010102",
     "yes", "area 01010102 lacks 2025-02"),
    ("gap_area_strict", "gap_area.csv", "spec.yaml", "--strict", "4", "input-gap", "warning",
     "01010102", "yes", "the same with --strict"),
    ("gap_period_strict", "gap_period.csv", "spec.yaml", "--strict", "4", "input-gap",
     "warning", "2025-03", "yes", "no row for 2025-03 between 2025-02 and 2025-04"),
    ("jump", "jump.csv", "spec.yaml", "", "0", "input-jump", "warning", "jump.csv:10", "yes",
     "Einwohner of 01010101 triples from 2025-02 to 2025-03"),
    ("jump_strict", "jump.csv", "spec.yaml", "--strict", "4", "input-jump", "warning",
     "jump.csv:10", "yes", "the same with --strict"),
    ("zero_denominator_strict", "zero_denominator.csv", "spec.yaml", "--strict", "4",
     "input-zero-denominator", "warning", "zero_denominator.csv:9", "yes",
     "Einwohner_u65 = 0 in line 9"),
    ("replacement_char", "replacement_char.csv", "spec.yaml", "", "0",
     "input-replacement-char", "warning", "replacement_char.csv", "yes",
     "U+FFFD in the names: decoded wrongly before"),
    ("replacement_char_strict", "replacement_char.csv", "spec.yaml", "--strict", "4",
     "input-replacement-char", "warning", "replacement_char.csv", "yes",
     "the same with --strict"),
    ("parquet_numeric_id_strict", "parquet_numeric_id.parquet", "spec.yaml", "--strict", "4",
     "input-numeric-id", "warning", "Gebiet_Nr", "yes", "area IDs stored as int64 in Parquet"),
    ("xlsx_numeric_id_strict", "xlsx_numeric_id.xlsx", "spec.yaml", "--strict", "4",
     "input-numeric-id", "warning", "Gebiet_Nr", "yes", "area IDs stored as numbers in XLSX"),
    # notes: exit 0, listed by validate
    ("withheld_note", "ok_withheld_a.csv", "spec.yaml", "", "0", "input-withheld", "info",
     "SGBII_Empfaenger", "yes", "., - and x in SGBII_Empfaenger read as null"),
    ("rows_dropped_note", "footer_total.csv", "spec_footer.yaml", "", "0",
     "input-rows-dropped", "info", "footer_total.csv", "yes",
     "a total row at the end, left out by footer_rows: 1"),
    # spec errors
    ("spec_not_found", "clean.csv", "no_such_spec.yaml", "", "3", "spec-not-found", "error",
     "no_such_spec.yaml", "yes", "the spec file does not exist"),
    ("spec_empty", "clean.csv", "spec_empty.yaml", "", "3", "spec-empty", "error",
     "spec_empty.yaml", "yes", "an empty spec"),
    ("spec_comments_only", "clean.csv", "spec_comments_only.yaml", "", "3", "spec-empty",
     "error", "spec_comments_only.yaml", "yes", "a spec of comments only"),
    ("spec_yaml_syntax", "clean.csv", "spec_yaml_syntax.yaml", "", "3", "spec-yaml", "error",
     "spec_yaml_syntax.yaml:", "yes", "a flow mapping that is never closed"),
    ("spec_tab_indent", "clean.csv", "spec_tab_indent.yaml", "", "3", "spec-yaml", "error",
     "spec_tab_indent.yaml:6", "yes", "a tab as indentation in line 6"),
    ("spec_duplicate_key", "clean.csv", "spec_duplicate_key.yaml", "", "3",
     "spec-duplicate-key", "error", "spec_duplicate_key.yaml:12", "yes",
     "min_population twice (lines 10 and 12)"),
    ("spec_unknown_key", "clean.csv", "spec_unknown_key.yaml", "", "3", "spec-invalid",
     "error", "did you mean 'type'", "yes", "typ: instead of type:"),
    ("spec_unknown_top_key", "clean.csv", "spec_unknown_top_key.yaml", "", "3",
     "spec-invalid", "error", "did you mean 'window'", "yes", "windwo: instead of window:"),
    ("spec_wrong_type", "clean.csv", "spec_wrong_type.yaml", "", "3", "spec-invalid", "error",
     "spec_wrong_type.yaml:10", "yes", "min_population: viele"),
    ("spec_weight_zero", "clean.csv", "spec_weight_zero.yaml", "", "3", "spec-invalid",
     "error", "intl_inflow", "yes", "a weight of 0"),
    ("spec_unknown_indicator", "clean.csv", "spec_unknown_indicator.yaml", "", "3",
     "spec-unknown-indicator", "error", "foreign_shar", "yes",
     "a weight on an indicator that is not defined"),
    ("spec_classes_overlap", "clean.csv", "spec_classes_overlap.yaml", "", "3",
     "spec-classes", "error", "mittel", "yes", "mittel reaches to 0.7, hoch starts at 0.5"),
    ("spec_classes_gap", "clean.csv", "spec_classes_gap.yaml", "", "3", "spec-classes",
     "error", "mittel", "yes", "mittel ends at 0.4, hoch starts at 0.5"),
    ("spec_sql_syntax", "clean.csv", "spec_sql_syntax.yaml", "", "3", "spec-typology-sql",
     "error", "spec_sql_syntax.yaml:48", "yes", "'= =' in a typology rule"),
    ("spec_sql_column", "clean.csv", "spec_sql_column.yaml", "", "3", "spec-typology-sql",
     "error", "arival_class", "yes", "a typology rule on an unknown column"),
    ("spec_sql_label", "clean.csv", "spec_sql_label.yaml", "", "3", "spec-typology-sql",
     "error", "Hoch", "yes", "a typology rule on a class label the index lacks"),
]

OK_C = ["case", "inputs", "spec", "args", "area", "period", "column", "expected",
        "description"]
OK_CASES: list[tuple[str, ...]] = [
    ("clean", "clean.csv", "spec.yaml", "", "01010101", "2025-01", "population", "1200",
     "the clean file"),
    ("leading_zeros", "clean.csv", "spec.yaml", "", "01010101", "2025-03", "area",
     "01010101", "IDs with leading zeros stay text"),
    ("utf8_bom", "ok_utf8_bom.csv", "spec.yaml", "", "01010102", "2025-01", "name",
     "Gröpelingen", "UTF-8 with BOM"),
    ("cp1252", "ok_cp1252.csv", "spec.yaml", "", "01010102", "2025-01", "name", "Gröpelingen",
     "cp1252 bytes"),
    ("cp1252_forced", "ok_cp1252.csv", "spec.yaml", "--encoding cp1252", "02010101",
     "2025-02", "name", "Südvorstadt", "cp1252 with --encoding cp1252"),
    ("utf16le_bom", "ok_utf16le_bom.csv", "spec.yaml", "", "01010102", "2025-02", "name",
     "Gröpelingen", "UTF-16-LE with BOM"),
    ("utf16be_bom", "ok_utf16be_bom.csv", "spec.yaml", "", "02010101", "2025-03", "name",
     "Südvorstadt", "UTF-16-BE with BOM"),
    ("comma_separator", "ok_comma_sep.csv", "spec.yaml", "", "01010102", "2025-01",
     "population", "2400", ", as separator (detected)"),
    ("tab_separator", "ok_tab_sep.csv", "spec.yaml", "", "01010102", "2025-01", "population",
     "2400", "tab as separator (detected)"),
    ("crlf", "ok_crlf.csv", "spec.yaml", "", "02010102", "2025-03", "population", "918",
     "CRLF line ends (cp1252)"),
    ("trailing_separator", "ok_trailing_sep.csv", "spec.yaml", "", "01010101", "2025-01",
     "population", "1200", "a trailing ; on every line, header included"),
    ("trailing_separator_data", "ok_trailing_sep_data_only.csv", "spec.yaml", "", "01010101",
     "2025-01", "population", "1200", "a trailing ; on every data line"),
    ("decimal_comma", "ok_decimal_comma.csv", "spec.yaml", "", "01010101", "2025-01",
     "foreign_share", "12.541666666666666", "Auslaender 150,5 of 1200"),
    ("thousands_dot", "ok_thousands_dot.csv", "spec.yaml", "", "01010101", "2025-01",
     "population", "1200", "1.200 with decimal commas elsewhere"),
    ("thousands_space", "ok_thousands_space.csv", "spec.yaml", "", "01010101", "2025-01",
     "population", "1200", "1 200 with a space"),
    ("thousands_nnbsp", "ok_thousands_nnbsp.csv", "spec.yaml", "", "01010101", "2025-01",
     "population", "1200", "1 200 with a narrow no-break space U+202F"),
    ("padded_cells", "ok_padded.csv", "spec.yaml", "", "01010101", "2025-01", "population",
     "1200", "every cell padded with blanks, IDs too"),
    ("padded_name", "ok_padded.csv", "spec.yaml", "", "01010102", "2025-01", "name",
     "Gröpelingen", "padded names are stripped"),
    ("quoted_cells", "ok_quoted.csv", "spec.yaml", "", "01010101", "2025-02", "population",
     "1212", "every cell in quotes"),
    ("quoted_separator", "ok_quoted_separator.csv", "spec.yaml", "", "01010101", "2025-01",
     "name", "Altstadt; Nord", "a ; inside a quoted name"),
    ("no_final_newline", "ok_no_final_newline.csv", "spec.yaml", "", "02010102", "2025-03",
     "population", "918", "no line end after the last row"),
    ("blank_lines_at_end", "ok_blank_line_at_end.csv", "spec.yaml", "", "02010102",
     "2025-03", "population", "918", "empty lines after the last row"),
    ("reordered_columns", "ok_reordered_columns.csv", "spec.yaml", "", "02010101", "2025-01",
     "population", "1800", "the columns in reverse order"),
    ("extra_column", "ok_extra_column.csv", "spec.yaml", "", "02010101", "2025-01",
     "population", "1800", "a column the spec does not use"),
    ("withheld_dot", "ok_withheld_a.csv", "spec.yaml", "", "01010101", "2025-01", "status",
     "missing_data", ". in SGBII_Empfaenger: not scored, no error"),
    ("withheld_dash", "ok_withheld_a.csv", "spec.yaml", "", "01010102", "2025-02", "status",
     "missing_data", "- in SGBII_Empfaenger"),
    ("withheld_x", "ok_withheld_a.csv", "spec.yaml", "", "02010101", "2025-03", "status",
     "missing_data", "x in SGBII_Empfaenger"),
    ("withheld_other_scored", "ok_withheld_a.csv", "spec.yaml", "", "02010102", "2025-01",
     "status", "scored", "the other areas are scored"),
    ("withheld_slash", "ok_withheld_b.csv", "spec.yaml", "", "01010102", "2025-01", "status",
     "missing_data", "/ in Auslaender"),
    ("withheld_ellipsis", "ok_withheld_b.csv", "spec.yaml", "", "02010101", "2025-02",
     "status", "missing_data", "… in Auslaender"),
    ("withheld_empty", "ok_withheld_b.csv", "spec.yaml", "", "02010102", "2025-03", "status",
     "missing_data", "an empty Auslaender cell"),
    ("monthly_files", "ok_month_01.csv ok_month_02.csv ok_month_03.csv", "spec.yaml", "",
     "02010102", "2025-02", "population", "909",
     "one file per month in three encodings, concatenated"),
    ("yearly_periods", "ok_yearly.csv", "spec.yaml", "", "01010102", "2024", "population",
     "2424", "yearly periods YYYY"),
    ("parquet", "ok_parquet.parquet", "spec.yaml", "", "01010101", "2025-02", "population",
     "1212", "a Parquet extract with text IDs"),
    ("xlsx", "ok_workbook.xlsx", "spec.yaml", "", "01010101", "2025-02", "area", "01010101",
     "a workbook with the IDs as text"),
    ("xlsx_sheet", "ok_workbook.xlsx", "spec.yaml", "--sheet Daten", "02010102", "2025-03",
     "population", "918", "a workbook with --sheet"),
    ("gap_warning_goes_on", "gap_area.csv", "spec.yaml", "", "01010102", "2025-03",
     "status", "scored", "a gap warns but computes"),
    ("footer_dropped", "footer_total.csv", "spec_footer.yaml", "", "01010101", "2025-03",
     "population", "1224", "the total row is left out"),
]


def write_manifest(name: str, columns: list[str], cases: list[tuple[str, ...]]) -> None:
    seen = set()
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(columns)
    for case in cases:
        assert len(case) == len(columns), case
        assert case[0] not in seen, case[0]
        seen.add(case[0])
        writer.writerow(case)
    (HERE / name).write_text(sink.getvalue(), encoding="utf-8")


def main() -> None:
    every = {**FILES, **OK_FILES, **parquet_files(), **xlsx_files()}
    every.update({name: body.encode("utf-8") for name, body in SPECS.items()})
    for name, data in sorted(every.items()):
        (HERE / name).write_bytes(data)
    write_manifest("cases.csv", C, CASES)
    write_manifest("ok_cases.csv", OK_C, OK_CASES)
    known = set(every) | {"does_not_exist.csv", "no_such_spec.yaml"}
    for case in CASES + OK_CASES:
        for name in [*case[1].split(), case[2]]:
            assert name in known, (case[0], name)
    print(f"{len(every)} files, {len(CASES)} cases, {len(OK_CASES)} ok cases")


if __name__ == "__main__":
    main()
