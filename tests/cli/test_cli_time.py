"""diff, watch and compute --crosswalk through the command line: exit codes, stdout,
stderr."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ankunftsindex.cli import app
from ankunftsindex.write import read_metadata

SPEC = """\
spec_version: 1
title: Kleinstadt
input: {area: Gebiet, name: Name, period: Jahr, population: Einwohner}
indicators:
  foreign_share: {numerator: Auslaender, per: 100}
indices:
  arrival:
    weights: {foreign_share: 1}
    classes:
      - {label: hoch, from: 0.5}
      - {label: mittel, from: -0.5, to: 0.5}
      - {label: niedrig, to: -0.5}
"""

# foreign shares 2024: 10, 20, 30, 40 % (z −1.34, −0.45, 0.45, 1.34);
# 2025: 01 and 04 swap places (40, 20, 30, 10 %)
CSV = """\
Jahr;Gebiet;Name;Einwohner;Auslaender
2024;01;Altstadt;1000;100
2024;02;Neustadt;1000;200
2024;03;Südvorstadt;1000;300
2024;04;Hafen;1000;400
2025;01;Altstadt;1000;400
2025;02;Neustadt;1000;200
2025;03;Südvorstadt;1000;300
2025;04;Hafen;1000;100
"""


def run(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "extract.csv").write_text(CSV, encoding="utf-8")
    paths = {"spec": tmp_path / "spec.yaml", "data": tmp_path / "extract.csv",
             "dir": tmp_path}
    for name, period in (("panel", None), ("y2024", "2024"), ("y2025", "2025")):
        out = tmp_path / f"{name}.parquet"
        args = ["compute", paths["data"], "-s", paths["spec"], "-o", out, "-q"]
        result = run(*args, *(["--period", period] if period else []))
        assert result.exit_code == 0, result.output
        paths[name] = out
    return paths


def test_diff_exit_1_and_text(files: dict[str, Path]) -> None:
    result = run("diff", files["y2024"], files["y2025"])
    assert result.exit_code == 1, result.output
    assert "entered hoch (1):\n  01 Altstadt: niedrig → hoch" in result.stdout
    assert "entered niedrig (1):\n  04 Hafen: hoch → niedrig" in result.stdout
    assert result.stderr == ""


def test_diff_csv_on_stdout(files: dict[str, Path]) -> None:
    result = run("diff", files["panel"], "--old-period", "2024", "--new-period", "2025",
                 "--format", "csv")
    assert result.exit_code == 1
    table = pl.read_csv(io.StringIO(result.stdout), schema_overrides={"area": pl.String})
    assert table["area"].to_list() == ["01", "02", "03", "04"]
    assert table["rank_change"].to_list() == [3, 0, 0, -3]
    assert table.select("old_class", "new_class").row(0) == ("niedrig", "hoch")


def test_diff_with_itself_exit_0(files: dict[str, Path]) -> None:
    for path in (files["panel"], files["y2025"]):
        result = run("diff", path, path)
        assert result.exit_code == 0, result.output
        assert result.stdout.rstrip().endswith("no differences")


def test_diff_warns_on_stderr_and_keeps_stdout_clean(files: dict[str, Path]) -> None:
    other = files["dir"] / "other.yaml"
    other.write_text(SPEC.replace("Kleinstadt", "Kleinstadt, neu"), encoding="utf-8")
    out = files["dir"] / "other.parquet"
    assert run("compute", files["data"], "-s", other, "-o", out, "-q").exit_code == 0
    result = run("diff", files["panel"], out, "--format", "json")
    assert result.exit_code == 0  # same numbers
    assert "warning[diff-spec-changed]" in result.stderr
    assert json.loads(result.stdout)["warnings"][0]["code"] == "diff-spec-changed"


@pytest.mark.parametrize(("args", "exit_code", "text"), [
    (["{panel}"], 2, "--old-period"),
    (["{panel}", "--old-period", "2024"], 2, "--old-period"),
    (["{dir}/nope.parquet", "{panel}"], 4, "input-not-found"),
    (["{spec}", "{panel}"], 4, "input-not-an-output"),
    (["{panel}", "--old-period", "2023", "--new-period", "2025"], 4, "input-unknown-period"),
    (["{panel}", "{panel}", "--tolerance", "-1"], 2, "tolerance"),
    (["{panel}", "{panel}", "--format", "xml"], 2, "format"),
])
def test_diff_errors(files: dict[str, Path], args: list[str], exit_code: int, text: str) -> None:
    result = run("diff", *[a.format(**files) for a in args])
    assert result.exit_code == exit_code, result.output
    assert text in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr


def test_watch_exit_codes(files: dict[str, Path]) -> None:
    # 2024 → 2025: Altstadt rises by 2.68 SD (−1.34 → 1.34) and goes niedrig → hoch
    result = run("watch", files["panel"], "--over", "1", "--persist", "1", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert [a["area"] for a in data["areas"]] == ["01"]
    assert data["areas"][0]["rise"] == pytest.approx(2 * 3 / 5 ** 0.5)
    quiet = run("watch", files["panel"], "--over", "1", "--persist", "1", "--rise", "3",
                "--rule", "rise")
    assert quiet.exit_code == 0 and "0 area(s) flagged" in quiet.stdout


def test_watch_and_diff_read_csv_outputs(files: dict[str, Path]) -> None:
    out = files["dir"] / "panel.csv"
    assert run("compute", files["data"], "-s", files["spec"], "-o", out, "-q").exit_code == 0
    args = ["--over", "1", "--persist", "1", "--format", "json"]
    from_csv = run("watch", out, *args)
    from_parquet = run("watch", files["panel"], *args)
    assert from_csv.exit_code == from_parquet.exit_code == 1
    assert json.loads(from_csv.stdout)["areas"] == json.loads(from_parquet.stdout)["areas"]
    same = run("diff", out, files["panel"])
    assert same.exit_code == 0, same.output


def test_watch_errors(files: dict[str, Path]) -> None:
    result = run("watch", files["panel"], "--index", "nope")
    assert result.exit_code == 4 and "input-unknown-index" in result.stderr
    result = run("watch", files["panel"])  # a 12-year look-back on two years
    # nothing could be compared: an error, never a cron job's "no area flagged"
    assert result.exit_code == 4 and "input-too-short" in result.stderr
    result = run("watch", files["panel"], "--persist", "0")
    assert result.exit_code == 2


def test_compute_with_a_crosswalk(files: dict[str, Path]) -> None:
    walk = files["dir"] / "walk.csv"
    walk.write_text("old_id;new_id;weight\n01;A;1\n02;A;1\n03;03;1\n04;B;0,5\n04;C;0,5\n",
                    encoding="utf-8")
    out = files["dir"] / "mapped.csv"
    result = run("compute", files["data"], "-s", files["spec"], "-o", out, "--crosswalk", walk,
                 "--period", "2024", "-q")
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out, schema_overrides={"area": pl.String})
    assert frame["area"].to_list() == ["03", "A", "B", "C"]
    assert frame["population"].to_list() == [1000, 2000, 500, 500]
    assert frame["foreign_share"].to_list() == pytest.approx([30, 15, 40, 40])
    inputs = json.loads(read_metadata(out)["ankunftsindex.inputs"])
    assert [i["file"] for i in inputs] == ["extract.csv", "walk.csv"]
    # the crosswalk misses area 04
    walk.write_text("old_id;new_id;weight\n01;A;1\n02;A;1\n03;03;1\n", encoding="utf-8")
    result = run("compute", files["data"], "-s", files["spec"], "-o", out, "--crosswalk", walk)
    assert result.exit_code == 4
    assert "input-crosswalk-uncovered" in result.stderr and "extract.csv:5" in result.stderr
    # and the crosswalk cannot be the output
    result = run("compute", files["data"], "-s", files["spec"], "-o", walk, "--crosswalk", walk)
    assert result.exit_code == 5 and "output-overwrites-input" in result.stderr


def test_diff_and_watch_read_excel_de_csv(files: dict[str, Path]) -> None:
    out = files["dir"] / "de.csv"
    result = run("compute", files["data"], "-s", files["spec"], "-o", out, "-q",
                 "--csv-dialect", "excel-de")
    assert result.exit_code == 0, result.output
    same = run("diff", out, files["panel"])
    assert same.exit_code == 0, same.output
    args = ["--over", "1", "--persist", "1", "--format", "json"]
    from_csv, from_parquet = run("watch", out, *args), run("watch", files["panel"], *args)
    assert from_csv.exit_code == 1, from_csv.output
    assert json.loads(from_csv.stdout)["areas"] == json.loads(from_parquet.stdout)["areas"]


def test_diff_shows_a_stale_sidecar(files: dict[str, Path]) -> None:
    out = files["dir"] / "panel.csv"
    assert run("compute", files["data"], "-s", files["spec"], "-o", out, "-q").exit_code == 0
    with out.open("a", encoding="utf-8") as fh:
        fh.write("99,Neu,2025,1000.0,scored,1.0,1.0,1.0,5,hoch\n")
    result = run("diff", out, files["panel"])
    assert result.exit_code == 4, result.output
    assert result.stderr.startswith("error[input-stale-sidecar]: ")
    assert "panel.csv.meta.json" in result.stderr
    assert run("watch", out).exit_code == 4


@pytest.mark.parametrize(("command", "option"), [
    ("watch", "--rise"), ("diff", "--tolerance")])
@pytest.mark.parametrize("value", ["nan", "inf"])
def test_non_finite_thresholds_are_usage_errors(files: dict[str, Path], command: str,
                                                option: str, value: str) -> None:
    result = run(command, files["panel"], *([files["panel"]] if command == "diff" else []),
                 option, value)
    assert result.exit_code == 2, result.output
    assert option in result.stderr and result.stdout == ""
