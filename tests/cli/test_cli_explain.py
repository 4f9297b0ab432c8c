"""explain, sensitivity and report through typer's CliRunner: exit codes, stdout, stderr,
files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ankunftsindex import read_metadata
from ankunftsindex.cli import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
EXTRACT = SAMPLE / "beispielstadt_2021-01_2025-12.csv"
SPEC = ROOT / "indicators.yaml"
GEO = SAMPLE / "beispielstadt.geojson"

runner = CliRunner()


def run(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "beispielstadt.parquet"
    result = run("compute", EXTRACT, "--spec", SPEC, "-o", out, "-q")
    assert result.exit_code == 0, result.stderr
    return out


def test_explain_text(output: Path) -> None:
    result = run("explain", output, "03030202")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "Plattenbausiedlung Ost, 2025-12" in text
    assert "sum = index" in text and "driven by: SGB-II-Quote in %" in text
    assert "→ neues Ankunftsquartier" in text
    assert "\x1b[" not in text  # no colour off a terminal
    assert result.stderr == ""


def test_explain_json_adds_up_and_equals_extract_path(output: Path) -> None:
    result = run("explain", output, "06030102", "--period", "2025-06", "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["period"] == "2025-06"
    for index in info["indices"].values():
        assert index["contribution_sum"] == pytest.approx(index["value"], abs=1e-9)
    direct = run("explain", EXTRACT, "06030102", "--spec", SPEC, "-p", "2025-06", "--json")
    assert direct.exit_code == 0, direct.stderr
    other = json.loads(direct.stdout)
    for index_id, index in info["indices"].items():
        assert other["indices"][index_id]["value"] == pytest.approx(index["value"], abs=1e-12)
        assert other["indices"][index_id]["class"] == index["class"]


def test_explain_errors(output: Path, tmp_path: Path) -> None:
    result = run("explain", output, "99999999")
    assert result.exit_code == 4
    assert "error[input-unknown-area]" in result.stderr and result.stdout == ""
    result = run("explain", output, "03030202", "--period", "2025-13")
    assert result.exit_code == 2
    result = run("explain", output, "03030202", "--period", "2019-12")
    assert result.exit_code == 4 and "input-unknown-period" in result.stderr
    plain = tmp_path / "plain.parquet"
    pl.DataFrame({"area": ["1"], "status": ["scored"]}).write_parquet(plain)
    result = run("explain", plain, "1")
    assert result.exit_code == 4 and "input-no-provenance" in result.stderr
    assert "Traceback" not in result.stderr


def test_sensitivity_json_and_output(output: Path, tmp_path: Path) -> None:
    table = tmp_path / "sens.csv"
    result = run("sensitivity", output, "--runs", "200", "--seed", "3", "--json", "-o", table)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["runs"] == 200 and data["seed"] == 3 and data["index"] == "arrival"
    assert data["nominal_reproduced"] is True
    assert len(data["areas"]) == 77
    assert {c["choice"] for c in data["choices"]} == {
        "weights", "normalise", "ddof", "winsorise", "leave_out"}
    written = pl.read_csv(table, schema_overrides={"area": pl.String})
    assert written["area"].to_list() == [a["area"] for a in data["areas"]]
    meta = read_metadata(table)
    settings = json.loads(meta["ankunftsindex.sensitivity"])
    assert settings["seed"] == 3 and settings["runs"] == 200
    # the same seed again: the same numbers
    again = run("sensitivity", output, "--runs", "200", "--seed", "3", "--json")
    assert json.loads(again.stdout)["areas"] == data["areas"]


def test_sensitivity_text_from_extract_nothing_varied() -> None:
    result = run("sensitivity", EXTRACT, "--spec", SPEC, "--vary", "none", "--runs", "5",
                 "--index", "dynamics", "--top", "3")
    assert result.exit_code == 0, result.stderr
    assert "Ankunftsdynamik (dynamics), 2025-12 — 5 runs" in result.stdout
    assert "varied: nothing" in result.stdout
    assert result.stderr == ""  # no progress bar off a terminal


@pytest.mark.parametrize("args,code", [
    (["--vary", "colour"], 2), (["--runs", "0"], 2), (["--winsorise", "0.1"], 2),
    (["--normalise", "magic"], 2), (["--index", "nope"], 4), (["-o", "x.txt"], 5),
])
def test_sensitivity_errors(output: Path, args: list[str], code: int) -> None:
    result = run("sensitivity", output, *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.stderr


def test_report_writes_one_file(output: Path, tmp_path: Path) -> None:
    html = tmp_path / "bericht.html"
    result = run("report", output, "--geo", GEO, "-o", html)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(html)
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<section id='karte'>" in page
    assert [p.name for p in tmp_path.iterdir()] == ["bericht.html"]  # no temp files left


def test_report_errors(output: Path, tmp_path: Path) -> None:
    result = run("report", output, "-o", tmp_path / "bericht.pdf")
    assert result.exit_code == 5 and "output-format" in result.stderr
    result = run("report", output, "--geo", tmp_path / "none.geojson", "-o",
                 tmp_path / "r.html")
    assert result.exit_code == 4 and "input-not-found" in result.stderr
    result = run("report", output, "--geo", GEO, "--geo-id", "Nummer", "-o",
                 tmp_path / "r.html")
    assert result.exit_code == 4 and "--geo-id" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_no_heavy_imports_for_the_new_commands_help() -> None:
    for command in ("explain", "sensitivity", "report"):
        code = (
            "import sys, runpy; sys.argv = ['ankunftsindex', '" + command + "', '--help']\n"
            "try:\n    runpy.run_module('ankunftsindex', run_name='__main__')\n"
            "except SystemExit as e:\n    assert e.code == 0, e.code\n"
            "heavy = {'polars', 'pyarrow', 'numpy', 'matplotlib'} & set(sys.modules)\n"
            "assert not heavy, heavy\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from ankunftsindex import cli_explain

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with cli_explain._progress(10) as tick:
        assert tick is None
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    with cli_explain._progress(10) as tick:
        tick(4)
        tick(6)
    assert "runs" in tty.getvalue()


def test_explain_from_extract_with_reference_period(tmp_path: Path) -> None:
    spec = tmp_path / "ref.yaml"
    text = SPEC.read_text(encoding="utf-8")
    text = text.replace("  dynamics:", "  dynamics:\n    reference_period: '2024-12'", 1)
    spec.write_text(text, encoding="utf-8")
    result = run("explain", EXTRACT, "03030202", "--spec", spec, "-p", "2025-12", "--json")
    assert result.exit_code == 0, result.stderr
    dynamics = json.loads(result.stdout)["indices"]["dynamics"]
    assert dynamics["method"]["reference_period"] == "2024-12"
    assert dynamics["contribution_sum"] == pytest.approx(dynamics["value"], abs=1e-9)


def test_exit_codes_for_usage_and_spec_errors(output: Path, tmp_path: Path) -> None:
    result = run("report", output)  # no --output
    assert result.exit_code == 2
    result = run("explain", output)  # no area
    assert result.exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("spec_version: 2\n", encoding="utf-8")
    result = run("explain", EXTRACT, "03030202", "--spec", bad)
    assert result.exit_code == 3 and "error[spec-" in result.stderr
    result = run("sensitivity", EXTRACT, "--spec", bad)
    assert result.exit_code == 3 and "error[spec-" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_geojson_whose_ids_match_no_area_is_an_error(output: Path, tmp_path: Path) -> None:
    geo = json.loads((SAMPLE / "beispielstadt.geojson").read_text(encoding="utf-8"))
    for feature in geo["features"]:  # IDs as numbers: the leading zeros are lost
        feature["properties"]["Gebiet_Nr"] = int(feature["properties"]["Gebiet_Nr"])
    numeric = tmp_path / "numeric.geojson"
    numeric.write_text(json.dumps(geo), encoding="utf-8")
    out = tmp_path / "r.html"
    result = run("report", output, "--geo", numeric, "-o", out)
    assert result.exit_code == 4
    assert "input-geojson" in result.stderr and "leading zeros" in result.stderr
    assert not out.exists()


def test_period_options_on_a_cross_section_are_errors(tmp_path: Path) -> None:
    spec = tmp_path / "cs.yaml"
    spec.write_text("spec_version: 1\ninput: {area: Gebiet, population: EW}\nindicators:\n"
                    "  s: {numerator: Ausl, per: 100}\nindices:\n"
                    "  i: {weights: {s: 1}, classes: [{label: a}]}\n", encoding="utf-8")
    data = tmp_path / "cs.csv"
    data.write_text("Gebiet;EW;Ausl\n01;1000;100\n02;2000;500\n03;1000;300\n",
                    encoding="utf-8")
    out = tmp_path / "cs.parquet"
    assert run("compute", data, "--spec", spec, "-o", out).exit_code == 0
    for args in (["explain", out, "01"], ["sensitivity", out], ["report", out, "-o",
                                                                 tmp_path / "r.html"]):
        result = run(*args, "--period", "2025-12")
        assert result.exit_code == 4, (args, result.stderr)
        assert "input-no-periods" in result.stderr


def test_sensitivity_top_must_be_positive(output: Path) -> None:
    result = run("sensitivity", output, "--top", "-3")
    assert result.exit_code == 2


@pytest.mark.parametrize("command", [
    ["diff", "--old-period", "2024-12", "--new-period", "2025-12"],
    ["sensitivity", "--runs", "10"], ["report", "-o", "{tmp}/r.html"]])
def test_a_top_too_large_is_a_usage_error(output: Path, tmp_path: Path,
                                          command: list[str]) -> None:
    """--top beyond 2³¹ − 1 is refused by the parser (exit 2), not an overflow (exit 70);
    the largest allowed simply lists everything."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    refused = run(args[0], output, *args[1:], "--top", str(10**23))
    assert refused.exit_code == 2, refused.stderr
    allowed = run(args[0], output, *args[1:], "--top", str(2**31 - 1))
    assert allowed.exit_code in (0, 1), allowed.stderr  # diff: 1 = differences
