"""The command line through typer's CliRunner: exit codes, stdout, stderr, files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ankunftsindex import __version__, load_spec
from ankunftsindex.cli import app

SPEC = """\
spec_version: 1
title: Kleinstadt
input: {area: Gebiet, name: Name, population: Einwohner}
min_population: 100
indicators:
  foreign_share: {label: Ausländeranteil, numerator: Auslaender, per: 100}
  sgb2_share: {numerator: SGB2, per: 100}
indices:
  arrival:
    label: Ankunftsindex
    weights: {foreign_share: 1, sgb2_share: 1}
    classes:
      - {label: hoch, from: 0.5}
      - {label: mittel, from: -0.5, to: 0.5}
      - {label: niedrig, to: -0.5}
"""

# foreign shares 10, 20, 30, 40 %; SGB II shares 5, 5, 15, 15 %; area 05 is too small
CSV = """\
Gebiet;Name;Einwohner;Auslaender;SGB2
01;Altstadt;1000;100;50
02;Neustadt;2000;400;100
03;Südvorstadt;1000;300;150
04;Hafen;500;200;75
05;Gewerbegebiet;50;10;0
"""


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    data = tmp_path / "extract.csv"
    data.write_bytes(CSV.encode("cp1252"))
    return {"spec": spec, "data": data, "dir": tmp_path}


runner = CliRunner()


def run(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ankunftsindex {__version__}"


def test_help_lists_compute_and_exit_codes() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "compute" in result.stdout
    assert "70 internal" in result.stdout


def test_compute_writes_parquet_and_prints_path_off_tty(files: dict[str, Path]) -> None:
    out = files["dir"] / "out.parquet"
    result = run("compute", files["data"], "--spec", files["spec"], "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out)
    # one summary line on stderr: 5 areas, 4 scored, classes of the one index
    assert result.stderr.count("\n") == 1
    assert "5 areas" in result.stderr and "4 scored" in result.stderr
    frame = pl.read_parquet(out)
    assert frame["area"].to_list() == ["01", "02", "03", "04", "05"]
    assert frame["name"].to_list()[2] == "Südvorstadt"  # cp1252 input decoded
    assert frame["status"].to_list() == ["scored"] * 4 + ["excluded_small"]
    # mean of z(foreign) and z(sgb2); by hand: z(foreign) = ±1.342, ±0.447;
    # z(sgb2) = ±1; area 04: (1.342 + 1) / 2 = 1.171, area 01: (−1.342 − 1) / 2
    assert frame["arrival"][3] == pytest.approx((3 / 5**0.5 + 1) / 2)
    assert frame["arrival"][0] == pytest.approx(-(3 / 5**0.5 + 1) / 2)
    assert frame["arrival_rank"].to_list() == [4, 3, 2, 1, None]
    assert frame["arrival_class"].to_list() == ["niedrig", "niedrig", "hoch", "hoch", None]


def test_parquet_carries_provenance(files: dict[str, Path]) -> None:
    out = files["dir"] / "out.parquet"
    assert run("compute", files["data"], "-s", files["spec"], "-o", out).exit_code == 0
    meta = {k.decode(): v.decode() for k, v in pq.read_metadata(out).metadata.items()}
    spec = load_spec(files["spec"])
    assert meta["ankunftsindex.version"] == __version__
    assert meta["ankunftsindex.spec_sha256"] == spec.sha256()
    assert hashlib.sha256(meta["ankunftsindex.spec"].encode()).hexdigest() == spec.sha256()
    assert json.loads(meta["ankunftsindex.spec"])["title"] == "Kleinstadt"
    inputs = json.loads(meta["ankunftsindex.inputs"])
    assert inputs == [{"file": "extract.csv",
                       "sha256": hashlib.sha256(files["data"].read_bytes()).hexdigest()}]


def test_reruns_are_byte_identical(files: dict[str, Path]) -> None:
    a, b = files["dir"] / "a.parquet", files["dir"] / "b.parquet"
    assert run("compute", files["data"], "-s", files["spec"], "-o", a).exit_code == 0
    assert run("compute", files["data"], "-s", files["spec"], "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_csv_output_with_sidecar(files: dict[str, Path]) -> None:
    out = files["dir"] / "out.csv"
    result = run("compute", files["data"], "-s", files["spec"], "-o", out)
    assert result.exit_code == 0, result.stderr
    frame = pl.read_csv(out, schema_overrides={"area": pl.String})
    assert frame["area"].to_list()[0] == "01"
    meta = json.loads((files["dir"] / "out.csv.meta.json").read_text(encoding="utf-8"))
    assert meta["spec_sha256"] == load_spec(files["spec"]).sha256()
    assert meta["inputs"][0]["file"] == "extract.csv"


def test_format_option_overrides_suffix(files: dict[str, Path]) -> None:
    out = files["dir"] / "result.txt"
    assert run("compute", files["data"], "-s", files["spec"], "-o", out,
               "--format", "csv").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("area,name,population,status")


def test_json_summary(files: dict[str, Path]) -> None:
    out = files["dir"] / "out.parquet"
    result = run("compute", files["data"], "-s", files["spec"], "-o", out, "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["output"] == str(out)
    assert summary["status"] == {"excluded_small": 1, "scored": 4}
    assert summary["indices"]["arrival"]["classes"] == {"hoch": 2, "mittel": 0, "niedrig": 2}


def test_quiet_prints_nothing(files: dict[str, Path]) -> None:
    out = files["dir"] / "out.parquet"
    result = run("compute", files["data"], "-s", files["spec"], "-o", out, "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert out.exists()


@pytest.mark.parametrize(
    ("change", "code", "needle"),
    [
        (lambda s, d: s.write_text("spec_version: 1\ninput: [", encoding="utf-8"), 3,
         "spec-yaml"),
        (lambda s, d: s.write_text(SPEC.replace("weights", "weigths"), encoding="utf-8"), 3,
         "did you mean 'weights'"),
        (lambda s, d: d.write_text(CSV.replace("100;50", "1OO;50"), encoding="utf-8"), 4,
         "extract.csv:2"),
        (lambda s, d: d.write_text(CSV.replace("Auslaender", "Ausl"), encoding="utf-8"), 4,
         "input-missing-column"),
        (lambda s, d: d.write_text(CSV.replace("2000;400", "2000;2400"), encoding="utf-8"), 4,
         "input-share-above-100"),
    ],
)
def test_errors_exit_codes_and_nothing_written(files, change, code, needle) -> None:
    out = files["dir"] / "out.parquet"
    assert run("compute", files["data"], "-s", files["spec"], "-o", out).exit_code == 0
    before = out.read_bytes()
    change(files["spec"], files["data"])
    result = run("compute", files["data"], "-s", files["spec"], "-o", out)
    assert result.exit_code == code
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert out.read_bytes() == before  # the previous output is untouched
    assert sorted(p.name for p in files["dir"].iterdir()) == ["extract.csv", "out.parquet",
                                                              "spec.yaml"]


def test_output_errors_exit_5(files: dict[str, Path]) -> None:
    result = run("compute", files["data"], "-s", files["spec"], "-o", files["dir"] / "x.xlsx")
    assert result.exit_code == 5
    assert "output-format" in result.stderr
    result = run("compute", files["data"], "-s", files["spec"], "-o",
                 files["dir"] / "missing" / "x.parquet")
    assert result.exit_code == 5
    assert "does not exist" in result.stderr


def test_usage_error_exit_2(files: dict[str, Path]) -> None:
    assert run("compute", files["data"], "-s", files["spec"]).exit_code == 2  # no --output
    assert run("compute", files["data"], "-o", "x.parquet", "--decimal", ";").exit_code == 2


def test_missing_spec_exit_3(files: dict[str, Path]) -> None:
    result = run("compute", files["data"], "-s", files["dir"] / "nope.yaml", "-o",
                 files["dir"] / "o.parquet")
    assert result.exit_code == 3
    assert "spec-not-found" in result.stderr


def test_internal_error_exit_70_without_traceback(files, monkeypatch) -> None:
    import ankunftsindex.pipeline as pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "compute", boom)
    out = files["dir"] / "o.parquet"
    result = run("compute", files["data"], "-s", files["spec"], "-o", out)
    assert result.exit_code == 70
    assert "internal error" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    result = run("compute", files["data"], "-s", files["spec"], "-o", out, "--debug")
    assert result.exit_code == 70
    assert "Traceback" in result.stderr


def test_python_m_and_no_heavy_imports_for_help() -> None:
    code = (
        "import sys, runpy; sys.argv = ['ankunftsindex', '--help']\n"
        "try:\n    runpy.run_module('ankunftsindex', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "assert 'polars' not in sys.modules and 'pyarrow' not in sys.modules, 'heavy import'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "compute" in done.stdout
    done = subprocess.run([sys.executable, "-m", "ankunftsindex", "--version"],
                          capture_output=True, text=True)
    assert done.stdout.strip() == f"ankunftsindex {__version__}"


def test_compute_in_a_cron_job_loads_neither_pyarrow_nor_rich(files) -> None:
    # off a terminal, polars writes the Parquet file and the one-line summary is plain
    # text: the start-up of every run does not pay for pyarrow or rich
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['ankunftsindex', 'compute', {str(files['data'])!r}, '-s', "
        f"{str(files['spec'])!r}, '-o', {str(files['dir'] / 'cron.parquet')!r}]\n"
        "try:\n    runpy.run_module('ankunftsindex', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "loaded = [m for m in ('pyarrow', 'rich') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("cron.parquet")  # the output path, on stdout
    assert "scored rows" in done.stderr  # the one-line summary, on stderr


def test_terminal_summary_on_a_tty(files, monkeypatch) -> None:
    import ankunftsindex.cli as cli

    monkeypatch.setattr(cli, "_on_terminal", lambda: True)
    out = files["dir"] / "out.parquet"
    result = run("compute", files["data"], "-s", files["spec"], "-o", out)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    # class counts of the index and the top areas, best first, with German labels
    assert "Ankunftsindex (arrival)" in text
    assert "Top areas by arrival" in text
    assert text.index("Hafen") < text.index("Südvorstadt") < text.index("Neustadt")
    assert "Gewerbegebiet" not in text.split("Top areas")[1]  # not scored, not ranked
    assert "\x1b[" not in text  # no colour codes when the console is not a real terminal
    assert result.stderr == ""


def test_warnings_go_to_stderr_and_into_the_json_summary(files) -> None:
    spec = files["spec"]
    spec.write_text(SPEC.replace("min_population: 100\n",
                                 "min_population: 100\nexclude: [{area: '99', reason: x}]\n"),
                    encoding="utf-8")
    out = files["dir"] / "out.parquet"
    result = run("compute", files["data"], "-s", spec, "-o", out)
    assert result.exit_code == 0
    assert "warning[input-unknown-exclusion]" in result.stderr and "'99'" in result.stderr
    result = run("compute", files["data"], "-s", spec, "-o", out, "--json")
    assert json.loads(result.stdout)["warnings"][0]["value"] == "99"
    # --quiet drops the summary, not the warnings: a cron job must still see them
    result = run("compute", files["data"], "-s", spec, "-o", out, "--quiet")
    assert result.stdout == ""
    assert result.stderr.startswith("warning[input-unknown-exclusion]")


def test_header_only_file_is_exit_4_and_writes_nothing(files) -> None:
    files["data"].write_text("Gebiet;Name;Einwohner;Auslaender;SGB2\r\n", encoding="utf-8")
    out = files["dir"] / "out.csv"
    result = run("compute", files["data"], "-s", files["spec"], "-o", out)
    assert result.exit_code == 4
    assert "input-empty" in result.stderr and result.stdout == ""
    assert not out.exists() and not (files["dir"] / "out.csv.meta.json").exists()


def test_output_onto_an_input_is_refused(files) -> None:
    before = files["data"].read_bytes()
    result = run("compute", files["data"], "-s", files["spec"], "-o", files["data"],
                 "--format", "csv")
    assert result.exit_code == 5
    assert "output-overwrites-input" in result.stderr
    assert files["data"].read_bytes() == before


def test_spec_and_data_text_is_not_rich_markup(files, monkeypatch) -> None:
    import ankunftsindex.cli as cli

    monkeypatch.setattr(cli, "_on_terminal", lambda: True)
    files["spec"].write_text(SPEC.replace("Kleinstadt", "Ankunft [/] Test").replace(
        "label: hoch", "label: '[hoch]'"), encoding="utf-8")
    out = files["dir"] / "out.parquet"
    result = run("compute", files["data"], "-s", files["spec"], "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "Ankunft [/] Test" in result.stdout
    assert result.stdout.count("[hoch]") >= 3  # class table and two top areas


@pytest.mark.parametrize("bad", ["2025-13", "12.2025", "25"])
def test_malformed_period_is_a_usage_error(files, bad: str) -> None:
    result = run("compute", files["data"], "-s", files["spec"], "-o",
                 files["dir"] / "o.parquet", "--period", bad)
    assert result.exit_code == 2
    assert "YYYY-MM" in result.stderr


def test_a_folder_as_extract_says_so(files) -> None:
    result = run("compute", files["dir"], "-s", files["spec"], "-o", files["dir"] / "o.csv")
    assert result.exit_code == 4
    assert "is a folder" in result.stderr


# --- the console script: ends at once, with the command's exit code -------------------------

SCRIPT = "from ankunftsindex.cli import run; run()"


def script(*args: str | Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The console script's entry point (`ankunftsindex = ankunftsindex.cli:run`) in a
    process of its own, off a terminal."""
    return subprocess.run([sys.executable, "-c", SCRIPT, *map(str, args)], input=stdin,
                          capture_output=True, text=True)


def test_console_script_writes_prints_and_exits_0(files) -> None:
    out = files["dir"] / "script.parquet"
    done = script("compute", files["data"], "-s", files["spec"], "-o", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{out}\n"  # flushed before the process ends
    assert done.stderr.startswith("ankunftsindex: ") and done.stderr.endswith("\n")
    # the file is complete and the same as one written by the in-process command
    again = files["dir"] / "again.parquet"
    assert run("compute", files["data"], "-s", files["spec"], "-o", again).exit_code == 0
    assert out.read_bytes() == again.read_bytes()
    assert [p.name for p in files["dir"].iterdir() if p.name.startswith(".")] == []


def test_console_script_json_summary_is_whole(files) -> None:
    out = files["dir"] / "script.parquet"
    done = script("compute", files["data"], "-s", files["spec"], "-o", out, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["output"] == str(out)


@pytest.mark.parametrize(("args", "code", "said"), [
    (["compute", "missing.csv", "-o", "x.parquet"], 4, "input-not-found"),
    (["compute", "--no-such-option"], 2, "No such option"),
    (["diff"], 2, "Missing argument"),
])
def test_console_script_exit_codes(files, args, code, said) -> None:
    done = script(*args, "-s", files["spec"]) if args[0] == "compute" and len(args) > 2 \
        else script(*args)
    assert done.returncode == code, done.stderr
    assert said in done.stderr
    assert not (Path.cwd() / "x.parquet").exists()


def test_console_script_is_the_entry_point() -> None:
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="console_scripts") if e.name == "ankunftsindex"]
    assert ep.value == "ankunftsindex.cli:run"
