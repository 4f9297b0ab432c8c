"""``validate`` and the input options of ``compute`` through the command line: exit codes
(0 valid, 3 spec, 4 input; --strict), the text report on stderr, the JSON report on
stdout, and CSV output that spreadsheets cannot turn into formulas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ankunftsindex.cli import app

SPEC = """\
spec_version: 1
input: {area: Gebiet, name: Name, period: Monat, population: EW}
window: 1
indicators:
  foreign_share: {label: Ausländeranteil, numerator: Ausl, per: 100}
indices:
  arrival:
    weights: {foreign_share: 1}
    classes: [{label: hoch, from: 0}, {label: niedrig, to: 0}]
"""
HEADER = "Gebiet;Name;Monat;EW;Ausl"
GOOD = [
    "01;=Altstadt;2025-01;1000;100", "02;Neustadt;2025-01;2000;500,5",
    "03;@Hafen;2025-01;1000;300", "01;=Altstadt;2025-02;1000;110",
    "02;Neustadt;2025-02;2000;480", "03;@Hafen;2025-02;1000;310",
]

runner = CliRunner()


def run(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def extract(tmp_path: Path, rows: list[str], name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_valid_data_exit_0_with_a_summary_on_stderr(tmp_path: Path, spec: Path) -> None:
    result = run("validate", extract(tmp_path, GOOD), "--spec", spec)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "valid: 0 error(s), 0 warning(s), 0 note(s); 1 of 1 file(s) read, 6 row(s)" in (
        result.stderr)


def test_every_problem_at_once_in_text_and_json(tmp_path: Path, spec: Path) -> None:
    rows = ["01;A;2025-01;1000;100", "02;B;2025-01;-3;50", "03;C;2025/01;1000;20",
            "04;D;2025-01;1000", "05;E;2025-01;100;150", "01;A;2025-01;1000;100"]
    path = extract(tmp_path, rows)
    text = run("validate", path, "--spec", spec)
    assert text.exit_code == 4
    expected = [("input-ragged", 5), ("input-bad-period", 4), ("input-duplicate", 7),
                ("input-negative-count", 3), ("input-share-above-100", 6)]
    for code, line in expected:
        assert f"error[{code}]: {path}:{line}" in text.stderr
    assert "Traceback" not in text.stderr
    machine = run("validate", path, "--spec", spec, "--format", "json")
    assert machine.exit_code == 4
    report = json.loads(machine.stdout)
    assert report["valid"] is False and report["errors"] == 5
    assert sorted((f["code"], f["line"]) for f in report["findings"]) == sorted(expected)
    negative = next(f for f in report["findings"] if f["code"] == "input-negative-count")
    assert negative == {"code": "input-negative-count", "message": "negative count",
                        "severity": "error", "file": str(path), "line": 3, "column": "EW",
                        "value": "-3", "hint": negative["hint"]}
    assert negative["hint"]


def test_warnings_pass_unless_strict(tmp_path: Path, spec: Path) -> None:
    rows = [r for r in GOOD if not r.startswith("03;@Hafen;2025-02")]  # 03 lacks 2025-02
    path = extract(tmp_path, rows)
    lenient = run("validate", path, "--spec", spec, "--format", "json")
    assert lenient.exit_code == 0
    assert json.loads(lenient.stdout)["warnings"] == 1
    strict = run("validate", path, "--spec", spec, "--strict", "--format", "json")
    assert strict.exit_code == 4
    assert json.loads(strict.stdout)["valid"] is False
    out = tmp_path / "out.parquet"
    assert run("compute", path, "--spec", spec, "-o", out).exit_code == 0
    out.unlink()
    refused = run("compute", path, "--spec", spec, "-o", out, "--strict")
    assert refused.exit_code == 4
    assert "input-gap" in refused.stderr and "--strict" in refused.stderr
    assert not out.exists()


def test_spec_errors_exit_3_in_text_and_json(tmp_path: Path) -> None:
    bad = tmp_path / "spec.yaml"
    bad.write_text(SPEC.replace("  area: Gebiet", "  area: Gebiet").replace(
        "window: 1", "window: 1\nwindwo: 2"), encoding="utf-8")
    path = extract(tmp_path, GOOD)
    text = run("validate", path, "--spec", bad)
    assert text.exit_code == 3
    assert "did you mean 'window'" in text.stderr
    machine = run("validate", path, "--spec", bad, "--format", "json")
    assert machine.exit_code == 3
    report = json.loads(machine.stdout)
    assert report["valid"] is False
    [finding] = [f for f in report["findings"] if "windwo" in f["message"]]
    assert (finding["file"], finding["line"]) == (str(bad), 4)


def test_spec_problems_of_several_kinds_all_at_once(tmp_path: Path) -> None:
    """An unknown weight (line 8) and a gap between the classes (line 9): both named, in
    text and JSON, each with its own code; compute refuses with the same exit code 3."""
    bad = tmp_path / "spec.yaml"
    bad.write_text(SPEC.replace("weights: {foreign_share: 1}",
                                "weights: {foreign_share: 1, zz: 1}")
                   .replace("{label: hoch, from: 0}", "{label: hoch, from: 1}"),
                   encoding="utf-8")
    path = extract(tmp_path, GOOD)
    text = run("validate", path, "--spec", bad)
    assert text.exit_code == 3
    assert "error[spec-unknown-indicator]" in text.stderr
    assert "error[spec-classes]" in text.stderr
    machine = run("validate", path, "--spec", bad, "--format", "json")
    assert machine.exit_code == 3
    report = json.loads(machine.stdout)
    assert [(f["code"], f["line"]) for f in report["findings"]] == [
        ("spec-unknown-indicator", 8), ("spec-classes", 9)]
    assert report["errors"] == 2
    out = tmp_path / "out.parquet"
    refused = run("compute", path, "--spec", bad, "-o", out)
    assert refused.exit_code == 3 and not out.exists()
    assert refused.stderr.count("error[") == 2


def test_no_such_file_exit_4(tmp_path: Path, spec: Path) -> None:
    result = run("validate", tmp_path / "fehlt.csv", "--spec", spec, "--format", "json")
    assert result.exit_code == 4
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["code"] == "input-not-found"


def test_csv_output_neutralises_formulas(tmp_path: Path, spec: Path) -> None:
    out = tmp_path / "out.csv"
    result = run("compute", extract(tmp_path, GOOD), "--spec", spec, "-o", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "'=Altstadt" in text and "'@Hafen" in text
    assert ",=Altstadt" not in text and ",@Hafen" not in text


def test_excel_de_dialect(tmp_path: Path, spec: Path) -> None:
    out = tmp_path / "out.csv"
    result = run("compute", extract(tmp_path, GOOD), "--spec", spec, "-o", out,
                 "--csv-dialect", "excel-de")
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:3] == ["area", "name", "period"]
    row = dict(zip(header, lines[1].split(";"), strict=True))
    # 02 in 2025-01: 500,5 of 2 000 = 25,025 %
    by_area = {dict(zip(header, line.split(";"), strict=True))["area"]:
               dict(zip(header, line.split(";"), strict=True)) for line in lines[1:4]}
    assert by_area["02"]["foreign_share"] == "25,025"
    assert by_area["01"]["population"] == "1000,0"
    assert row["name"] == "'=Altstadt"
    meta = json.loads((tmp_path / "out.csv.meta.json").read_text(encoding="utf-8"))
    assert meta["csv_dialect"] == "excel-de"


def test_a_cell_that_starts_with_an_apostrophe_and_a_formula_sign_reads_back_exactly(
        tmp_path: Path, spec: Path) -> None:
    from ankunftsindex.diff import read_output

    rows = [r.replace("=Altstadt", "'=Altstadt") for r in GOOD]
    out = tmp_path / "out.csv"
    assert run("compute", extract(tmp_path, rows), "--spec", spec, "-o", out).exit_code == 0
    assert ",''=Altstadt," in out.read_text(encoding="utf-8")
    names = set(read_output(out).frame["name"].to_list())
    assert names == {"'=Altstadt", "Neustadt", "@Hafen"}


def test_json_summary_of_a_cross_section_names_no_period(tmp_path: Path) -> None:
    spec = tmp_path / "cs.yaml"
    spec.write_text("spec_version: 1\ninput: {area: Gebiet, population: EW}\nindicators:\n"
                    "  s: {numerator: Ausl, per: 100}\nindices:\n"
                    "  i: {weights: {s: 1}, classes: [{label: a}]}\n", encoding="utf-8")
    data = tmp_path / "cs.csv"
    data.write_text("Gebiet;EW;Ausl\n01;1000;100\n02;2000;500\n", encoding="utf-8")
    result = run("compute", data, "--spec", spec, "-o", tmp_path / "cs.parquet", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["periods"], summary["latest_period"]) == ([], None)
    assert summary["indices"]["i"]["classes"] == {"a": 2}


def test_warnings_are_shown_when_the_computation_fails_later(tmp_path: Path,
                                                             spec: Path) -> None:
    # 03 lacks 2025-02 (a gap, a warning); in 2025-02 the two remaining areas have the
    # same foreign share, so z-scores cannot be computed (an error)
    rows = ["01;A;2025-01;1000;100", "02;B;2025-01;2000;500", "03;C;2025-01;1000;300",
            "01;A;2025-02;1000;100", "02;B;2025-02;2000;200"]
    result = run("compute", extract(tmp_path, rows), "--spec", spec, "-o",
                 tmp_path / "o.parquet")
    assert result.exit_code == 4
    assert "compute-zero-spread" in result.stderr
    assert result.stderr.index("warning[input-gap]") < result.stderr.index("error[")


def test_the_summary_counts_files_given_and_read(tmp_path: Path, spec: Path) -> None:
    good = extract(tmp_path, GOOD)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = run("validate", good, empty, "--spec", spec)
    assert result.exit_code == 4
    assert "1 of 2 file(s) read, 6 row(s)" in result.stderr
    data = json.loads(run("validate", good, empty, "--spec", spec, "--format", "json").stdout)
    assert data["files_given"] == 2 and len(data["files"]) == 1
