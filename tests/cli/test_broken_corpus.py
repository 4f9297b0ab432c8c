"""The broken-input corpus (tests/data/broken, see make_corpus.py there) through the CLI.

Each case of `cases.csv` runs `compute` into a folder that already holds an output with
known bytes, and `validate --format json`: exit code, finding code and location on
stderr, no traceback, the previous output untouched and no temporary files; the JSON
report lists the finding (for row-level cases with file and line). Each case of
`ok_cases.csv` must compute (exit 0) and give the expected value in the output.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shlex
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from ankunftsindex.cli import app

CORPUS = Path(__file__).resolve().parents[1] / "data" / "broken"
PREVIOUS = b"previous output: must stay byte-identical after a failed run\n"

runner = CliRunner()


def manifest(name: str) -> list[dict[str, str]]:
    with (CORPUS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


CASES = manifest("cases.csv")
OK_CASES = manifest("ok_cases.csv")


def arguments(case: dict[str, str]) -> tuple[list[str], list[str]]:
    """Input paths and the spec + extra options, as strings."""
    inputs = [str(CORPUS / name) for name in case["inputs"].split()]
    return inputs, ["--spec", str(CORPUS / case["spec"]), *shlex.split(case["args"])]


def validate_options(options: list[str]) -> list[str]:
    """`validate` knows no --period: drop it (and its value)."""
    out, skip = [], False
    for opt in options:
        if skip:
            skip = False
        elif opt in ("--period", "-p"):
            skip = True
        else:
            out.append(opt)
    return out


def leftovers(folder: Path, out: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{out.name}."))


def test_corpus_is_large_enough_and_consistent() -> None:
    files = {p.name for p in CORPUS.iterdir()} - {"make_corpus.py", "cases.csv",
                                                  "ok_cases.csv"}
    assert len(files) >= 45
    named = {n for c in CASES + OK_CASES for n in [*c["inputs"].split(), c["spec"]]}
    assert named - files <= {"does_not_exist.csv", "no_such_spec.yaml"}
    assert len({c["case"] for c in CASES + OK_CASES}) == len(CASES) + len(OK_CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_broken_input_through_compute(case: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    out.write_bytes(PREVIOUS)
    inputs, options = arguments(case)
    result = runner.invoke(app, ["compute", *inputs, *options, "-o", str(out)])
    expected = int(case["exit"])
    detail = f"exit {result.exit_code}\nstderr:\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), detail
    assert "Traceback (most recent call last)" not in result.stderr + result.stdout
    assert result.exit_code == expected, detail
    assert leftovers(tmp_path, out) == [], detail
    if expected != 0:
        assert re.search(r"^error\[[a-z0-9-]+\]: ", result.stderr, re.M), detail
        assert f"[{case['code']}]" in result.stderr, detail
        assert case["needle"] in result.stderr, detail
        assert out.read_bytes() == PREVIOUS, "a failed run changed the previous output"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]
        return
    # accepted: warnings are printed on stderr, notes need not be
    if case["severity"] == "warning":
        assert f"warning[{case['code']}]" in result.stderr, detail
        assert case["needle"] in result.stderr, detail
    assert out.read_bytes() != PREVIOUS
    assert pl.read_parquet(out).height > 0


@pytest.mark.parametrize("case", [c for c in CASES if c["validate"] == "yes"],
                         ids=[c["case"] for c in CASES if c["validate"] == "yes"])
def test_broken_input_through_validate(case: dict[str, str]) -> None:
    inputs, options = arguments(case)
    result = runner.invoke(app, ["validate", *inputs, *validate_options(options),
                                 "--format", "json"])
    detail = f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), detail
    assert "Traceback (most recent call last)" not in result.stderr + result.stdout
    assert result.exit_code == int(case["exit"]), detail
    report = json.loads(result.stdout)
    assert {"valid", "errors", "warnings", "notes", "findings", "total_findings",
            "files"} <= set(report)
    assert report["valid"] is (int(case["exit"]) == 0)
    for finding in report["findings"]:
        assert {"code", "severity", "file", "line", "column", "value", "message",
                "hint"} <= set(finding)
        assert finding["severity"] in ("error", "warning", "info")
    found = [f for f in report["findings"] if f["code"] == case["code"]]
    assert found, f"no finding {case['code']}\n{detail}"
    assert any(f["severity"] == case["severity"] for f in found), found
    assert any(_locates(f, case["needle"]) for f in found), (case["needle"], found)
    counts = {s: sum(f["severity"] == s for f in report["findings"])
              for s in ("error", "warning", "info")}
    if report["total_findings"] == len(report["findings"]):
        assert (report["errors"], report["warnings"], report["notes"]) == (
            counts["error"], counts["warning"], counts["info"])


def _locates(finding: dict[str, Any], needle: str) -> bool:
    """Does the finding point at the needle: `file:line` by file name and line number,
    otherwise the needle somewhere in the finding (file, column, value, message)?"""
    at = re.fullmatch(r"(?P<file>[^:]+\.[a-z]+):(?P<line>\d+)", needle)
    if at:
        return (finding["file"] is not None
                and Path(finding["file"]).name == at["file"]
                and finding["line"] == int(at["line"]))
    if needle.endswith(":"):  # a file with some position
        return (finding["file"] is not None
                and Path(finding["file"]).name == needle[:-1]
                and finding["line"] is not None)
    return needle in json.dumps(finding, ensure_ascii=False)


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """compute once per input set (several ok cases check one run): the result and the
    output folder."""
    runs: dict[tuple[str, str, str], tuple[Any, Path]] = {}

    def run(case: dict[str, str]) -> tuple[Any, Path]:
        key = (case["inputs"], case["spec"], case["args"])
        if key not in runs:
            folder = tmp_path_factory.mktemp("ok")
            out = folder / "out.parquet"
            out.write_bytes(PREVIOUS)
            inputs, options = arguments(case)
            runs[key] = (runner.invoke(app, ["compute", *inputs, *options, "-o", str(out)]),
                         folder)
        return runs[key]

    return run


@pytest.mark.parametrize("case", OK_CASES, ids=[c["case"] for c in OK_CASES])
def test_accepted_quirks_compute(case: dict[str, str], computed: Any) -> None:
    result, folder = computed(case)
    out = folder / "out.parquet"
    detail = f"exit {result.exit_code}\nstderr:\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), detail
    assert "Traceback (most recent call last)" not in result.stderr
    assert result.exit_code == 0, detail
    assert leftovers(folder, out) == []
    frame = pl.read_parquet(out)
    assert frame.schema["area"] == pl.String
    row = frame.filter((pl.col("area") == case["area"]) & (pl.col("period") == case["period"]))
    assert row.height == 1, (
        f"no row {case['area']} x {case['period']}; areas "
        f"{sorted(frame['area'].unique().to_list())}, periods "
        f"{sorted(frame['period'].unique().to_list())}")
    value = row[case["column"]][0]
    expected = case["expected"]
    if re.fullmatch(r"-?\d+(\.\d+)?", expected) and case["column"] != "area":
        assert value is not None and math.isclose(float(value), float(expected),
                                                  rel_tol=1e-9), value
    else:
        assert value == expected
    # every area of the file is read, with its leading zeros
    assert set(frame["area"].unique()) <= {"01010101", "01010102", "02010101", "02010102"}


OK_INPUTS = list({(c["inputs"], c["spec"], c["args"]): c for c in OK_CASES}.values())


@pytest.mark.parametrize("case", OK_INPUTS, ids=[c["case"] for c in OK_INPUTS])
def test_accepted_quirks_validate(case: dict[str, str]) -> None:
    inputs, options = arguments(case)
    result = runner.invoke(app, ["validate", *inputs, *validate_options(options),
                                 "--format", "json"])
    detail = f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.exit_code == 0, detail
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["errors"] == 0, detail
